/*
 * mutex.c - weft_mutex, Go's sync.Mutex.
 *
 * State. One 32-bit word, changed only by atomic read-modify-writes:
 *   bit 0  LOCKED    somebody holds the mutex
 *   bit 1  WOKEN     a waiter has been woken, or a spinner announced itself:
 *                    unlock need not wake anyone (the woken one will retry)
 *   bit 2  STARVING  hand-off mode (below)
 *   3..31            number of waiters parked, or about to park, on m->sema
 * The zero word is an unlocked mutex with nobody waiting, so a zeroed
 * struct is a valid mutex and the uncontended lock is one CAS 0 -> LOCKED;
 * the uncontended unlock is one CAS LOCKED -> 0.
 *
 * Two modes, as in Go (sync/mutex.go explains the trade-off at length):
 *
 * Normal mode: waiters queue FIFO, but a woken waiter does not own the
 * mutex; it competes for it with goroutines that are arriving right now.
 * Arrivals usually win (they are on a CPU already, the woken one is not),
 * which is what makes a busy mutex fast: it passes between running
 * goroutines without context switches. A woken waiter that loses goes back
 * to the HEAD of the queue (lifo in sema_acquire).
 *
 * Starvation mode: a waiter that finds it has waited more than 1 ms sets
 * STARVING. From then on unlock hands the mutex directly to the waiter at
 * the head of the queue: LOCKED stays clear in the word during the
 * hand-off, but arrivals see STARVING, do not take it and do not spin, and
 * queue at the tail. The waiter that receives it sets LOCKED and removes
 * itself from the count in one add; it turns starvation mode off if it is
 * the last waiter or itself waited less than 1 ms. Normal mode is much
 * faster; starvation mode bounds every waiter's wait.
 *
 * Spinning: an arrival that finds the mutex locked (and not starving)
 * spins a few rounds before parking if another CPU may be running the
 * holder (sync_can_spin). While spinning it sets WOKEN so that an unlock
 * does not also wake a parked waiter that would only lose to it.
 *
 * Unlock from another goroutine or thread than the locker is allowed
 * (Go's mutexes have no owner). Unlock clears LOCKED with a CAS that first
 * checks it is set, so unlocking an unlocked mutex is reported (Go's
 * "fatal error: sync: unlock of unlocked mutex") without touching the
 * word. Go instead subtracts first and checks after; the word is then
 * corrupt while the report is printed, and a waiter woken meanwhile can
 * trip over it and report "inconsistent mutex state" on top (seen in our
 * tests). The CAS costs the same as the subtract when uncontended
 * (measured: docs/sync.md).
 *
 * Invariants: a waiter counted in bits 3..31 is in the semaphore queue or
 * about to enter it, and is removed from the count by whoever wakes it
 * (normal mode: the unlocker, which also sets WOKEN) or by itself when it
 * receives a hand-off (starvation mode). STARVING implies at least one
 * waiter, or a hand-off in flight.
 *
 * The holder record (sync_private.h) is written after every successful
 * lock, so it names the current holder whenever LOCKED is set.
 *
 * weft/sync.h inlines the uncontended lock and unlock into callers (copy
 * check, CAS, holder store); they call weft_mutex_lock_slow_ /
 * weft_mutex_unlock_slow_ here when the CAS fails. The exported
 * weft_mutex_lock/unlock below do the same thing out of line and are what
 * the race flavour and TSan-compiled callers use (they carry the race
 * hooks, which the inline versions cannot).
 *
 * Alternatives rejected: a ticket lock (strict FIFO for every lock: a
 * context switch per hand-over under contention, 10-100x slower on a busy
 * mutex); a futex-only lock like rt_lock (blocks the OS thread, not the
 * goroutine).
 */
#include "sync/sync_private.h"

static const char mutex_type[] = "weft_mutex";

/* Completes a successful lock: the holder record and the race edge. */
static inline __attribute__((always_inline)) void mutex_acquired(weft_mutex *m) {
  holder_set(m);
  SYNC_RACE_ACQUIRE(m);
}

/*
 * The contended lock: spin, queue, park; starvation bookkeeping. reason and
 * obj describe the wait for reports (a weft_rwmutex or weft_once parks here
 * with its own reason and address).
 */
