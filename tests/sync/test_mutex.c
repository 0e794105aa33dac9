/*
 * test_mutex.c - weft_mutex behaviour users rely on:
 *   - the zero value is an unlocked mutex; trylock reflects the state;
 *   - mutual exclusion among goroutines and plain threads in any mix;
 *   - a mutex may be unlocked by another goroutine or thread than its locker;
 *   - a waiter cannot starve behind a locker that keeps re-taking the mutex
 *     (starvation mode): proved deterministically on one worker, where
 *     without the hand-off the waiter could never win, and exercised with
 *     goroutines and threads on either side;
 *   - a parked locker records "sync.Mutex.Lock" and the mutex, and the
 *     holder record names the goroutine holding it;
 *   - the out-of-line functions (taken by address) behave like the inline
 *     fast paths.
 */
#include <stdatomic.h>

#include "sync_testing.h"

static void test_zero_value_unlocked(void) {
  weft_mutex m = {0};
  CHECK(weft_mutex_trylock(&m));
  CHECK(!weft_mutex_trylock(&m));
  weft_mutex_unlock(&m);
  weft_mutex_lock(&m);
  CHECK(!weft_mutex_trylock(&m));
  weft_mutex_unlock(&m);
  CHECK(weft_mutex_trylock(&m));
  weft_mutex_unlock(&m);
  CHECK_EQ(m.state, 0);
}

/* ---- mutual exclusion -------------------------------------------------- */

struct exclusion {
  weft_mutex mu;
  long counter;             /* plain: protected by mu */
  atomic_int inside;        /* callers inside the critical section */
  atomic_int overlaps;      /* times two were inside at once */
  long iterations;
  weft_waitgroup wg;
};

static void exclusion_body(struct exclusion *x) {
  for (long i = 0; i < x->iterations; i++) {
    if (i % 7 == 0) {
      while (!weft_mutex_trylock(&x->mu)) weft_yield();
    } else {
      weft_mutex_lock(&x->mu);
    }
    if (atomic_fetch_add(&x->inside, 1) != 0) atomic_fetch_add(&x->overlaps, 1);
    x->counter++;
    if (i % 64 == 0) weft_yield();     /* sometimes hold it across a switch */
    atomic_fetch_sub(&x->inside, 1);
    weft_mutex_unlock(&x->mu);
  }
}
static void exclusion_goroutine(void *arg) { exclusion_body(arg); }
static void *exclusion_thread(void *arg) {
  exclusion_body(arg);
  return NULL;
}

static void test_mutual_exclusion_goroutines_and_threads(void) {
  static struct exclusion x;
  x.iterations = scaled(20000);
  enum { GOROUTINES = 16, THREADS = 3 };
  for (int i = 0; i < GOROUTINES; i++) weft_waitgroup_go(&x.wg, exclusion_goroutine, &x);
  for (int i = 0; i < THREADS; i++) thread_go(&x.wg, exclusion_thread, &x);
  weft_waitgroup_wait(&x.wg);
  weft_mutex_lock(&x.mu);
  CHECK_EQ(x.counter, (GOROUTINES + THREADS) * x.iterations);
  weft_mutex_unlock(&x.mu);
  CHECK_EQ(atomic_load(&x.overlaps), 0);
}

/* ---- unlock by someone else -------------------------------------------- */

static weft_mutex handed_mu;
static void unlock_other(void *arg) { weft_mutex_unlock(&handed_mu); }
static void *unlock_thread(void *arg) {
  weft_mutex_unlock(&handed_mu);
  return NULL;
}

static void test_unlock_by_other_goroutine_or_thread(void) {
  weft_waitgroup wg = {0};
  weft_mutex_lock(&handed_mu);
  weft_waitgroup_go(&wg, unlock_other, NULL);
  weft_waitgroup_wait(&wg);
  CHECK(weft_mutex_trylock(&handed_mu));   /* the goroutine unlocked it */
  thread_go(&wg, unlock_thread, NULL);
  weft_waitgroup_wait(&wg);
  CHECK(weft_mutex_trylock(&handed_mu));   /* the thread unlocked it */
  weft_mutex_unlock(&handed_mu);
}

/* ---- starvation -------------------------------------------------------- */

