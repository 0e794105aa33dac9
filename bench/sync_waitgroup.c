/*
 * sync_waitgroup.c - fan-out / fan-in of 10k goroutines on a waitgroup.
 *
 * Workload (the Go twin, bench/go/sync_waitgroup/main.go, does the same):
 * add(10000), spawn 10,000 goroutines that each call done, wait. The
 * figure is the wall time of one whole round divided by 10,000: spawning,
 * running and retiring a goroutine plus its done, and the final wake-up.
 *
 * Rounds: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies the number of rounds.
 *
 * Output: BENCH sync_waitgroup_fanout10k <ns per goroutine> ns/op
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define FANOUT 10000

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

static void task(void *arg) { weft_waitgroup_done(arg); }

static double round_ns(void) {
  weft_waitgroup wg = {0};
  int64_t start = now_ns();
  weft_waitgroup_add(&wg, FANOUT);
  for (int i = 0; i < FANOUT; i++) weft_go(task, &wg);
  weft_waitgroup_wait(&wg);
  return (double)(now_ns() - start) / FANOUT;
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  int rounds = (int)scaled(21);
  if (rounds % 2 == 0) rounds++;
  double *per_op = malloc(sizeof(double) * (size_t)rounds);
  if (!per_op) return 1;
  round_ns(); /* warm-up */
  for (int r = 0; r < rounds; r++) per_op[r] = round_ns();
  printf("BENCH sync_waitgroup_fanout10k %.2f ns/op\n", median(per_op, rounds));
  free(per_op);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
