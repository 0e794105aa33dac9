/*
 * chan_testing.h - helpers shared by the tests of src/chan.
 *
 * Tests look inside channels (src/chan/chan_private.h) to tell when a
 * goroutine or thread has actually parked on a channel, instead of
 * sleeping and hoping. Counting a channel's waiters, and reading what a
 * queued waiter recorded (its wait reason), is done under the channel's
 * lock: the waiter wrote those before its park committed, and the commit
 * released that lock, so the reads are ordered after the writes.
 *
 * Tests that fork a child (check_child) to watch it panic do so before the
 * parent has started the runtime (a forked child has none of the parent's
 * threads): programs keep such tests in their own files (test_panics.c)
 * or run them first.
 */
#ifndef WEFT_TESTS_CHAN_TESTING_H
#define WEFT_TESTS_CHAN_TESTING_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <weft.h>

#include "check.h"
#include "chan/chan_private.h"

static inline int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps the caller (goroutine or thread) for a short while. */
static inline void nap(void) { weft_sleep(100 * WEFT_MICROSECOND); }

/* How long a test waits for something that must happen before calling it
 * a failure (generous: sanitizer and emulated runs are slow). */
#define PATIENCE_NS (60LL * 1000000000)

static inline int waitq_count(const struct waitq *q) {
  int n = 0;
  for (const struct sudog *sg = q->first; sg; sg = sg->next) n++;
  return n;
}

/* Waiters queued on c right now: receivers and senders. */
struct queued {
  int recv, send;
  wait_reason first_recv_reason, first_send_reason;
  bool first_recv_foreign, first_send_foreign;
};
static inline struct queued chan_queued(weft_chan *c) {
  struct queued q = {0, 0, WAIT_NONE, WAIT_NONE, false, false};
  rt_lock_acquire(&c->lock);
  q.recv = waitq_count(&c->recvq);
  q.send = waitq_count(&c->sendq);
  if (c->recvq.first) {
    q.first_recv_reason = c->recvq.first->g->reason;
    q.first_recv_foreign = c->recvq.first->g->foreign;
  }
  if (c->sendq.first) {
    q.first_send_reason = c->sendq.first->g->reason;
    q.first_send_foreign = c->sendq.first->g->foreign;
  }
  rt_lock_release(&c->lock);
  return q;
}

/* Waits until c has at least `recv` receivers and `send` senders queued;
 * false (and a CHECK failure) if that does not happen in PATIENCE_NS. */
static inline bool wait_queued_(weft_chan *c, int recv, int send, const char *file, int line) {
  int64_t deadline = mono_ns() + PATIENCE_NS;
  for (;;) {
    struct queued q = chan_queued(c);
    if (q.recv >= recv && q.send >= send) return true;
    if (mono_ns() > deadline) {
      fprintf(stderr, "%s:%d: timed out waiting for %d receivers and %d senders (have %d, %d)\n",
              file, line, recv, send, q.recv, q.send);
      check_failures++;
      return false;
    }
    nap();
  }
}
#define wait_queued(c, recv, send) wait_queued_((c), (recv), (send), __FILE__, __LINE__)

/* Waits until the atomic counter reaches want (bounded by PATIENCE_NS). */
static inline bool wait_count_(atomic_int *counter, int want, const char *file, int line) {
  int64_t deadline = mono_ns() + PATIENCE_NS;
  while (atomic_load(counter) < want) {
    if (mono_ns() > deadline) {
      fprintf(stderr, "%s:%d: timed out waiting for count %d (have %d)\n", file, line, want,
              atomic_load(counter));
      check_failures++;
      return false;
    }
    nap();
  }
  return true;
}
#define wait_count(counter, want) wait_count_((counter), (want), __FILE__, __LINE__)

/* A goroutine or an OS thread running fn(arg); join() waits for it. */
struct runner {
  void (*fn)(void *);
  void *arg;
  bool thread;
  pthread_t th;
  atomic_int done;
};
static void runner_goroutine_(void *p) {
  struct runner *r = p;
  r->fn(r->arg);
  atomic_store(&r->done, 1);
}
static void *runner_thread_(void *p) {
  runner_goroutine_(p);
  return NULL;
}
static inline void runner_start(struct runner *r, bool thread, void (*fn)(void *), void *arg) {
  r->fn = fn;
  r->arg = arg;
  r->thread = thread;
  atomic_store(&r->done, 0);
  if (thread) {
    if (pthread_create(&r->th, NULL, runner_thread_, r) != 0) {
      perror("pthread_create");
      exit(1);
    }
  } else {
    weft_go(runner_goroutine_, r);
  }
}
static inline void runner_join(struct runner *r) {
  if (r->thread) {
    pthread_join(r->th, NULL);
  } else {
    wait_count(&r->done, 1);
  }
}

/* Finds the g with the given goroutine id (or stand-in thread id), and
 * reports its wait reason once it has parked. Only for waits that never
 * end (NULL channels), where there is no queue lock to read under. Not
 * under ThreadSanitizer, which (rightly) sees that nothing orders these
 * reads after the runtime's writes: there it only gives the waiter time to
 * park and returns WAIT_REASON_COUNT ("not checked"). */
struct find_g {
  uint64_t id;
  bool foreign;
  int status;
  wait_reason reason;
};
static void find_g_visit_(struct weft_g *g, void *arg) {
  struct find_g *f = arg;
  if (g->id == f->id && g->foreign == f->foreign) {
    f->status = atomic_load(&g->status);
    f->reason = __atomic_load_n(&g->reason, __ATOMIC_RELAXED);
  }
}
static inline wait_reason parked_reason(uint64_t id, bool foreign) {
#if defined(WEFT_TSAN_FIBERS)
  (void)find_g_visit_;
  (void)id, (void)foreign;
  weft_sleep(10 * WEFT_MILLISECOND);
  return WAIT_REASON_COUNT;
#else
  int64_t deadline = mono_ns() + PATIENCE_NS;
  for (;;) {
    struct find_g f = {id, foreign, -1, WAIT_NONE};
    rt_for_each_g(find_g_visit_, &f);
    if (f.status == G_WAITING && f.reason != WAIT_NONE) return f.reason;
    if (mono_ns() > deadline) return WAIT_NONE;
    nap();
  }
#endif
}

/*
 * The runtime's global deadlock check treats threads that existed before
 * the runtime started as harmless, and a foreign thread as a possible
 * waker only once it has a stand-in g. This program's main thread wakes
 * goroutines with operations that need no stand-in (a send to a parked
 * receiver, a close), and may have been started before whichever thread
 * happened to start the runtime; then, while every goroutine waits for
 * main, the check could call it a deadlock (seen under qemu: a worker's
 * first check ran while main, with no stand-in yet, was still spawning the
 * main goroutine of weft_main). So main starts the runtime and takes its
 * stand-in first thing. Programs that fork children (the runtime must not
 * be running in a process that forks) define CHAN_TESTING_FORKS and do
 * this in each child instead (chan_testing_start). Reported to the
 * runtime's owner.
 */
static inline void chan_testing_start(void) {
  (void)rt_current();
  /* The runtime's start-up checks (one per idle worker and the timer
   * thread) read the state at different moments; one that began before
   * the stand-in existed could still end after our first spawn. Let them
   * finish first. */
  struct timespec settle = {0, 20 * 1000 * 1000};
  nanosleep(&settle, NULL);
}
#if !defined(CHAN_TESTING_FORKS)
__attribute__((constructor)) static void chan_testing_start_main_(void) { chan_testing_start(); }
#endif

#endif
