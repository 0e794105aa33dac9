/*
 * timer.c - the timer heap and the timer thread.
 *
 * All pending timers of the process live in one 4-ary min-heap ordered by
 * expiry (monotonic ns). A 4-ary heap is shallower than a binary one and
 * its four children share a cache line or two, so sift-down touches fewer
 * lines; with 100k pending timers an insert or delete is ~9 levels.
 * Each timer knows its heap index, so stop and reset are O(log n) with no
 * search.
 *
 * One dedicated thread (Go's pre-1.14 timerproc design) sleeps on a futex
 * until the earliest expiry (with timer slack 1 ns, so it is not 50 us
 * late), pops every expired timer and calls its fire function with no lock
 * held. Goroutines readied by one round of expiries are handed to the
 * scheduler in batches (one lock, one wake-up per 64) rather than one by one. Fire functions never block: they ready a
 * goroutine, spawn one, or try a non-blocking send. Anyone who inserts a
 * new earliest timer wakes the thread so it can sleep less.
 *
 * Alternatives considered: per-worker heaps checked from the scheduler loop
 * (Go >= 1.14) avoid the thread hop but put a clock read on every
 * scheduling decision and make idle workers responsible for timers; with a
 * cooperative scheduler a busy worker could also delay its timers
 * indefinitely. A hashed timing wheel makes insert O(1) but needs a
 * ticking thread even when nothing expires soon. The heap plus one thread
 * keeps idle processes truly idle and timers independent of goroutines.
 *
 * Stop/free safety: the thread records which timer it is firing
 * (timers.current) under the heap lock, and rt_timer_del_sync waits until
 * that is no longer the timer being freed. fire() may free or reuse the
 * memory of a timer embedded in a goroutine's stack (sleep): the thread
 * never touches the timer after fire returns.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "runtime/sched.h"

/* A heap slot holds a copy of its timer's expiry: sifting compares keys in
 * the heap array itself (four children in one cache line, see heap_grow)
 * instead of following each child's pointer into the goroutine stack that
 * holds it, a page of its own. With 100k pending sleeps that was four
 * cache and TLB misses per level, and the timer thread, not the workers,
 * was what limited sleep/wake throughput (~3x fewer misses now). */
struct heap_entry {
  int64_t when;
  struct rt_timer *t;
};

static struct {
  rt_lock lock;
  rt_lock firing;                   /* one firer at a time (thread or a worker) */
  _Atomic int64_t next_when;        /* heap[0].when, INT64_MAX if empty */
  struct heap_entry *heap;          /* HEAP_SKEW entries into its allocation */
  void *heap_mem;
  size_t cap;
  _Atomic size_t len;
  int64_t sleep_until;              /* the thread's planned wake-up (under lock) */
  _Atomic uint32_t wake;            /* futex word: 1 = re-examine the heap */
  struct rt_timer *_Atomic current; /* being fired right now */
  _Atomic bool delivering;          /* the thread holds readied goroutines not yet handed over */
} timers;

/* The children of slot i are 4i+1..4i+4; starting the array 3 slots into
 * a 64-byte aligned block puts each such group of four 16-byte slots in
 * exactly one cache line. */
#define HEAP_SKEW 3

static inline size_t heap_len(void) {
  return atomic_load_explicit(&timers.len, memory_order_relaxed);
}

static inline void heap_place(size_t i, struct heap_entry e) {
  timers.heap[i] = e;
  e.t->heap_index = (int32_t)i;
}

static void sift_up(size_t i) {
  struct heap_entry e = timers.heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 4;
    if (timers.heap[parent].when <= e.when) break;
    heap_place(i, timers.heap[parent]);
    i = parent;
  }
  heap_place(i, e);
}

