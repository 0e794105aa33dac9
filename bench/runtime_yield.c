/*
 * runtime_yield.c - the cost of a goroutine switch, via yield ping-pong.
 *
 * Workload (the Go twin, bench/go/runtime_yield/main.go, does the same with
 * runtime.Gosched): two goroutines each call weft_yield() N = 1M times. On
 * one worker (WEFT_PROCS=1) they alternate, so every yield is one context
 * switch from one goroutine to the other, through the scheduler's run queue:
 * the figure is the price of a switch. On several workers the two usually
 * run on different workers and each yield finds nobody else to run; the
 * figure is then the price of a yield that comes back to its caller.
 *
 * The figure is the wall time from before the two are spawned until the
 * main goroutine, parked on a waitgroup meanwhile, has joined them, divided
 * by the 2N yields.
 *
 * Rounds: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies N.
 *
 * Output: BENCH runtime_yield <ns per yield> ns/op
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>
#include <weft/sync.h>

#define ROUNDS 3

static long yields; /* N per goroutine: set before the first round */

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

static void pinger(void *arg) {
  for (long i = 0; i < yields; i++) weft_yield();
  weft_waitgroup_done(arg);
}

/* One round: two pingers, N yields each; returns ns per yield. */
static double yield_round(void) {
  weft_waitgroup wg = {0};
  int64_t start = now_ns();
  weft_waitgroup_add(&wg, 2);
  weft_go(pinger, &wg);
  weft_go(pinger, &wg);
  weft_waitgroup_wait(&wg);
  return (double)(now_ns() - start) / (double)(2 * yields);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  yields = scaled(1000000);
  double per_op[ROUNDS];
  yield_round(); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = yield_round();
  printf("BENCH runtime_yield %.1f ns/op\n", median(per_op, ROUNDS));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
