/*
 * runtime_spawn.c - what a goroutine costs from birth to being joined.
 *
 * Two workloads; the Go twin (bench/go/runtime_spawn/main.go) does both
 * with `go` and sync.WaitGroup, exactly as here with weft_go and
 * weft_waitgroup:
 *
 *   runtime_spawn      the main goroutine spawns N = 1M goroutines, one
 *                      after another (add(1) then spawn), each running a
 *                      function that only calls done; then it waits for the
 *                      waitgroup. The figure is the wall time of the round
 *                      divided by N: one spawn + run + exit + join, with up
 *                      to N goroutines alive at once (on one worker nothing
 *                      runs until the spawning is over), so stack and
 *                      goroutine allocation at scale are part of it.
 *   runtime_spawn_seq  the main goroutine spawns one goroutine and waits
 *                      for it, N times. The figure is ns per spawn + join
 *                      with one goroutine alive at a time: creation, two
 *                      switches (or a hand-off to another worker), a park
 *                      and a wake-up, exit; the recycling caches stay hot.
 *                      (libdill's go()+hclose() figure compares with this.)
 *
 * Rounds: one warm-up round (it fills the stack pools, as Go's first round
 * grows its free lists), then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>
#include <weft/sync.h>

#define ROUNDS 3

static long goroutines; /* N: set once before the first round */

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

static void tiny(void *arg) { weft_waitgroup_done(arg); }

/* All N spawned, then joined; returns ns per goroutine. */
static double batch_round(void) {
  weft_waitgroup wg = {0};
  int64_t start = now_ns();
  for (long i = 0; i < goroutines; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(tiny, &wg);
  }
  weft_waitgroup_wait(&wg);
  return (double)(now_ns() - start) / (double)goroutines;
}

/* One spawned and joined at a time; returns ns per goroutine. */
static double sequential_round(void) {
  weft_waitgroup wg = {0};
  int64_t start = now_ns();
  for (long i = 0; i < goroutines; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(tiny, &wg);
    weft_waitgroup_wait(&wg);
  }
  return (double)(now_ns() - start) / (double)goroutines;
}

static double measure(double (*round)(void)) {
  double per_op[ROUNDS];
  round(); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = round();
  return median(per_op, ROUNDS);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  goroutines = scaled(1000000);
  printf("BENCH runtime_spawn %.1f ns/op\n", measure(batch_round));
  printf("BENCH runtime_spawn_seq %.1f ns/op\n", measure(sequential_round));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
