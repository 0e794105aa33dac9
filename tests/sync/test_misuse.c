/*
 * test_misuse.c - misuse of the sync primitives is loud, with Go's exact
 * words, and exits with status 2. Each case runs in a child process
 * (check_child); this process never starts the runtime itself, so every
 * child starts from a clean slate.
 *
 *   fatal error: sync: unlock of unlocked mutex        (also cond wait without the mutex)
 *   fatal error: sync: RUnlock of unlocked RWMutex
 *   fatal error: sync: Unlock of unlocked RWMutex
 *   panic: sync: negative WaitGroup counter
 *   panic: sync: WaitGroup is reused before previous Wait has returned
 *   panic: sync: WaitGroup misuse: Add called concurrently with Wait
 */
#include <stdatomic.h>

#include "sync_testing.h"

/* Runs `body` as the main goroutine of a child (or, with on_thread, on
 * the child's plain main thread) and checks the message and status. */
struct misuse {
  const char *name;
  void (*body)(void);
  const char *message;       /* the whole first line, newline included */
  bool on_thread;            /* run outside any goroutine */
  const char *const *env;
};

static void (*child_body)(void);
static int child_main(int argc, char **argv) {
  child_body();
  printf("misuse went unnoticed\n");
  return 0;
}
static void child(void *arg) {
  const struct misuse *m = arg;
  child_body = m->body;
  if (m->on_thread) {
    m->body();
    printf("misuse went unnoticed\n");
    exit(0);
  }
  exit(weft_main(child_main, 0, NULL));
}

static void expect(const struct misuse *m) {
  struct child_result r = check_child_env(child, (void *)m, m->env);
  if (r.status != 2 || !strstr(r.output, m->message))
    fprintf(stderr, "case %s:\n", m->name);
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output, m->message);
  CHECK(strstr(r.output, "misuse went unnoticed") == NULL);
  free(r.output);
}

/* ---- mutex ------------------------------------------------------------- */

static void unlock_zero_mutex(void) {
  weft_mutex m = {0};
  weft_mutex_unlock(&m);
}
static void unlock_twice(void) {
  weft_mutex m = {0};
  weft_mutex_lock(&m);
  weft_mutex_unlock(&m);
  weft_mutex_unlock(&m);
}
static void unlock_twice_out_of_line(void) {
  void (*unlock)(weft_mutex *) = weft_mutex_unlock;
  weft_mutex m = {0};
  weft_mutex_lock(&m);
  unlock(&m);
  unlock(&m);
}
/* Unlocking while others wait is legal; unlocking once too often while
 * they wait is still caught (the slow path sees the waiter bits). */
static weft_mutex busy;
static void busy_locker(void *arg) { weft_mutex_lock(&busy); }
static void unlock_twice_with_waiters(void) {
  weft_mutex_lock(&busy);
  weft_go(busy_locker, NULL);
  wait_parked(&busy.sema, 1);
  weft_mutex_unlock(&busy);       /* hands it to / wakes the waiter */
  weft_mutex_unlock(&busy);       /* the waiter may hold it by now: Go cannot tell either */
  weft_mutex_unlock(&busy);       /* but three unlocks for two locks is always wrong */
}

static void test_mutex_misuse(void) {
  const char *msg = "fatal error: sync: unlock of unlocked mutex\n";
  expect(&(struct misuse){"unlock zero mutex", unlock_zero_mutex, msg, false, NULL});
  expect(&(struct misuse){"unlock zero mutex on a thread", unlock_zero_mutex, msg, true, NULL});
  expect(&(struct misuse){"unlock twice", unlock_twice, msg, false, NULL});
  expect(&(struct misuse){"unlock twice out of line", unlock_twice_out_of_line, msg, false, NULL});
  expect(&(struct misuse){"unlock twice with waiters", unlock_twice_with_waiters, msg, false, NULL});
}

/* ---- rwmutex ----------------------------------------------------------- */

static void runlock_zero(void) {
  weft_rwmutex rw = {0};
  weft_rwmutex_runlock(&rw);
}
static void runlock_write_locked(void) {
  weft_rwmutex rw = {0};
  weft_rwmutex_lock(&rw);
  weft_rwmutex_runlock(&rw);
}
static void runlock_twice(void) {
  weft_rwmutex rw = {0};
  weft_rwmutex_rlock(&rw);
  weft_rwmutex_runlock(&rw);
  weft_rwmutex_runlock(&rw);
}
static void unlock_zero_rw(void) {
  weft_rwmutex rw = {0};
  weft_rwmutex_unlock(&rw);
}
static void unlock_read_locked(void) {
  weft_rwmutex rw = {0};
  weft_rwmutex_rlock(&rw);
  weft_rwmutex_unlock(&rw);
}
static void unlock_rw_twice(void) {
  weft_rwmutex rw = {0};
  weft_rwmutex_lock(&rw);
  weft_rwmutex_unlock(&rw);
  weft_rwmutex_unlock(&rw);
}

