/*
 * sema.c - the parking semaphore under every sync primitive, spinning
 * policy, the copy check's slow path, and holder lookup for reports.
 *
 * Semaphore. A weft_sync_sema is a count plus a FIFO of parked callers,
 * guarded by an internal rt_lock. Invariant (under the lock): if the queue
 * is non-empty the count is zero -- a release with somebody queued hands
 * its unit straight to the head waiter instead of raising the count, so a
 * woken waiter never has to compete for its unit again. A release that
 * arrives before the acquirer has queued simply raises the count, and the
 * acquirer takes it without parking: the primitives (mutex, rwmutex,
 * waitgroup) decide to wait from their own atomic state word before they
 * reach the semaphore, and the count bridges that window.
 *
 * Parking follows runtime.h's lost-wakeup rule: the waiter queues itself
 * while holding the semaphore's lock and parks with a commit that releases
 * it, so a releaser that dequeues it (under the lock) can only call
 * rt_ready once the waiter is truly off its stack. The waiter's record
 * lives on its own stack; the releaser reads it only under the lock,
 * before rt_ready.
 *
 * Alternatives rejected: a futex per primitive (only blocks OS threads,
 * not goroutines); lock-free queues (the lock is uncontended in practice
 * because the primitives only reach the semaphore when they must park, and
 * the commit protocol needs a lock anyway).
 */
#include <unistd.h>

#include "sync/sync_private.h"

bool sync_commit_unlock(struct weft_g *g, void *lock) {
  (void)g;
  rt_lock_release((rt_lock *)lock);
  return true;
}

void sema_acquire(weft_sync_sema *s, bool lifo, wait_reason reason, const void *obj) {
  rt_lock *lock = sync_lock_of(&s->lock);
  rt_lock_acquire(lock);
  if (s->count > 0) {
    s->count--;
    rt_lock_release(lock);
    return;
  }
  struct sync_waiter w = {.g = rt_current(), .next = NULL};
  struct sync_waiter *head = s->head;
  if (!head) {
    s->head = s->tail = &w;
  } else if (lifo) {
    w.next = head;
    s->head = &w;
  } else {
    ((struct sync_waiter *)s->tail)->next = &w;
    s->tail = &w;
  }
  rt_park(reason, obj, sync_commit_unlock, lock);
  waiter_check_woken(&w);   /* the releaser dequeued us and gave us its unit */
}

void waiter_check_woken(struct sync_waiter *w) {
  if (unlikely(!__atomic_load_n(&w->woken, ACQUIRE)))
    rt_fatal("sync: waiter resumed without being woken");
}

void sema_release(weft_sync_sema *s, bool handoff) {
  rt_lock *lock = sync_lock_of(&s->lock);
  rt_lock_acquire(lock);
  struct sync_waiter *w = s->head;
  if (!w) {
    s->count++;
    rt_lock_release(lock);
    return;
  }
  s->head = w->next;
  if (!s->head) s->tail = NULL;
  rt_lock_release(lock);
  waiter_wake(w);
  /* Hand-off (a starving mutex): the waiter now owns the lock, so let it
   * run before we go on, as Go's semrelease(handoff) does. */
  if (handoff && rt_goroutine()) weft_yield();
}

/* ---- spinning ---------------------------------------------------------- */

static int cached_ncpu;    /* written once, racy-but-idempotent: relaxed atomics */
static int cached_procs;

static int ncpu(void) {
  int n = __atomic_load_n(&cached_ncpu, RELAXED);
  if (!n) {
    long v = sysconf(_SC_NPROCESSORS_ONLN);
    n = v > 0 ? (int)v : 1;
    __atomic_store_n(&cached_ncpu, n, RELAXED);
  }
  return n;
}

static int procs(void) {
  int n = __atomic_load_n(&cached_procs, RELAXED);
  if (!n) {
    n = weft_procs();
    __atomic_store_n(&cached_procs, n, RELAXED);
  }
  return n;
}

bool sync_can_spin(int iter) {
  if (iter >= 4 || ncpu() <= 1) return false;
  /* A foreign thread spins only if the holder may be on another CPU,
   * which with more than one CPU it may always be. A goroutine spins only
   * if another worker exists to run the holder. */
  if (rt_goroutine() && procs() <= 1) return false;
  return true;
}

void sync_spin(void) {
  for (int i = 0; i < 30; i++) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
  }
}

/* ---- copy check -------------------------------------------------------- */

SYNC_API void weft_sync_copied_(uintptr_t *self, const void *addr, const char *type) {
  uintptr_t expected = 0;
  if (__atomic_compare_exchange_n(self, &expected, (uintptr_t)addr, false, RELAXED, RELAXED))
    return;                   /* first use: remembered */
  if (expected == (uintptr_t)addr)
    return;                   /* a racing first user recorded the same address */
  rt_fatal("sync: %s copied after first use (in use at %p, original at %p)", type, addr,
           (void *)expected);
}

/* ---- holder lookup for reports ---------------------------------------- */

struct holder_search {
  uintptr_t sp;
  uint64_t goid;
  bool found;
};

/* Reads another goroutine's fields while it may be running: a diagnostic
 * snapshot, racy by design (a stale answer is harmless in a report), so
 * TSan is told not to check it. */
__attribute__((no_sanitize("thread"))) static void match_stack(struct weft_g *g, void *arg) {
  struct holder_search *hs = arg;
  int status = atomic_load_explicit(&g->status, memory_order_relaxed);
  if (hs->found || g->foreign || status == G_IDLE || status == G_DEAD || !g->stack.lo) return;
  if (hs->sp >= (uintptr_t)g->stack.lo && hs->sp < (uintptr_t)g->stack.hi) {
    hs->goid = g->id;
    hs->found = true;
  }
}

bool sync_holder_goid(const struct weft_g *waiter, uint64_t *goid, bool *foreign) {
  const void *obj = waiter->wait_obj;
  const weft_mutex *m = NULL;
  switch (waiter->reason) {
  case WAIT_MUTEX_LOCK: m = obj; break;
  case WAIT_RWMUTEX_RLOCK:
  case WAIT_RWMUTEX_LOCK: m = &((const weft_rwmutex *)obj)->writer; break;
  case WAIT_ONCE: m = &((const weft_once *)obj)->mutex; break;
  default: break;
  }
  if (foreign) *foreign = false;
  if (!m) return false;
  if (!(__atomic_load_n(&m->state, RELAXED) & MUTEX_LOCKED)) return false;
  uintptr_t sp = __atomic_load_n(&m->holder, RELAXED);
  if (!sp) return false;
  struct holder_search hs = {.sp = sp};
  rt_for_each_g(match_stack, &hs);
  if (hs.found) {
    if (hs.goid == waiter->id) return false;  /* a writer waiting for readers */
    *goid = hs.goid;
    return true;
  }
  if (foreign) *foreign = true;
  return false;
}
