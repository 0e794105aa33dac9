/*
 * cond.c - weft_cond, Go's sync.Cond.
 *
 * Tickets (Go's notifyList). wait_ticket counts waiters ever announced;
 * notify_ticket counts waiters ever woken. A waiter takes ticket
 * t = wait_ticket++ while it still holds the mutex, THEN unlocks the mutex
 * and parks until notify_ticket has passed t. Taking the ticket before
 * unlocking is what makes wait atomic with respect to signal: a signal
 * that comes after the unlock (and so after the waiter checked its
 * condition) sees the ticket and wakes that waiter, even if the waiter has
 * not reached its park yet -- it will find notify_ticket > t and not park.
 *
 * Waiters park on a list (behind the cond's own internal lock) in
 * arrival order. signal advances notify_ticket by one and wakes the waiter
 * holding the old value, if it has parked; broadcast advances notify_ticket
 * to wait_ticket and wakes the whole list. Tickets are uint32 and compared
 * by signed difference, so they may wrap.
 *
 * Both have a lock-free fast path: when wait_ticket == notify_ticket no
 * one waits and there is nothing to do (Go's too). Waiters add to
 * wait_ticket while holding the mutex; a signaller that wants to be sure
 * to see them holds the mutex too, as the usual pattern does.
 *
 * "Wait without holding the mutex". Go's Cond.Wait calls c.L.Unlock(),
 * which on an unlocked sync.Mutex dies with "fatal error: sync: unlock of
 * unlocked mutex". weft checks the mutex's LOCKED bit before touching
 * anything (so the report is clean, not a corrupted state) and reports
 * exactly Go's words. Since mutexes have no owner (in Go and here), a
 * mutex locked by somebody else cannot be told apart; as in Go, wait then
 * unlocks the other holder's mutex.
 *
 * A cond makes no happens-before edge of its own (SPEC section 4); all
 * ordering users rely on comes from the mutex, which wait unlocks and
 * relocks. The internal waker->waiter edge (sync_waiter.woken) is only
 * for the implementation's own fields.
 */
#include "sync/sync_private.h"

static const char cond_type[] = "weft_cond";

static inline bool ticket_before(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) < 0;
}

SYNC_API void weft_cond_wait(weft_cond *c) {
  sync_copy_check(&c->self, c, cond_type);
  weft_mutex *m = c->mutex;
  if (!m)
    rt_panic("sync: weft_cond_wait on a weft_cond without a mutex "
             "(initialise it with WEFT_COND_INIT(&mutex))");
  if (!(__atomic_load_n(&m->state, RELAXED) & MUTEX_LOCKED))
    rt_fatal("sync: unlock of unlocked mutex");

  uint32_t t = __atomic_fetch_add(&c->wait_ticket, 1, RELAXED);
  weft_mutex_unlock(m);

  rt_lock *lock = sync_lock_of(&c->lock);
  rt_lock_acquire(lock);
  if (ticket_before(t, __atomic_load_n(&c->notify_ticket, RELAXED))) {
    rt_lock_release(lock);           /* signalled between unlock and here */
  } else {
    struct sync_waiter w = {.g = rt_current(), .ticket = t};
    if (c->tail) ((struct sync_waiter *)c->tail)->next = &w;
    else c->head = &w;
    c->tail = &w;
    rt_park(WAIT_COND_WAIT, c, sync_commit_unlock, lock);
    waiter_check_woken(&w);
  }
  weft_mutex_lock(m);
}

SYNC_API void weft_cond_signal(weft_cond *c) {
  sync_copy_check(&c->self, c, cond_type);
  if (__atomic_load_n(&c->wait_ticket, RELAXED) == __atomic_load_n(&c->notify_ticket, RELAXED))
    return;
  rt_lock *lock = sync_lock_of(&c->lock);
  rt_lock_acquire(lock);
  uint32_t t = __atomic_load_n(&c->notify_ticket, RELAXED);
  if (t == __atomic_load_n(&c->wait_ticket, RELAXED)) {
    rt_lock_release(lock);
    return;
  }
  __atomic_store_n(&c->notify_ticket, t + 1, RELAXED);
  /* The holder of ticket t is almost always at the head (tickets are
   * taken and queued in order, except that taking and queueing are two
   * steps); if it has not queued yet it will see it was notified. */
  struct sync_waiter *prev = NULL;
  for (struct sync_waiter *w = c->head; w; prev = w, w = w->next) {
    if (w->ticket != t) continue;
    if (prev) prev->next = w->next;
    else c->head = w->next;
    if (c->tail == w) c->tail = prev;
    rt_lock_release(lock);
    waiter_wake(w);
    return;
  }
  rt_lock_release(lock);
}

SYNC_API void weft_cond_broadcast(weft_cond *c) {
  sync_copy_check(&c->self, c, cond_type);
  if (__atomic_load_n(&c->wait_ticket, RELAXED) == __atomic_load_n(&c->notify_ticket, RELAXED))
    return;
  rt_lock *lock = sync_lock_of(&c->lock);
  rt_lock_acquire(lock);
  struct sync_waiter *w = c->head;
  c->head = c->tail = NULL;
  __atomic_store_n(&c->notify_ticket, __atomic_load_n(&c->wait_ticket, RELAXED), RELAXED);
  rt_lock_release(lock);
  while (w) {
    struct sync_waiter *next = w->next;   /* w is gone once woken */
    waiter_wake(w);
    w = next;
  }
}
