/*
 * sync_mutex.c - weft_mutex lock+unlock, uncontended and contended.
 *
 * Workloads (the Go twin, bench/go/sync_mutex/main.go, does the same with
 * sync.Mutex):
 *   sync_mutex_uncontended  one goroutine locks and unlocks one mutex
 *                           N = 20M times: the fast path (inlined CAS and
 *                           atomic subtract). ns per lock+unlock.
 *   sync_mutex_contended8   8 goroutines share one mutex, each doing
 *                           N/8 = 250k lock; counter++; unlock. Wall time
 *                           divided by all 2M lock+unlock pairs: spinning,
 *                           parking, waking and hand-off under contention.
 * The main goroutine waits for the 8 on a waitgroup.
 *
 * Rounds: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies N.
 *
 * Output: BENCH sync_mutex_uncontended <ns> ns/op
 *         BENCH sync_mutex_contended8 <ns> ns/op
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 5
#define CONTENDERS 8

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

static weft_mutex mu;
static long counter;
static long per_contender;

static double uncontended_round(long n) {
  int64_t start = now_ns();
  for (long i = 0; i < n; i++) {
    weft_mutex_lock(&mu);
    weft_mutex_unlock(&mu);
  }
  return (double)(now_ns() - start) / (double)n;
}

static void contender(void *arg) {
  for (long i = 0; i < per_contender; i++) {
    weft_mutex_lock(&mu);
    counter++;
    weft_mutex_unlock(&mu);
  }
  weft_waitgroup_done(arg);
}

static double contended_round(void) {
  weft_waitgroup wg = {0};
  int64_t start = now_ns();
  weft_waitgroup_add(&wg, CONTENDERS);
  for (int i = 0; i < CONTENDERS; i++) weft_go(contender, &wg);
  weft_waitgroup_wait(&wg);
  return (double)(now_ns() - start) / (double)(CONTENDERS * per_contender);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  long n = scaled(20000000);
  per_contender = scaled(2000000) / CONTENDERS + 1;
  double per_op[ROUNDS];

  uncontended_round(n / 10); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = uncontended_round(n);
  printf("BENCH sync_mutex_uncontended %.2f ns/op\n", median(per_op, ROUNDS));

  contended_round(); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = contended_round();
  printf("BENCH sync_mutex_contended8 %.2f ns/op\n", median(per_op, ROUNDS));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
