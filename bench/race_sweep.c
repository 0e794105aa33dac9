/*
 * race_sweep.c - a memory-bound loop, to measure what the race detector
 * costs plain loads and stores.
 *
 * Workload (the Go twin, bench/go/race_sweep/main.go, does the same): two
 * goroutines each own a 32 MiB array of 64-bit words and sweep it SWEEPS
 * times, adding to every word (one load and one store per element). The
 * arrays are private, so the detector finds nothing; it only checks.
 *   race_sweep   wall time per element visited (ns/op)
 *
 * Built normally it measures the loop itself; built with -fsanitize=thread
 * and linked with libweft-race (the race flavour) it measures the
 * detector. With -DRACE_SWEEP_PTHREADS the same loop runs on two pthreads
 * instead of goroutines, which is how it is built for comparison against
 * the compiler's own ThreadSanitizer runtime (gcc -fsanitize=thread at
 * compile and link time): docs/race.md records the ratio.
 *
 * WEFT_BENCH_SCALE (default 1) multiplies SWEEPS.
 * Output: BENCH race_sweep <ns> ns/op
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef RACE_SWEEP_PTHREADS
#include <pthread.h>
#else
#include <weft.h>
#endif

#define WORDS ((size_t)32 * 1024 * 1024 / sizeof(uint64_t))
#define WORKERS 2

static long sweeps;
static _Atomic uint64_t checksum;

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

__attribute__((noinline)) static uint64_t sweep(uint64_t *a, size_t n, long times) {
  for (long t = 0; t < times; t++)
    for (size_t i = 0; i < n; i++) a[i] += i;
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 4096) sum += a[i];
  return sum;
}

static void work(void) {
  uint64_t *a = calloc(WORDS, sizeof *a);
  if (!a) abort();
  atomic_fetch_add(&checksum, sweep(a, WORDS, sweeps));
  free(a);
}

#ifdef RACE_SWEEP_PTHREADS
static void *thread_fn(void *arg) {
  (void)arg;
  work();
  return NULL;
}

static int64_t run(void) {
  pthread_t th[WORKERS];
  int64_t t0 = now_ns();
  for (int i = 0; i < WORKERS; i++) pthread_create(&th[i], NULL, thread_fn, NULL);
  for (int i = 0; i < WORKERS; i++) pthread_join(th[i], NULL);
  return now_ns() - t0;
}
#else
static atomic_int finished;

static void goroutine_fn(void *arg) {
  (void)arg;
  work();
  atomic_fetch_add(&finished, 1);
}

static int64_t run(void) {
  atomic_store(&finished, 0);
  int64_t t0 = now_ns();
  for (int i = 0; i < WORKERS; i++) weft_go(goroutine_fn, NULL);
  while (atomic_load(&finished) < WORKERS) weft_sleep(100 * 1000);
  return now_ns() - t0;
}
#endif

static int bench_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  sweeps = scaled(10);
  int64_t ns = run();
  double per = (double)ns / ((double)WORKERS * (double)WORDS * (double)sweeps);
  printf("BENCH race_sweep %.3f ns/op\n", per);
  return atomic_load(&checksum) == 0 ? 1 : 0;
}

#ifdef RACE_SWEEP_PTHREADS
int main(int argc, char **argv) { return bench_main(argc, argv); }
#else
int main(int argc, char **argv) { return weft_main(bench_main, argc, argv); }
#endif
