/*
 * test_stress.c - every sync primitive at once, at random, from many
 * goroutines and a few plain threads, for a bounded time (2 s times
 * WEFT_TEST_SCALE; CI runs it under ASan and TSan with a lower scale).
 *
 * Each worker repeatedly picks one of: mutex lock/trylock around a plain
 * counter; rwmutex read (checking an 8-word record is consistent) or write
 * (rewriting it) including the try variants; cond producer/consumer on a
 * small token pool (producing is likelier but capped, so consumers do
 * wait, yet a pile of blocked consumers cannot starve the pool); a waitgroup fan-out of 1-4 goroutines; one of 16 onces;
 * a yield or a short sleep. Afterwards the invariants must hold:
 *   - the mutex counter equals the number of successful increments;
 *   - no reader ever saw a torn record or a writer inside, no writer saw
 *     anyone else inside;
 *   - tokens produced == consumed + left over;
 *   - each once ran its function at most once;
 *   - every primitive is back to its idle state.
 */
#include <stdatomic.h>

#include "sync_testing.h"

enum { ONCES = 16, THREADS = 3 };

static struct world {
  weft_mutex mu;
  long counter;                    /* mu */
  atomic_long increments;

  weft_rwmutex rw;
  long record[8];                  /* rw */
  atomic_int readers_in, writers_in;

  weft_mutex qmu;
  weft_cond qcond;
  long tokens, produced, consumed; /* qmu */
  long cond_waits;                 /* qmu */
  bool stop;                       /* qmu */

  weft_once onces[ONCES];
  atomic_int once_runs[ONCES];

  atomic_int violations;
  atomic_long ops;
  int64_t deadline;
} w;

static void violation(const char *what) {
  if (atomic_fetch_add(&w.violations, 1) < 5) fprintf(stderr, "violation: %s\n", what);
}

static void mutex_increment(void) {
  weft_mutex_lock(&w.mu);
  w.counter++;
  weft_mutex_unlock(&w.mu);
  atomic_fetch_add(&w.increments, 1);
}
static void fanout_child(void *arg) { mutex_increment(); }

static void once_fn(void *arg) { atomic_fetch_add((atomic_int *)arg, 1); }

static void read_record(uint64_t *seed) {
  atomic_fetch_add(&w.readers_in, 1);
  if (atomic_load(&w.writers_in) != 0) violation("reader saw a writer inside");
  for (int k = 1; k < 8; k++)
    if (w.record[k] != w.record[0]) violation("torn record");
  if (rng_next(seed) % 8 == 0) weft_yield();
  atomic_fetch_sub(&w.readers_in, 1);
}
static void write_record(uint64_t *seed) {
  if (atomic_fetch_add(&w.writers_in, 1) != 0) violation("two writers inside");
  if (atomic_load(&w.readers_in) != 0) violation("writer saw a reader inside");
  long v = w.record[0] + 1;
  for (int k = 0; k < 8; k++) w.record[k] = v;
  if (rng_next(seed) % 8 == 0) weft_yield();
  atomic_fetch_sub(&w.writers_in, 1);
}

