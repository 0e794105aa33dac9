/*
 * runtime_sleep.c - sleep and wake-up under 100k pending timers.
 *
 * Workload (the Go twin, bench/go/runtime_sleep/main.go, does the same with
 * time.Sleep): the main goroutine spawns G = 100k goroutines; each sleeps
 * SLEEPS (5) times for a pseudo-random duration in [0, 2 ms) (microsecond
 * steps, xorshift seeded by the goroutine's index, so both twins sleep the
 * very same durations), while the main goroutine waits for all of them on
 * a waitgroup.
 * So about 100k timers are pending at any moment, and the timer structure,
 * the wake-up path and the run queues all work under that load.
 *
 * Figures (each the median of ROUNDS rounds after a warm-up round):
 *   runtime_sleep_wake   wall time of a round / (G * SLEEPS), ns/op: what
 *                        one sleep + wake costs the machine (spawn and exit
 *                        of the G goroutines included), since the sleeping
 *                        itself overlaps;
 *   runtime_sleep_total  wall time of a round, ms (no run can beat ~2 ms x
 *                        SLEEPS, the longest chain of sleeps);
 *   runtime_sleep_late   mean lateness of a wake-up (time slept minus time
 *                        asked), us: a timer that degrades under load shows
 *                        up here first.
 * WEFT_BENCH_SCALE (default 1) multiplies G.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>
#include <weft/sync.h>

#define ROUNDS 3
#define SLEEPS 5
#define MAX_SLEEP_US 2000

static long goroutines;      /* G: set before the first round */
static atomic_llong late_ns; /* total lateness of this round's wake-ups */
static weft_waitgroup done;  /* joins a round's sleepers */

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

/* xorshift64; the twin uses the same generator and seeds. */
static uint64_t next_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

static void sleeper(void *arg) {
  uint64_t rng = ((uint64_t)(uintptr_t)arg + 1) * 0x9E3779B97F4A7C15ULL;
  int64_t late = 0;
  for (int i = 0; i < SLEEPS; i++) {
    weft_duration d = (weft_duration)((next_random(&rng) >> 33) % MAX_SLEEP_US) * WEFT_MICROSECOND;
    int64_t t0 = now_ns();
    weft_sleep(d);
    late += now_ns() - t0 - d;
  }
  atomic_fetch_add_explicit(&late_ns, late, memory_order_relaxed);
  weft_waitgroup_done(&done);
}

/* One round; stores the wall time (ns) and the mean lateness (ns). */
static void sleep_round(double *wall, double *late) {
  atomic_store(&late_ns, 0);
  int64_t start = now_ns();
  for (long i = 0; i < goroutines; i++) {
    weft_waitgroup_add(&done, 1);
    weft_go(sleeper, (void *)(uintptr_t)i);
  }
  weft_waitgroup_wait(&done);
  *wall = (double)(now_ns() - start);
  *late = (double)atomic_load(&late_ns) / (double)(goroutines * SLEEPS);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  goroutines = scaled(100000);
  double wall[ROUNDS], late[ROUNDS], ignored_wall, ignored_late;
  sleep_round(&ignored_wall, &ignored_late); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) sleep_round(&wall[r], &late[r]);
  double w = median(wall, ROUNDS);
  printf("BENCH runtime_sleep_wake %.1f ns/op\n", w / (double)(goroutines * SLEEPS));
  printf("BENCH runtime_sleep_total %.1f ms\n", w / 1e6);
  printf("BENCH runtime_sleep_late %.1f us\n", median(late, ROUNDS) / 1e3);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