static void sift_down(size_t i) {
  size_t n = heap_len();
  struct heap_entry e = timers.heap[i];
  for (;;) {
    size_t child = 4 * i + 1;
    if (child >= n) break;
    size_t best = child;
    size_t end = child + 4 < n ? child + 4 : n;
    for (size_t c = child + 1; c < end; c++)
      if (timers.heap[c].when < timers.heap[best].when) best = c;
    if (timers.heap[best].when >= e.when) break;
    heap_place(i, timers.heap[best]);
    i = best;
  }
  heap_place(i, e);
}

static void heap_grow(void) {
  size_t cap = timers.cap ? timers.cap * 2 : 64;
  void *mem = NULL;
  if (posix_memalign(&mem, 64, (cap + HEAP_SKEW) * sizeof(struct heap_entry)) != 0 || !mem)
    rt_fatal("out of memory: cannot grow the timer heap to %zu timers", cap);
  struct heap_entry *h = (struct heap_entry *)mem + HEAP_SKEW;
  if (timers.heap) memcpy(h, timers.heap, heap_len() * sizeof *h);
  free(timers.heap_mem);
  timers.heap_mem = mem;
  timers.heap = h;
  timers.cap = cap;
}

static void heap_push(struct rt_timer *t) {
  size_t n = heap_len();
  if (n == timers.cap) heap_grow();
  atomic_store_explicit(&timers.len, n + 1, memory_order_relaxed);
  heap_place(n, (struct heap_entry){t->when, t});
  sift_up(n);
}

static void heap_remove(struct rt_timer *t) {
  size_t i = (size_t)t->heap_index;
  size_t last = heap_len() - 1;
  atomic_store_explicit(&timers.len, last, memory_order_relaxed);
  t->heap_index = -1;
  if (i == last) return;
  struct heap_entry moved = timers.heap[last];
  heap_place(i, moved);
  if (i > 0 && timers.heap[(i - 1) / 4].when > moved.when) sift_up(i);
  else sift_down(i);
}

/* Publishes the earliest expiry for lock-free "is anything due?" checks.
 * Called with the lock held after every change to the heap. */
static void publish_next(void) {
  int64_t next = heap_len() > 0 ? timers.heap[0].when : INT64_MAX;
  atomic_store_explicit(&timers.next_when, next, memory_order_relaxed);
}

static void wake_thread_if_earlier(int64_t when) {
  if (when < timers.sleep_until) {
    timers.sleep_until = when;
    atomic_store_explicit(&timers.wake, 1, memory_order_release);
    rt_futex_wake(&timers.wake, 1);
  }
}

void rt_timer_init(struct rt_timer *t, void (*fire)(struct rt_timer *, uint64_t), void *arg) {
  memset(t, 0, sizeof *t);
  t->fire = fire;
  t->arg = arg;
  t->heap_index = -1;
}

static bool timer_set(struct rt_timer *t, int64_t when, int64_t period, bool drop_in_flight) {
  rt_init();
  rt_lock_acquire(&timers.lock);
  bool was = t->heap_index >= 0;
  if (was || drop_in_flight) atomic_fetch_add_explicit(&t->seq, 1, memory_order_relaxed);
  t->period = period;
  if (was) {
    int64_t old = t->when;
    t->when = when;
    timers.heap[t->heap_index].when = when;
    if (when < old) sift_up((size_t)t->heap_index);
    else sift_down((size_t)t->heap_index);
  } else {
    t->when = when;
    heap_push(t);
  }
  if (t->heap_index == 0) wake_thread_if_earlier(when);
  publish_next();
  rt_lock_release(&timers.lock);
  return was;
}

bool rt_timer_set(struct rt_timer *t, int64_t when, int64_t period) {
  return timer_set(t, when, period, false);
}

bool rt_timer_rearm(struct rt_timer *t, int64_t when, int64_t period) {
  return timer_set(t, when, period, true);
}