static void test_rwmutex_misuse(void) {
  const char *r = "fatal error: sync: RUnlock of unlocked RWMutex\n";
  const char *w = "fatal error: sync: Unlock of unlocked RWMutex\n";
  expect(&(struct misuse){"runlock zero", runlock_zero, r, false, NULL});
  expect(&(struct misuse){"runlock zero on a thread", runlock_zero, r, true, NULL});
  expect(&(struct misuse){"runlock write-locked", runlock_write_locked, r, false, NULL});
  expect(&(struct misuse){"runlock twice", runlock_twice, r, false, NULL});
  expect(&(struct misuse){"unlock zero rwmutex", unlock_zero_rw, w, false, NULL});
  expect(&(struct misuse){"unlock read-locked", unlock_read_locked, w, false, NULL});
  expect(&(struct misuse){"unlock rwmutex twice", unlock_rw_twice, w, false, NULL});
}

/* ---- cond -------------------------------------------------------------- */

static weft_mutex cond_mu;
static weft_cond cond = WEFT_COND_INIT(&cond_mu);
static void wait_without_mutex(void) { weft_cond_wait(&cond); }
static void wait_after_unlock(void) {
  weft_mutex_lock(&cond_mu);
  weft_mutex_unlock(&cond_mu);
  weft_cond_wait(&cond);
}
static void wait_on_zero_cond(void) {
  weft_cond c = {0};
  weft_cond_wait(&c);
}

static void test_cond_misuse(void) {
  const char *msg = "fatal error: sync: unlock of unlocked mutex\n";
  expect(&(struct misuse){"cond wait without mutex", wait_without_mutex, msg, false, NULL});
  expect(&(struct misuse){"cond wait without mutex on a thread", wait_without_mutex, msg, true, NULL});
  expect(&(struct misuse){"cond wait after unlock", wait_after_unlock, msg, false, NULL});
  expect(&(struct misuse){"wait on zero cond", wait_on_zero_cond,
                          "panic: sync: weft_cond_wait on a weft_cond without a mutex "
                          "(initialise it with WEFT_COND_INIT(&mutex))\n",
                          false, NULL});
}

/* ---- waitgroup --------------------------------------------------------- */

static void negative_add(void) {
  weft_waitgroup wg = {0};
  weft_waitgroup_add(&wg, -1);
}
static void done_too_often(void) {
  weft_waitgroup wg = {0};
  weft_waitgroup_add(&wg, 2);
  weft_waitgroup_done(&wg);
  weft_waitgroup_done(&wg);
  weft_waitgroup_done(&wg);
}

/*
 * Reuse before Wait returned, made deterministic on one worker
 * (WEFT_PROCS=1, cooperative): the waiter parks; done releases it (it is
 * now runnable but cannot run until we block); we start a new round with
 * add before it has returned from wait, then block so it runs.
 */
static weft_waitgroup reused;
static atomic_bool waiter_started;
static void reuse_waiter(void *arg) {
  atomic_store(&waiter_started, true);
  weft_waitgroup_wait(&reused);
}
static void reuse_before_wait_returned(void) {
  weft_waitgroup_add(&reused, 1);
  weft_go(reuse_waiter, NULL);
  wait_parked(&reused.sema, 1);
  weft_waitgroup_done(&reused);        /* releases the waiter ... */
  weft_waitgroup_add(&reused, 1);      /* ... which has not returned yet */
  weft_waitgroup_wait(&reused);        /* block: the waiter runs and notices */
}

/*
 * Add racing Wait. The interleaving Go detects is transient (a wait has
 * counted itself in while the counter was zero, i.e. between the last done
 * and the wake-up). We construct exactly that state, as the race would
 * leave it, and make the positive add that Go reports.
 */
static void add_concurrently_with_wait(void) {
  weft_waitgroup wg = {0};
  weft_waitgroup_wait(&wg);                            /* first use */
  __atomic_store_n(&wg.state, (uint64_t)1, __ATOMIC_RELAXED);   /* counter 0, 1 waiter */
  weft_waitgroup_add(&wg, 1);
}

static void test_waitgroup_misuse(void) {
  const char *neg = "panic: sync: negative WaitGroup counter\n";
  static const char *const one_worker[] = {"WEFT_PROCS=1", NULL};
  expect(&(struct misuse){"negative add", negative_add, neg, false, NULL});
  expect(&(struct misuse){"negative add on a thread", negative_add, neg, true, NULL});
  expect(&(struct misuse){"done too often", done_too_often, neg, false, NULL});
  expect(&(struct misuse){"reused before wait returned", reuse_before_wait_returned,
                          "panic: sync: WaitGroup is reused before previous Wait has returned\n",
                          false, one_worker});
  expect(&(struct misuse){"add concurrently with wait", add_concurrently_with_wait,
                          "panic: sync: WaitGroup misuse: Add called concurrently with Wait\n",
                          false, NULL});
}

int main(void) {
  RUN(test_mutex_misuse);
  RUN(test_rwmutex_misuse);
  RUN(test_cond_misuse);
  RUN(test_waitgroup_misuse);
  return check_done();
}