static __attribute__((noinline)) void mutex_lock_slow(weft_mutex *m, wait_reason reason,
                                                      const void *obj) {
  int64_t wait_start = 0;   /* when we first parked; 0: not yet */
  bool starving = false;    /* we have waited > MUTEX_STARVATION_NS */
  bool awoke = false;       /* we own the WOKEN bit (woken by unlock, or set it spinning) */
  int iter = 0;
  uint32_t old = __atomic_load_n(&m->state, RELAXED);
  for (;;) {
    /* Locked in normal mode and somebody may be running the holder: spin. */
    if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && sync_can_spin(iter)) {
      if (!awoke && !(old & MUTEX_WOKEN) && (old >> MUTEX_WAITER_SHIFT) != 0 &&
          __atomic_compare_exchange_n(&m->state, &old, old | MUTEX_WOKEN, false, RELAXED, RELAXED))
        awoke = true;
      sync_spin();
      iter++;
      old = __atomic_load_n(&m->state, RELAXED);
      continue;
    }
    uint32_t new = old;
    if (!(old & MUTEX_STARVING)) new |= MUTEX_LOCKED;  /* never take a starving mutex */
    if (old & (MUTEX_LOCKED | MUTEX_STARVING))
      new += 1u << MUTEX_WAITER_SHIFT;                  /* we will queue */
    if (starving && (old & MUTEX_LOCKED)) new |= MUTEX_STARVING;
    if (awoke) {
      if (!(new & MUTEX_WOKEN)) rt_fatal("sync: inconsistent mutex state");
      new &= ~(uint32_t)MUTEX_WOKEN;
    }
    if (!__atomic_compare_exchange_n(&m->state, &old, new, false, ACQUIRE, RELAXED))
      continue;                                         /* old was reloaded */
    if (!(old & (MUTEX_LOCKED | MUTEX_STARVING)))
      break;                                            /* we took it */
    bool requeue = wait_start != 0;                     /* woken before: keep our place */
    if (!wait_start) wait_start = rt_nanotime();
    sema_acquire(&m->sema, requeue, reason, obj);
    starving = starving || rt_nanotime() - wait_start > MUTEX_STARVATION_NS;
    old = __atomic_load_n(&m->state, RELAXED);
    if (old & MUTEX_STARVING) {
      /* Handed to us: LOCKED is clear and we are still counted. */
      if ((old & (MUTEX_LOCKED | MUTEX_WOKEN)) || (old >> MUTEX_WAITER_SHIFT) == 0)
        rt_fatal("sync: inconsistent mutex state");
      uint32_t delta = MUTEX_LOCKED - (1u << MUTEX_WAITER_SHIFT);  /* wraps: a subtraction */
      if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1)
        delta -= MUTEX_STARVING;                        /* back to normal mode */
      __atomic_add_fetch(&m->state, delta, ACQUIRE);
      break;
    }
    awoke = true;
    iter = 0;
  }
  mutex_acquired(m);
}

/* Clears LOCKED and returns the new word. Not locked: the fatal error,
 * with the word left as it was. */
static inline __attribute__((always_inline)) uint32_t mutex_release(weft_mutex *m) {
  uint32_t old = __atomic_load_n(&m->state, RELAXED);
  for (;;) {
    if (unlikely(!(old & MUTEX_LOCKED))) rt_fatal("sync: unlock of unlocked mutex");
    if (likely(__atomic_compare_exchange_n(&m->state, &old, old - MUTEX_LOCKED, true, RELEASE,
                                           RELAXED)))
      return old - MUTEX_LOCKED;
  }
}

/* After an unlock that left `new` (not 0): wake or hand off to a waiter. */
static __attribute__((noinline)) void mutex_unlock_slow(weft_mutex *m, uint32_t new) {
  if (new & MUTEX_STARVING) {
    /* Hand the mutex to the head waiter and let it run. */
    sema_release(&m->sema, true);
    return;
  }
  uint32_t old = new;
  for (;;) {
    /* Nobody to wake, or somebody already awake / holding / being handed
     * the mutex: they will wake the next waiter in turn. */
    if ((old >> MUTEX_WAITER_SHIFT) == 0 ||
        (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)))
      return;
    uint32_t wake = (old - (1u << MUTEX_WAITER_SHIFT)) | MUTEX_WOKEN;
    if (__atomic_compare_exchange_n(&m->state, &old, wake, false, RELEASE, RELAXED)) {
      sema_release(&m->sema, false);
      return;
    }
  }
}

/* ---- internal entry points (rwmutex.c, once.c, cond.c) ----------------- */

void mutex_lock_for(weft_mutex *m, wait_reason reason, const void *obj) {
  uint32_t unlocked = 0;
  if (likely(__atomic_compare_exchange_n(&m->state, &unlocked, MUTEX_LOCKED, false, ACQUIRE,
                                         RELAXED))) {
    mutex_acquired(m);
    return;
  }
  mutex_lock_slow(m, reason, obj);
}

bool mutex_trylock_raw(weft_mutex *m) {
  uint32_t old = __atomic_load_n(&m->state, RELAXED);
  if (old & (MUTEX_LOCKED | MUTEX_STARVING)) return false;
  if (!__atomic_compare_exchange_n(&m->state, &old, old | MUTEX_LOCKED, false, ACQUIRE, RELAXED))
    return false;
  mutex_acquired(m);
  return true;
}

void mutex_unlock_raw(weft_mutex *m) {
  SYNC_RACE_RELEASE(m);
  uint32_t new = mutex_release(m);
  if (unlikely(new != 0)) mutex_unlock_slow(m, new);
}

/* ---- public API (weft/sync.h inlines the first lines of lock/unlock) --- */

SYNC_API void weft_mutex_lock(weft_mutex *m) {
  sync_copy_check(&m->self, m, mutex_type);
  mutex_lock_for(m, WAIT_MUTEX_LOCK, m);
}

SYNC_API void weft_mutex_lock_slow_(weft_mutex *m) {
  mutex_lock_slow(m, WAIT_MUTEX_LOCK, m);
}

SYNC_API bool weft_mutex_trylock(weft_mutex *m) {
  sync_copy_check(&m->self, m, mutex_type);
  return mutex_trylock_raw(m);
}

SYNC_API void weft_mutex_unlock(weft_mutex *m) {
  sync_copy_check(&m->self, m, mutex_type);
  mutex_unlock_raw(m);
}

SYNC_API void weft_mutex_unlock_slow_(weft_mutex *m) {
  mutex_unlock_raw(m);
}