/*
 * Go's TestMutexFairness: one caller keeps the mutex almost all the time
 * (holds it across a 100 us sleep, unlocks, re-locks at once); another
 * needs it 10 times. Without starvation mode the re-locker, already
 * running, wins practically every race against the woken waiter. The
 * bound (10 s) only turns "never" into a failure; a healthy run takes a
 * few milliseconds.
 */
struct fairness {
  weft_mutex mu;
  atomic_bool stop;
  atomic_bool victim_done;
  atomic_long hog_rounds;
};

static void hog_body(struct fairness *f) {
  while (!atomic_load(&f->stop)) {
    weft_mutex_lock(&f->mu);
    weft_sleep(100 * WEFT_MICROSECOND);
    weft_mutex_unlock(&f->mu);
    atomic_fetch_add(&f->hog_rounds, 1);
  }
}
static void hog_goroutine(void *arg) { hog_body(arg); }
static void *hog_thread(void *arg) {
  hog_body(arg);
  return NULL;
}

static void victim_body(struct fairness *f) {
  for (int i = 0; i < 10; i++) {
    weft_sleep(100 * WEFT_MICROSECOND);
    weft_mutex_lock(&f->mu);
    weft_mutex_unlock(&f->mu);
  }
  atomic_store(&f->victim_done, true);
}
static void victim_goroutine(void *arg) { victim_body(arg); }
static void *victim_thread(void *arg) {
  victim_body(arg);
  return NULL;
}

static void run_fairness(bool hog_is_thread, bool victim_is_thread) {
  static struct fairness f;
  memset(&f, 0, sizeof f);
  weft_waitgroup wg = {0};
  if (hog_is_thread) thread_go(&wg, hog_thread, &f);
  else weft_waitgroup_go(&wg, hog_goroutine, &f);
  while (atomic_load(&f.hog_rounds) == 0) nap();   /* the hog is going */
  if (victim_is_thread) thread_go(&wg, victim_thread, &f);
  else weft_waitgroup_go(&wg, victim_goroutine, &f);
  int64_t deadline = mono_ns() + 10 * (int64_t)1000000000;
  while (!atomic_load(&f.victim_done) && mono_ns() < deadline) weft_sleep(WEFT_MILLISECOND);
  CHECK(atomic_load(&f.victim_done));
  atomic_store(&f.stop, true);
  weft_waitgroup_wait(&wg);
}

static void test_no_starvation_goroutines(void) { run_fairness(false, false); }
static void test_no_starvation_thread_hog(void) { run_fairness(true, false); }
static void test_no_starvation_thread_victim(void) { run_fairness(false, true); }

/*
 * One worker (WEFT_PROCS=1, in a child process): scheduling is cooperative
 * and the hog re-locks in the same run slice in which it unlocked, so in
 * normal mode the woken victim always finds the mutex taken again when it
 * finally runs. Only starvation mode (hand-off to the waiter that has
 * waited > 1 ms) lets it through. Exit status 0: the victim got the mutex
 * 10 times; 1: it starved for 10 s.
 */
static int one_worker_fairness(int argc, char **argv) {
  static struct fairness f;
  weft_waitgroup wg = {0};
  weft_waitgroup_go(&wg, hog_goroutine, &f);
  weft_waitgroup_go(&wg, victim_goroutine, &f);
  int64_t deadline = mono_ns() + 10 * (int64_t)1000000000;
  while (!atomic_load(&f.victim_done) && mono_ns() < deadline) weft_sleep(WEFT_MILLISECOND);
  bool ok = atomic_load(&f.victim_done);
  atomic_store(&f.stop, true);
  weft_waitgroup_wait(&wg);
  if (!ok) printf("victim starved: %ld hog rounds\n", atomic_load(&f.hog_rounds));
  return ok ? 0 : 1;
}
static void one_worker_fairness_child(void *arg) { exit(weft_main(one_worker_fairness, 0, NULL)); }
static void test_no_starvation_one_worker(void) {
  static const char *const env[] = {"WEFT_PROCS=1", NULL};
  struct child_result r = check_child_env(one_worker_fairness_child, NULL, env);
  CHECK_EQ(r.status, 0);
  if (r.status != 0) fprintf(stderr, "%s", r.output);
  free(r.output);
}

/* Many waiters queued behind a slow holder all get through, FIFO-ish,
 * while newcomers keep arriving (exercises the hand-off bookkeeping). */
