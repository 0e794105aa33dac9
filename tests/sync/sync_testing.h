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

/* Runs fn(arg) on a new plain pthread (a foreign thread to weft). */
static inline pthread_t thread_start(void *(*fn)(void *), void *arg) {
  pthread_t t;
  if (pthread_create(&t, NULL, fn, arg) != 0) {
    perror("pthread_create");
    exit(1);
  }
  return t;
}

/* Tiny xorshift for randomised tests. */
static inline uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

#endif