static void worker(uint64_t seed) {
  while (mono_ns() < w.deadline) {
    atomic_fetch_add(&w.ops, 1);
    switch (rng_next(&seed) % 13) {
    case 0:
      mutex_increment();
      break;
    case 1:
      if (weft_mutex_trylock(&w.mu)) {
        w.counter++;
        weft_mutex_unlock(&w.mu);
        atomic_fetch_add(&w.increments, 1);
      }
      break;
    case 2:
    case 3:
      weft_rwmutex_rlock(&w.rw);
      read_record(&seed);
      weft_rwmutex_runlock(&w.rw);
      break;
    case 4:
      weft_rwmutex_lock(&w.rw);
      write_record(&seed);
      weft_rwmutex_unlock(&w.rw);
      break;
    case 5:
      if (rng_next(&seed) & 1) {
        if (weft_rwmutex_tryrlock(&w.rw)) {
          read_record(&seed);
          weft_rwmutex_runlock(&w.rw);
        }
      } else if (weft_rwmutex_trylock(&w.rw)) {
        write_record(&seed);
        weft_rwmutex_unlock(&w.rw);
      }
      break;
    case 6:                          /* produce (twice as likely as consume, */
    case 12:                         /* capped: consumers still find it empty) */
      weft_mutex_lock(&w.qmu);
      if (w.tokens < 4) {
        w.tokens++;
        w.produced++;
      }
      if (rng_next(&seed) % 4 == 0) weft_cond_broadcast(&w.qcond);
      else weft_cond_signal(&w.qcond);
      weft_mutex_unlock(&w.qmu);
      break;
    case 7:                          /* consume */
      weft_mutex_lock(&w.qmu);
      while (w.tokens == 0 && !w.stop) {
        w.cond_waits++;
        weft_cond_wait(&w.qcond);
      }
      if (w.tokens > 0) {
        w.tokens--;
        w.consumed++;
      }
      weft_mutex_unlock(&w.qmu);
      break;
    case 8: {                        /* waitgroup fan-out / fan-in */
      weft_waitgroup wg = {0};
      int n = 1 + (int)(rng_next(&seed) % 4);
      for (int i = 0; i < n; i++) weft_waitgroup_go(&wg, fanout_child, NULL);
      weft_waitgroup_wait(&wg);
      break;
    }
    case 9:
    case 10: {
      int i = (int)(rng_next(&seed) % ONCES);
      weft_once_do(&w.onces[i], once_fn, &w.once_runs[i]);
      break;
    }
    default:
      if (rng_next(&seed) & 1) weft_yield();
      else weft_sleep(10 * WEFT_MICROSECOND);
      break;
    }
  }
}

static atomic_uint_fast64_t next_seed = 0x2545f4914f6cdd1du;
static uint64_t take_seed(void) { return atomic_fetch_add(&next_seed, 0x9e3779b97f4a7c15u) | 1; }
static void worker_goroutine(void *arg) { worker(take_seed()); }
static void *worker_thread(void *arg) {
  worker(take_seed());
  return NULL;
}

static void test_stress_all_primitives(void) {
  w.qcond = (weft_cond)WEFT_COND_INIT(&w.qmu);
  int64_t duration = (int64_t)(2e9 * test_scale());
  if (duration > 10 * (int64_t)1000000000) duration = 10 * (int64_t)1000000000;
  w.deadline = mono_ns() + duration;
  long goroutines = scaled(64);
  weft_waitgroup wg = {0};
  for (long i = 0; i < goroutines; i++) weft_waitgroup_go(&wg, worker_goroutine, NULL);
  for (int i = 0; i < THREADS; i++) thread_go(&wg, worker_thread, NULL);

  while (mono_ns() < w.deadline) weft_sleep(10 * WEFT_MILLISECOND);
  weft_mutex_lock(&w.qmu);            /* release consumers still waiting */
  w.stop = true;
  weft_cond_broadcast(&w.qcond);
  weft_mutex_unlock(&w.qmu);
  weft_waitgroup_wait(&wg);

  fprintf(stderr,
          "  %ld ops by %ld goroutines and %d threads; %ld increments, %ld tokens, %ld cond waits\n",
          atomic_load(&w.ops), goroutines, THREADS, atomic_load(&w.increments), w.produced,
          w.cond_waits);
  CHECK_EQ(atomic_load(&w.violations), 0);
  CHECK_EQ(w.counter, atomic_load(&w.increments));
  CHECK_EQ(w.produced, w.consumed + w.tokens);
  for (int i = 0; i < ONCES; i++) CHECK(atomic_load(&w.once_runs[i]) <= 1);
  CHECK_EQ(w.mu.state, 0);
  CHECK_EQ(w.qmu.state, 0);
  CHECK_EQ(w.rw.readers, 0);
  CHECK_EQ(w.rw.writer.state, 0);
  CHECK(w.mu.sema.head == NULL && w.rw.reader_sem.head == NULL && w.rw.writer_sem.head == NULL);
  CHECK(w.qcond.head == NULL);
}

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_stress_all_primitives);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