struct handoff {
  weft_mutex mu;
  long counter;
  long rounds;
};
static void handoff_worker(void *arg) {
  struct handoff *h = arg;
  for (long i = 0; i < h->rounds; i++) {
    weft_mutex_lock(&h->mu);
    h->counter++;
    if (i % 16 == 0) weft_sleep(20 * WEFT_MICROSECOND);  /* slow holder: waiters pile up */
    weft_mutex_unlock(&h->mu);
  }
}
static void test_starvation_mode_handoff_accounting(void) {
  static struct handoff h;
  h.rounds = scaled(200);
  weft_waitgroup wg = {0};
  enum { N = 32 };
  for (int i = 0; i < N; i++) weft_waitgroup_go(&wg, handoff_worker, &h);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(h.counter, N * h.rounds);
  /* Everyone left: no waiters counted, not locked, not starving. */
  CHECK_EQ(__atomic_load_n(&h.mu.state, __ATOMIC_RELAXED), 0);
}

/* ---- wait reasons and holder ------------------------------------------ */

static weft_mutex reason_mu;
static void lock_unlock(void *arg) {
  weft_mutex_lock(&reason_mu);
  weft_mutex_unlock(&reason_mu);
}
static void *lock_unlock_thread(void *arg) {
  lock_unlock(arg);
  return NULL;
}

static void test_wait_reason_and_holder(void) {
  weft_waitgroup wg = {0};
  weft_mutex_lock(&reason_mu);                  /* held by the main goroutine */
  weft_waitgroup_go(&wg, lock_unlock, NULL);
  struct parked p = wait_parked(&reason_mu.sema, 1);
  CHECK(p.found);
  CHECK_EQ(p.reason, WAIT_MUTEX_LOCK);
  CHECK(p.obj == &reason_mu);
  CHECK(!p.foreign);
  CHECK(p.holder_known);
  CHECK_EQ(p.holder, weft_self());
  CHECK(strcmp(wait_reason_name(p.reason), "sync.Mutex.Lock") == 0);

  thread_go(&wg, lock_unlock_thread, NULL);               /* a foreign waiter */
  p = wait_parked(&reason_mu.sema, 2);
  CHECK_EQ(p.count, 2);
  weft_mutex_unlock(&reason_mu);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(reason_mu.state, 0);
}

static void test_foreign_waiter_records_reason(void) {
  weft_waitgroup wg = {0};
  weft_mutex_lock(&reason_mu);
  thread_go(&wg, lock_unlock_thread, NULL);
  struct parked p = wait_parked(&reason_mu.sema, 1);
  CHECK(p.found);
  CHECK(p.foreign);
  CHECK_EQ(p.reason, WAIT_MUTEX_LOCK);
  CHECK(p.obj == &reason_mu);
  weft_mutex_unlock(&reason_mu);
  weft_waitgroup_wait(&wg);
}

/* ---- out-of-line entry points ------------------------------------------ */

static void test_out_of_line_functions(void) {
  void (*lock)(weft_mutex *) = weft_mutex_lock;
  void (*unlock)(weft_mutex *) = weft_mutex_unlock;
  bool (*trylock)(weft_mutex *) = weft_mutex_trylock;
  weft_mutex m = {0};
  lock(&m);
  CHECK(!trylock(&m));
  unlock(&m);
  weft_mutex_lock(&m);        /* inline and out-of-line mix on one mutex */
  unlock(&m);
  lock(&m);
  weft_mutex_unlock(&m);
  CHECK_EQ(m.state, 0);
  CHECK(m.self == (uintptr_t)&m);
}

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_zero_value_unlocked);
  RUN(test_mutual_exclusion_goroutines_and_threads);
  RUN(test_unlock_by_other_goroutine_or_thread);
  RUN(test_no_starvation_goroutines);
  RUN(test_no_starvation_thread_hog);
  RUN(test_no_starvation_thread_victim);
  RUN(test_starvation_mode_handoff_accounting);
  RUN(test_wait_reason_and_holder);
  RUN(test_foreign_waiter_records_reason);
  RUN(test_out_of_line_functions);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) {
  RUN(test_no_starvation_one_worker);   /* forks: before this process starts the runtime */
  return weft_main(app, argc, argv);
}
