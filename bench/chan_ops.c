/*
 * chan_ops.c - the cost of channel operations and select.
 *
 * Six workloads; the Go twin (bench/go/chan_ops/main.go) runs the same ones
 * with Go channels and prints the same names:
 *
 *   chan_pingpong       two goroutines bounce one int over two unbuffered
 *                       channels; ns per round trip (two hand-offs)
 *   chan_buffered       one goroutine sends then receives on a channel of
 *                       capacity 1 that nobody else touches; ns per
 *                       send+recv pair
 *   chan_prodcons       one producer goroutine, the main goroutine consumes,
 *                       capacity 128; ns per element
 *   chan_fanin          8 producer goroutines send into one channel of
 *                       capacity 128, the main goroutine consumes; ns per
 *                       element
 *   chan_select4        4 producers each feed their own channel (capacity
 *                       128); the main goroutine selects over the 4; ns per
 *                       element received
 *   chan_select_default a select with a default on an empty channel (recv)
 *                       and on a full one (send), alternating; ns per
 *                       select
 *
 * Each: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies the iteration counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 3
#define PRODUCERS 8

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long scaled(long n) {
  const char *s = getenv("WEFT_BENCH_SCALE");
  double f = s ? atof(s) : 1.0;
  long v = (long)((double)n * (f > 0 ? f : 1.0));
  return v > 0 ? v : 1;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *name, double (*round)(long), long n) {
  double per_op[ROUNDS];
  round(n / 10 > 0 ? n / 10 : 1); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = round(n);
  printf("BENCH %s %.1f ns/op\n", name, median(per_op, ROUNDS));
  fflush(stdout);
}

/* ---- ping-pong ------------------------------------------------------------- */

struct pingpong {
  weft_chan *ping, *pong;
  long n;
};
/* Workers copy their parameters first: the round's frame is gone once the
 * main goroutine has what it waits for, possibly before they return. */
static void ponger(void *arg) {
  struct pingpong p = *(struct pingpong *)arg;
  long v;
  for (long i = 0; i < p.n; i++) {
    weft_chan_recv(p.ping, &v);
    weft_chan_send(p.pong, &v);
  }
}
static double pingpong_round(long n) {
  struct pingpong p = {weft_chan_make(sizeof(long), 0), weft_chan_make(sizeof(long), 0), n};
  weft_go(ponger, &p);
  int64_t start = now_ns();
  long v = 0;
  for (long i = 0; i < n; i++) {
    weft_chan_send(p.ping, &i);
    weft_chan_recv(p.pong, &v);
  }
  double ns = (double)(now_ns() - start) / (double)n;
  weft_chan_free(p.ping);
  weft_chan_free(p.pong);
  return ns;
}

/* ---- buffered, uncontended ---------------------------------------------------- */

static double buffered_round(long n) {
  weft_chan *c = weft_chan_make(sizeof(long), 1);
  long v = 0;
  int64_t start = now_ns();
  for (long i = 0; i < n; i++) {
    weft_chan_send(c, &i);
    weft_chan_recv(c, &v);
  }
  double ns = (double)(now_ns() - start) / (double)n;
  weft_chan_free(c);
  return ns;
}

/* ---- producer/consumer, fan-in ------------------------------------------------- */

struct producer {
  weft_chan *c;
  long n;
};
static void produce(void *arg) {
  struct producer p = *(struct producer *)arg;
  for (long i = 0; i < p.n; i++) weft_chan_send(p.c, &i);
}

static double prodcons_round(long n) {
  struct producer p = {weft_chan_make(sizeof(long), 128), n};
  int64_t start = now_ns();
  weft_go(produce, &p);
  long v;
  for (long i = 0; i < n; i++) weft_chan_recv(p.c, &v);
  double ns = (double)(now_ns() - start) / (double)n;
  weft_chan_free(p.c);
  return ns;
}

static double fanin_round(long n) {
  weft_chan *c = weft_chan_make(sizeof(long), 128);
  struct producer p[PRODUCERS];
  long each = n / PRODUCERS;
  int64_t start = now_ns();
  for (int k = 0; k < PRODUCERS; k++) {
    p[k] = (struct producer){c, each};
    weft_go(produce, &p[k]);
  }
  long v;
  for (long i = 0; i < each * PRODUCERS; i++) weft_chan_recv(c, &v);
  double ns = (double)(now_ns() - start) / (double)(each * PRODUCERS);
  weft_chan_free(c);
  return ns;
}

/* ---- select ---------------------------------------------------------------------- */

static double select4_round(long n) {
  struct producer p[4];
  weft_case cases[4];
  long v;
  long each = n / 4;
  for (int k = 0; k < 4; k++) {
    p[k] = (struct producer){weft_chan_make(sizeof(long), 128), each};
    cases[k] = WEFT_RECV(p[k].c, &v);
  }
  int64_t start = now_ns();
  for (int k = 0; k < 4; k++) weft_go(produce, &p[k]);
  for (long i = 0; i < each * 4; i++) weft_select(cases, 4);
  double ns = (double)(now_ns() - start) / (double)(each * 4);
  for (int k = 0; k < 4; k++) weft_chan_free(p[k].c);
  return ns;
}

static double select_default_round(long n) {
  weft_chan *empty = weft_chan_make(sizeof(long), 1);
  weft_chan *full = weft_chan_make(sizeof(long), 1);
  long v = 0;
  weft_chan_send(full, &v);
  weft_case recv[] = {WEFT_RECV(empty, &v)};
  weft_case send[] = {WEFT_SEND(full, &v)};
  long hits = 0;
  int64_t start = now_ns();
  for (long i = 0; i < n; i++) {
    hits += weft_select_default(recv, 1);
    hits += weft_select_default(send, 1);
  }
  double ns = (double)(now_ns() - start) / (double)(2 * n);
  if (hits != -2 * n) printf("select_default: unexpected hits\n");
  weft_chan_free(empty);
  weft_chan_free(full);
  return ns;
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  report("chan_pingpong", pingpong_round, scaled(1000000));
  report("chan_buffered", buffered_round, scaled(10000000));
  report("chan_prodcons", prodcons_round, scaled(5000000));
  report("chan_fanin", fanin_round, scaled(4000000));
  report("chan_select4", select4_round, scaled(2000000));
  report("chan_select_default", select_default_round, scaled(20000000));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
