/*
 * runtime_spawn.c - what a goroutine costs from birth to being joined.
 *
 * Workload (the Go twin, bench/go/runtime_spawn/main.go, does the same with
 * `go` and sync.WaitGroup): the main goroutine spawns N = 1M goroutines, one
 * after another, each running a function that does nothing but tell the
 * joiner it is done; then the main goroutine waits for all of them. The
 * figure is the wall time of one such round divided by N: the cost of one
 * spawn + run + exit + join, stack and goroutine recycling included.
 *
 * Join. The joiner is a counter of finished goroutines: the goroutine that
 * brings it to N takes the end time, so the figure does not depend on how
 * quickly the waiting main goroutine notices, and the main goroutine waits by
 * sleeping in 1 ms steps, so it takes no CPU from the workers while they
 * run the N goroutines. (weft_waitgroup would be the natural joiner; this
 * benchmark keeps to the runtime's own API so that it measures the runtime
 * alone. The twin joins the same way.)
 *
 * Rounds: one warm-up round (it populates the stack pools, as Go's first
 * round grows its free lists), then ROUNDS (3) timed rounds; the median is
 * printed. WEFT_BENCH_SCALE (default 1) multiplies N, to shorten runs on
 * slow or emulated machines.
 *
 * Output: BENCH runtime_spawn <ns per spawn+join> ns/op
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 3

static long goroutines;           /* N: set once before the first spawn */
static atomic_long finished;      /* goroutines of this round that ran */
static _Atomic int64_t round_end; /* set by the goroutine that finishes last */

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

static void tiny(void *arg) {
  (void)arg;
  if (atomic_fetch_add_explicit(&finished, 1, memory_order_acq_rel) + 1 == goroutines)
    atomic_store_explicit(&round_end, now_ns(), memory_order_release);
}

/* One round: spawn N, wait for all of them; returns ns per goroutine. */
static double spawn_round(void) {
  atomic_store(&finished, 0);
  atomic_store(&round_end, 0);
  int64_t start = now_ns();
  for (long i = 0; i < goroutines; i++) weft_go(tiny, NULL);
  while (atomic_load_explicit(&round_end, memory_order_acquire) == 0)
    weft_sleep(WEFT_MILLISECOND);
  return (double)(atomic_load(&round_end) - start) / (double)goroutines;
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  goroutines = scaled(1000000);
  double per_op[ROUNDS];
  spawn_round(); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = spawn_round();
  printf("BENCH runtime_spawn %.1f ns/op\n", median(per_op, ROUNDS));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
