/*
 * sync_testing.h - helpers shared by the tests of src/sync.
 *
 * Tests look inside the primitives (src/sync/sync_private.h) to tell when a
 * caller has actually parked and what it recorded, instead of sleeping and
 * hoping. Reading a parked waiter's g under the queue's own lock is
 * race-free: the waiter wrote its wait reason before its park committed,
 * and the commit released that lock.
 */
#ifndef WEFT_TESTS_SYNC_TESTING_H
#define WEFT_TESTS_SYNC_TESTING_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <weft.h>

#include "check.h"
#include "sync/sync_private.h"

static inline int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps the caller (goroutine or thread) for a short while. */
static inline void nap(void) { weft_sleep(200 * WEFT_MICROSECOND); }

/* What a parked waiter recorded. */
struct parked {
  bool found;
  int count;                 /* waiters in the queue */
  wait_reason reason;        /* of the head waiter */
  const void *obj;
  bool foreign;
  uint64_t id;
  bool holder_known;         /* sync_holder_goid said a goroutine holds it */
  uint64_t holder;
};

/* Snapshot of a queue (head, tail of struct sync_waiter) under `lock`. */
static inline struct parked queue_snapshot(uint32_t *lock, void *const *head) {
  struct parked p = {0};
  rt_lock *l = sync_lock_of(lock);
  rt_lock_acquire(l);
  struct sync_waiter *w = *head;
  if (w) {
    p.found = true;
    p.reason = w->g->reason;
    p.obj = w->g->wait_obj;
    p.foreign = w->g->foreign;
    p.id = w->g->id;
    bool foreign_holder = false;
    p.holder_known = sync_holder_goid(w->g, &p.holder, &foreign_holder);
  }
  for (; w; w = w->next) p.count++;
  rt_lock_release(l);
  return p;
}

static inline struct parked sema_snapshot(weft_sync_sema *s) {
  return queue_snapshot(&s->lock, (void *const *)&s->head);
}

/* Waits (bounded: 20 s, far beyond any healthy run) until `want` callers
 * are parked on s; returns the snapshot. */
static inline struct parked wait_parked(weft_sync_sema *s, int want) {
  int64_t deadline = mono_ns() + 20 * (int64_t)1000000000;
  struct parked p;
  for (;;) {
    p = sema_snapshot(s);
    if (p.count >= want || mono_ns() > deadline) return p;
    nap();
  }
}

static inline struct parked cond_snapshot(weft_cond *c) {
  return queue_snapshot(&c->lock, (void *const *)&c->head);
}

static inline struct parked wait_cond_parked(weft_cond *c, int want) {
  int64_t deadline = mono_ns() + 20 * (int64_t)1000000000;
  struct parked p;
  for (;;) {
    p = cond_snapshot(c);
    if (p.count >= want || mono_ns() > deadline) return p;
    nap();
  }
}

/*
 * Runs fn(arg) on a new plain (detached) pthread, a foreign thread to
 * weft, counted in wg: weft_waitgroup_wait(wg) waits for it. Tests never
 * pthread_join from a goroutine: that blocks the goroutine's worker, and
 * if the thread waits for goroutines that need that worker (always so with
 * WEFT_PROCS=1), nothing moves again. Waiting on the waitgroup parks the
 * goroutine instead.
 */
struct thread_job {
  void *(*fn)(void *);
  void *arg;
  weft_waitgroup *wg;
};
static inline void *thread_job_run(void *p) {
  struct thread_job job = *(struct thread_job *)p;
  free(p);
  job.fn(job.arg);
  weft_waitgroup_done(job.wg);
  return NULL;
}
static inline void thread_go(weft_waitgroup *wg, void *(*fn)(void *), void *arg) {
  struct thread_job *job = malloc(sizeof *job);
  if (!job) abort();
  *job = (struct thread_job){fn, arg, wg};
  weft_waitgroup_add(wg, 1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  if (pthread_create(&t, &attr, thread_job_run, job) != 0) {
    perror("pthread_create");
    exit(1);
  }
  pthread_attr_destroy(&attr);
}

/*
 * The global deadlock detector knows about a plain thread only while it is
 * parked in weft; a running one it infers from the process's thread count.
 * In the TSan-fiber build that count includes TSan's own threads, which the
 * runtime can only estimate, so a running thread may go unseen and a test
 * whose goroutines all wait for a thread gets a false "all goroutines are
 * asleep". There, tests that mix in threads keep one goroutine sleeping in
 * a loop (a pending timer is never a deadlock). Other builds count exactly
 * and need nothing.
 */
#if defined(WEFT_TSAN_FIBERS)
static atomic_bool keepalive_stop;
static inline void keepalive_loop(void *arg) {
  (void)arg;
  while (!atomic_load(&keepalive_stop)) weft_sleep(2 * WEFT_MILLISECOND);
}
static inline void threads_keepalive_start(void) { weft_go(keepalive_loop, NULL); }
static inline void threads_keepalive_stop(void) { atomic_store(&keepalive_stop, true); }
#else
static inline void threads_keepalive_start(void) {}
static inline void threads_keepalive_stop(void) {}
#endif

/* Tiny xorshift for randomised tests. */
static inline uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

#endif
