/*
 * sync_counter.c - the seed's shared counter under contention: a
 * weft_mutex-protected counter against a C11 atomic one.
 *
 * Workload (the Go twin, bench/go/sync_counter/main.go, does the same with
 * sync.Mutex and sync/atomic): 1000 goroutines each increment one shared
 * counter K = 1000 times (1M increments in all); the main goroutine waits
 * on a waitgroup and checks the total.
 *   sync_counter_mutex   lock; n++; unlock
 *   sync_counter_atomic  atomic_fetch_add(&n, 1)
 * Wall time divided by the 1M increments.
 *
 * Rounds: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies K.
 *
 * Output: BENCH sync_counter_mutex <ns> ns/op
 *         BENCH sync_counter_atomic <ns> ns/op
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 5
#define GOROUTINES 1000

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

static long per_goroutine;
static weft_mutex mu;
static long mutex_count;
static atomic_long atomic_count;

static void mutex_incrementer(void *arg) {
  for (long i = 0; i < per_goroutine; i++) {
    weft_mutex_lock(&mu);
    mutex_count++;
    weft_mutex_unlock(&mu);
  }
  weft_waitgroup_done(arg);
}

static void atomic_incrementer(void *arg) {
  for (long i = 0; i < per_goroutine; i++) atomic_fetch_add(&atomic_count, 1);
  weft_waitgroup_done(arg);
}

static double round_ns(void (*fn)(void *), long (*total)(void)) {
  weft_waitgroup wg = {0};
  long before = total();
  int64_t start = now_ns();
  weft_waitgroup_add(&wg, GOROUTINES);
  for (int i = 0; i < GOROUTINES; i++) weft_go(fn, &wg);
  weft_waitgroup_wait(&wg);
  double ns = (double)(now_ns() - start) / (double)(GOROUTINES * per_goroutine);
  if (total() - before != GOROUTINES * per_goroutine) {
    fprintf(stderr, "sync_counter: lost updates\n");
    exit(1);
  }
  return ns;
}

static long mutex_total(void) {
  weft_mutex_lock(&mu);
  long n = mutex_count;
  weft_mutex_unlock(&mu);
  return n;
}
static long atomic_total(void) { return atomic_load(&atomic_count); }

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  per_goroutine = scaled(1000);
  double per_op[ROUNDS];

  round_ns(mutex_incrementer, mutex_total); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = round_ns(mutex_incrementer, mutex_total);
  printf("BENCH sync_counter_mutex %.2f ns/op\n", median(per_op, ROUNDS));

  round_ns(atomic_incrementer, atomic_total); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = round_ns(atomic_incrementer, atomic_total);
  printf("BENCH sync_counter_atomic %.2f ns/op\n", median(per_op, ROUNDS));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
