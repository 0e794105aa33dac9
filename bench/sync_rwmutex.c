/*
 * sync_rwmutex.c - weft_rwmutex under a read-mostly load.
 *
 * Workload (the Go twin, bench/go/sync_rwmutex/main.go, does the same with
 * sync.RWMutex): 8 goroutines share one rwmutex guarding a 16-word table;
 * each performs N/8 operations, where every 10th is a write (lock, bump
 * every word, unlock) and the other nine are reads (rlock, sum the words,
 * runlock). Wall time divided by all N = 2M operations.
 *
 * Rounds: one warm-up round, then the median of ROUNDS timed rounds.
 * WEFT_BENCH_SCALE (default 1) multiplies N.
 *
 * Output: BENCH sync_rwmutex_read90 <ns> ns/op
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 5
#define WORKERS 8

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

static weft_rwmutex rw;
static long table[16];
static long per_worker;
static _Atomic long sink;   /* every worker stores its sum: atomic, or -race reports it */

static void worker(void *arg) {
  long local = 0;
  for (long i = 0; i < per_worker; i++) {
    if (i % 10 == 0) {
      weft_rwmutex_lock(&rw);
      for (int k = 0; k < 16; k++) table[k]++;
      weft_rwmutex_unlock(&rw);
    } else {
      weft_rwmutex_rlock(&rw);
      for (int k = 0; k < 16; k++) local += table[k];
      weft_rwmutex_runlock(&rw);
    }
  }
  atomic_store_explicit(&sink, local, memory_order_relaxed);
  weft_waitgroup_done(arg);
}

static double round_ns(void) {
  weft_waitgroup wg = {0};
  int64_t start = now_ns();
  weft_waitgroup_add(&wg, WORKERS);
  for (int i = 0; i < WORKERS; i++) weft_go(worker, &wg);
  weft_waitgroup_wait(&wg);
  return (double)(now_ns() - start) / (double)(WORKERS * per_worker);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  per_worker = scaled(2000000) / WORKERS + 1;
  double per_op[ROUNDS];
  round_ns(); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) per_op[r] = round_ns();
  printf("BENCH sync_rwmutex_read90 %.2f ns/op\n", median(per_op, ROUNDS));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
