/*
 * test_rwmutex.c - weft_rwmutex behaviour users rely on:
 *   - zero value unlocked; many readers at once; trylock/tryrlock;
 *   - readers and writers exclude each other (goroutines and threads);
 *   - writer preference: a waiting writer blocks new readers, and gets the
 *     lock before them;
 *   - recursive read locking with a writer waiting deadlocks, exactly as in
 *     Go (the documented behaviour), and the deadlock detector says so;
 *   - wait reasons "sync.RWMutex.RLock" / "sync.RWMutex.Lock" with the
 *     rwmutex as wait object, and the writer as holder for blocked readers;
 *   - the out-of-line functions behave like the inline fast paths.
 */
#include <stdatomic.h>

#include "sync_testing.h"

static void test_zero_value_and_try(void) {
  weft_rwmutex rw = {0};
  CHECK(weft_rwmutex_tryrlock(&rw));
  CHECK(weft_rwmutex_tryrlock(&rw));          /* readers share */
  CHECK(!weft_rwmutex_trylock(&rw));          /* but exclude a writer */
  weft_rwmutex_runlock(&rw);
  weft_rwmutex_runlock(&rw);
  CHECK(weft_rwmutex_trylock(&rw));
  CHECK(!weft_rwmutex_tryrlock(&rw));         /* a writer excludes readers */
  CHECK(!weft_rwmutex_trylock(&rw));
  weft_rwmutex_unlock(&rw);
  weft_rwmutex_rlock(&rw);
  weft_rwmutex_rlock(&rw);
  weft_rwmutex_runlock(&rw);
  weft_rwmutex_runlock(&rw);
  weft_rwmutex_lock(&rw);
  weft_rwmutex_unlock(&rw);
  CHECK_EQ(rw.readers, 0);
  CHECK_EQ(rw.writer.state, 0);
}

/* ---- exclusion --------------------------------------------------------- */

struct shared {
  weft_rwmutex rw;
  atomic_int readers_in, writers_in;
  atomic_int violations;
  long data[8];              /* writers set all equal; readers check */
  long writes;
  long iterations;
  weft_waitgroup wg;
};

static void shared_body(struct shared *s, uint64_t seed) {
  for (long i = 0; i < s->iterations; i++) {
    unsigned op = (unsigned)(rng_next(&seed) % 10);
    if (op == 0) {
      if (seed & 16) {
        if (!weft_rwmutex_trylock(&s->rw)) continue;
      } else {
        weft_rwmutex_lock(&s->rw);
      }
      if (atomic_fetch_add(&s->writers_in, 1) != 0 || atomic_load(&s->readers_in) != 0)
        atomic_fetch_add(&s->violations, 1);
      s->writes++;
      for (int k = 0; k < 8; k++) s->data[k] = s->writes;
      if (seed & 32) weft_yield();
      atomic_fetch_sub(&s->writers_in, 1);
      weft_rwmutex_unlock(&s->rw);
    } else {
      if (op == 1) {
        if (!weft_rwmutex_tryrlock(&s->rw)) continue;
      } else {
        weft_rwmutex_rlock(&s->rw);
      }
      atomic_fetch_add(&s->readers_in, 1);
      if (atomic_load(&s->writers_in) != 0) atomic_fetch_add(&s->violations, 1);
      for (int k = 1; k < 8; k++)
        if (s->data[k] != s->data[0]) atomic_fetch_add(&s->violations, 1);
      if (seed & 32) weft_yield();
      atomic_fetch_sub(&s->readers_in, 1);
      weft_rwmutex_runlock(&s->rw);
    }
  }
}
static atomic_uint_fast64_t seeds = 0x9e3779b97f4a7c15u;
static void shared_goroutine(void *arg) { shared_body(arg, atomic_fetch_add(&seeds, 7919)); }
static void *shared_thread(void *arg) {
  shared_body(arg, atomic_fetch_add(&seeds, 7919));
  return NULL;
}

static void test_readers_writers_exclude(void) {
  static struct shared s;
  s.iterations = scaled(20000);
  enum { GOROUTINES = 16, THREADS = 3 };
  for (int i = 0; i < GOROUTINES; i++) weft_waitgroup_go(&s.wg, shared_goroutine, &s);
  for (int i = 0; i < THREADS; i++) thread_go(&s.wg, shared_thread, &s);
  weft_waitgroup_wait(&s.wg);
  CHECK_EQ(atomic_load(&s.violations), 0);
  CHECK(s.writes > 0);
  CHECK_EQ(s.rw.readers, 0);
  CHECK_EQ(s.rw.writer.state, 0);
}

/* ---- writer preference and wait reasons -------------------------------- */

static weft_rwmutex pref;
static atomic_int order_next;
static atomic_int writer_order, reader_order;

static void pending_writer(void *arg) {
  weft_rwmutex_lock(&pref);
  atomic_store(&writer_order, atomic_fetch_add(&order_next, 1));
  weft_rwmutex_unlock(&pref);
}
static void late_reader(void *arg) {
  weft_rwmutex_rlock(&pref);
  atomic_store(&reader_order, atomic_fetch_add(&order_next, 1));
  weft_rwmutex_runlock(&pref);
}

