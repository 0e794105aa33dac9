/*
 * sync_once.c - weft_once_do once its function has run (the fast path).
 *
 * Workload (the Go twin, bench/go/sync_once/main.go, does the same with
 * sync.Once): one goroutine calls weft_once_do on a once whose function has
 * already run, N = 200M times. weft/sync.h inlines this path: an acquire
 * load of `done` and the copy check's load and compare. ns per call.
 *
 * Rounds: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies N.
 *
 * Output: BENCH sync_once_fast <ns> ns/op
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 5

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

static weft_once once;
static long init_calls;

static void init(void *arg) { init_calls++; }

static double round_ns(long n) {
  int64_t start = now_ns();
  for (long i = 0; i < n; i++) weft_once_do(&once, init, NULL);
  return (double)(now_ns() - start) / (double)n;
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  long n = scaled(200000000);
  double per_op[ROUNDS];
  round_ns(n / 10); /* warm-up (and the one real call) */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = round_ns(n);
  if (init_calls != 1) return 1;
  printf("BENCH sync_once_fast %.2f ns/op\n", median(per_op, ROUNDS));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