bool rt_timer_del(struct rt_timer *t) {
  rt_lock_acquire(&timers.lock);
  bool was = t->heap_index >= 0;
  if (was) {
    atomic_fetch_add_explicit(&t->seq, 1, memory_order_relaxed);
    heap_remove(t);
  }
  publish_next();
  rt_lock_release(&timers.lock);
  return was;
}

void rt_timer_del_sync(struct rt_timer *t) {
  rt_timer_del(t);
  while (atomic_load_explicit(&timers.current, memory_order_acquire) == t) sched_yield();
}

size_t rt_timers_pending(void) {
  return heap_len();
}

int rt_timer_thread_busy(void);
int rt_timer_thread_busy(void) {
  return atomic_load(&timers.delivering) || atomic_load(&timers.current) != NULL;
}

bool rt_timers_due(int64_t now) {
  return atomic_load_explicit(&timers.next_when, memory_order_relaxed) <= now;
}

/* Fires every expired timer; timers.lock held on entry and on return.
 * Only the holder of timers.firing may call it. */
static void run_expired(void) {
  int64_t now = rt_nanotime(); /* fixed: a fast ticker cannot keep us here */
  while (heap_len() > 0 && timers.heap[0].when <= now) {
    struct rt_timer *t = timers.heap[0].t;
    if (t->period > 0) {
      /* Re-arm in place; a late ticker skips the ticks it missed. */
      int64_t next = t->when + t->period;
      if (next <= now) next = now + t->period;
      t->when = next;
      timers.heap[0].when = next;
      sift_down(0);
    } else {
      heap_remove(t);
    }
    uint64_t seq = atomic_load_explicit(&t->seq, memory_order_relaxed);
    publish_next();
    atomic_store_explicit(&timers.current, t, memory_order_relaxed);
    rt_lock_release(&timers.lock);
    t->fire(t, seq);
    rt_lock_acquire(&timers.lock);
    atomic_store_explicit(&timers.current, NULL, memory_order_release);
  }
}

/* A worker with nothing to run fires due timers itself: the goroutines
 * they ready go straight to its own run queue, with no thread hop and no
 * futex wake-up. If the timer thread is firing already, leave it to it. */
void rt_timers_run(void) {
  if (!rt_lock_try(&timers.firing)) return;
  rt_lock_acquire(&timers.lock);
  run_expired();
  rt_lock_release(&timers.lock);
  rt_lock_release(&timers.firing);
}

static void *timer_thread(void *arg) {
  /* Wake exactly when asked: the default 50 us timer slack would make
   * every sleep that much late. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  rt_mark_runtime_thread();
  rt_lock_acquire(&timers.firing);
  rt_lock_acquire(&timers.lock);
  for (;;) {
    /* Until the batch is flushed, goroutines we readied are visible to no
     * one: the deadlock check must see us as busy meanwhile. */
    atomic_store(&timers.delivering, true);
    rt_ready_batch_begin();
    run_expired();
    int64_t now = rt_nanotime();
    int64_t next = heap_len() > 0 ? timers.heap[0].when : INT64_MAX;
    timers.sleep_until = next;
    atomic_store_explicit(&timers.wake, 0, memory_order_relaxed);
    rt_lock_release(&timers.lock);
    rt_ready_batch_end();
    atomic_store(&timers.delivering, false);
    rt_lock_release(&timers.firing);
    if (next == INT64_MAX && sched_all_idle()) sched_check_dead();
    if (next > now) rt_futex_wait(&timers.wake, 0, next == INT64_MAX ? -1 : next - now);
    rt_lock_acquire(&timers.firing);
    rt_lock_acquire(&timers.lock);
  }
  return NULL;
}

void timers_start(void) {
  timers.sleep_until = INT64_MAX;
  atomic_store(&timers.next_when, INT64_MAX);
  pthread_t th;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int err = pthread_create(&th, &attr, timer_thread, NULL);
  pthread_attr_destroy(&attr);
  if (err) rt_fatal("cannot start the timer thread: %s", strerror(err));
}