static void test_writer_preference(void) {
  weft_waitgroup wg = {0};
  weft_rwmutex_rlock(&pref);                      /* we read */
  weft_waitgroup_go(&wg, pending_writer, NULL);   /* a writer waits for us */
  struct parked p = wait_parked(&pref.writer_sem, 1);
  CHECK(p.found);
  CHECK_EQ(p.reason, WAIT_RWMUTEX_LOCK);
  CHECK(p.obj == &pref);
  CHECK(!p.holder_known);                         /* it waits for readers: no single holder */
  CHECK(strcmp(wait_reason_name(p.reason), "sync.RWMutex.Lock") == 0);

  CHECK(!weft_rwmutex_tryrlock(&pref));           /* new readers are turned away */
  weft_waitgroup_go(&wg, late_reader, NULL);
  p = wait_parked(&pref.reader_sem, 1);           /* ... and queue behind the writer */
  CHECK(p.found);
  CHECK_EQ(p.reason, WAIT_RWMUTEX_RLOCK);
  CHECK(p.obj == &pref);
  CHECK(strcmp(wait_reason_name(p.reason), "sync.RWMutex.RLock") == 0);
  CHECK(p.holder_known);                          /* the writer holds it for them */

  weft_rwmutex_runlock(&pref);                    /* writer first, then the reader */
  weft_waitgroup_wait(&wg);
  CHECK_EQ(atomic_load(&writer_order), 0);
  CHECK_EQ(atomic_load(&reader_order), 1);
}

static weft_rwmutex two_writers;
static void second_writer(void *arg) {
  weft_rwmutex_lock(&two_writers);
  weft_rwmutex_unlock(&two_writers);
}
static void test_writer_waits_for_writer(void) {
  weft_waitgroup wg = {0};
  weft_rwmutex_lock(&two_writers);
  weft_waitgroup_go(&wg, second_writer, NULL);
  struct parked p = wait_parked(&two_writers.writer.sema, 1);
  CHECK(p.found);
  CHECK_EQ(p.reason, WAIT_RWMUTEX_LOCK);
  CHECK(p.obj == &two_writers);                   /* the rwmutex, not its inner mutex */
  CHECK(p.holder_known);
  CHECK_EQ(p.holder, weft_self());
  weft_rwmutex_unlock(&two_writers);
  weft_waitgroup_wait(&wg);
}

/* Readers blocked behind a writer are all let in when it unlocks, from
 * threads and goroutines alike. */
static weft_rwmutex gate;
static atomic_int passed;
static void gate_reader(void *arg) {
  weft_rwmutex_rlock(&gate);
  atomic_fetch_add(&passed, 1);
  weft_rwmutex_runlock(&gate);
}
static void *gate_reader_thread(void *arg) {
  gate_reader(arg);
  return NULL;
}
static void test_unlock_releases_all_queued_readers(void) {
  weft_waitgroup wg = {0};
  weft_rwmutex_lock(&gate);
  enum { G = 20, T = 3 };
  for (int i = 0; i < G; i++) weft_waitgroup_go(&wg, gate_reader, NULL);
  for (int i = 0; i < T; i++) thread_go(&wg, gate_reader_thread, NULL);
  struct parked p = wait_parked(&gate.reader_sem, G + T);
  CHECK_EQ(p.count, G + T);
  CHECK_EQ(atomic_load(&passed), 0);
  weft_rwmutex_unlock(&gate);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(atomic_load(&passed), G + T);
  CHECK_EQ(gate.readers, 0);
}

/* ---- recursive read locking deadlocks, as documented ------------------- */

static weft_rwmutex recursive;
static void recursive_writer(void *arg) {
  weft_rwmutex_lock(&recursive);
  weft_rwmutex_unlock(&recursive);
}
static int recursive_read(int argc, char **argv) {
  weft_rwmutex_rlock(&recursive);
  weft_go(recursive_writer, NULL);
  wait_parked(&recursive.writer_sem, 1);   /* the writer waits for us */
  weft_rwmutex_rlock(&recursive);          /* ... and we for it: deadlock */
  printf("recursive rlock returned\n");
  return 0;
}
static void recursive_child(void *arg) { exit(weft_main(recursive_read, 0, NULL)); }
static void test_recursive_rlock_deadlocks_like_go(void) {
  struct child_result r = check_child(recursive_child, NULL);
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output, "fatal error: all goroutines are asleep - deadlock!");
  CHECK(strstr(r.output, "recursive rlock returned") == NULL);
  free(r.output);
}

/* ---- out-of-line entry points ------------------------------------------ */

static void test_out_of_line_functions(void) {
  void (*rlock)(weft_rwmutex *) = weft_rwmutex_rlock;
  void (*runlock)(weft_rwmutex *) = weft_rwmutex_runlock;
  weft_rwmutex rw = {0};
  rlock(&rw);
  weft_rwmutex_rlock(&rw);
  CHECK_EQ(rw.readers, 2);
  runlock(&rw);
  weft_rwmutex_runlock(&rw);
  CHECK_EQ(rw.readers, 0);
  CHECK(weft_rwmutex_trylock(&rw));
  weft_rwmutex_unlock(&rw);
}

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_zero_value_and_try);
  RUN(test_readers_writers_exclude);
  RUN(test_writer_preference);
  RUN(test_writer_waits_for_writer);
  RUN(test_unlock_releases_all_queued_readers);
  RUN(test_out_of_line_functions);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) {
  RUN(test_recursive_rlock_deadlocks_like_go);   /* forks: before the runtime starts here */
  return weft_main(app, argc, argv);
}
