/*
 * chan.c - channels: make, send, receive, close, len, cap, free.
 *
 * The design is Go's runtime/chan.go, in C.
 *
 * A channel is one allocation: the header (struct weft_chan, see
 * chan_private.h) followed by its ring of cap elements. One internal lock
 * (rt_lock, a futex mutex held for a few dozen instructions, taken through
 * chan_lock, see chan_private.h) guards it.
 * Blocked operations wait in two FIFO queues of sudogs, recvq and sendq.
 * A sudog is a small record on the waiting goroutine's own stack (or the
 * waiting thread's): the goroutine, the address of its element, and
 * links. Waiting therefore allocates nothing, and a waiter is woken by
 * whoever completes its operation, who copies the element directly
 * between the two parties' buffers (Go's sendDirect/recvDirect):
 *
 *   send:  a receiver is waiting   -> copy into its buffer, wake it
 *          room in the ring        -> copy into the ring
 *          otherwise               -> enqueue on sendq and park
 *   recv:  a sender is waiting     -> unbuffered: copy from its buffer;
 *                                     buffered (so the ring is full): take
 *                                     the ring's head, move the sender's
 *                                     element into the freed tail; wake it
 *          ring not empty          -> copy out of the ring
 *          closed                  -> zero the element, return false
 *          otherwise               -> enqueue on recvq and park
 *
 * Invariants (c->lock held): at least one of sendq and recvq holds no
 * plain waiter; waiting receivers imply an empty ring, waiting senders a
 * full one (cap 0 counts as both). These are why the checks above are
 * complete, and why a woken waiter never retries: its operation was done
 * for it by the waker, who reports the outcome in sudog->success (false:
 * the channel was closed) and passes the sudog in g->param.
 *
 * Parking follows runtime.h's lost-wakeup rule: the waiter enqueues itself
 * with c->lock held and parks with a commit that releases it, so a waker
 * (who must take the lock to find the sudog) can only see a goroutine that
 * is already off its stack. Wakers release the lock before rt_ready, so the
 * woken goroutine never spins on a lock its waker still holds.
 *
 * Fast paths without the lock, as in Go: a non-blocking operation that
 * cannot proceed (select with one case and a default on an empty or full
 * channel) returns after two relaxed loads. Correctness: a channel, once
 * closed, stays closed, so observing "not ready" and then "not closed"
 * means that at the moment of the first load the operation could not have
 * proceeded (Go's chanrecv comment explains the ordering at length).
 *
 * Close collects every waiter under the lock, marks each one failed, and
 * wakes them after releasing it. Woken receivers return false with a zero
 * element; woken senders panic, as in Go.
 *
 * Alternatives rejected:
 *   - A lock-free ring for buffered channels (as in some C channel
 *     libraries): the uncontended lock costs two atomics, the same as a
 *     lock-free MPMC slot claim plus publish, and close, waiter hand-off and
 *     select over several channels all need a consistent snapshot of
 *     buffer and queues, which a lock gives for free.
 *   - Heap-allocated waiters: a waiter cannot return before it is woken,
 *     so its own stack is the natural home; no allocator on the hot path.
 *   - Waking with the lock held: simpler, but the woken goroutine may run
 *     at once on another worker and immediately contend on the lock.
 */
#include <stdint.h>
#include <stdlib.h>

#include "chan/chan_private.h"

bool chan_commit_unlock(struct weft_g *g, void *lock) {
  (void)g;
  rt_lock_release((rt_lock *)lock);
  return true;
}

/* ---- make, free ----------------------------------------------------------- */

static struct weft_chan *chan_alloc(size_t elem_size, size_t cap) {
  size_t header = sizeof(struct weft_chan);
  if (elem_size && cap > (SIZE_MAX / 2 - header) / elem_size)
    rt_panic("makechan: size out of range");
  void *mem = NULL;
  if (posix_memalign(&mem, CHAN_LINE, header + elem_size * cap) != 0)
    rt_fatal("out of memory: cannot allocate a channel of %zu x %zu bytes", cap, elem_size);
  struct weft_chan *c = mem;
  memset(c, 0, sizeof *c);
  c->cap = cap;
  c->elem_size = elem_size;
  c->buf = (char *)c + header;
  struct weft_g *g = rt_goroutine();
  c->bubble = g ? g->bubble : NULL;
  return c;
}

CHAN_API weft_chan *weft_chan_make(size_t elem_size, size_t cap) {
  return chan_alloc(elem_size, cap);
}

struct weft_chan *chan_make_timer(void) {
  struct weft_chan *c = chan_alloc(sizeof(weft_time), 1);
  c->timer = true;
  return c;
}

static void chan_destroy(struct weft_chan *c) {
  chan_lock(c);
  bool busy = c->recvq.first || c->sendq.first;
  rt_lock_release(&c->lock);
  if (busy)
    rt_fatal("weft_chan_free: channel %p (elem size %zu, cap %zu) has blocked goroutines",
             (void *)c, c->elem_size, c->cap);
  free(c);
}

CHAN_API void weft_chan_free(weft_chan *c) {
  if (!c) return;
  if (c->timer)
    rt_panic("weft_chan_free: channel %p belongs to a timer or ticker; free that instead", (void *)c);
  chan_destroy(c);
}

void chan_free_timer(struct weft_chan *c) {
  chan_destroy(c);
}

/* ---- send ------------------------------------------------------------------ */

_Noreturn static void block_forever(wait_reason reason) {
  rt_park(reason, NULL, NULL, NULL);
  rt_fatal("goroutine woken from a wait that has no waker (%s)", wait_reason_name(reason));
}

/* Blocks on c->sendq; c->lock held, released by the park. */
static void send_park(struct weft_chan *c, const void *elem) {
  struct sudog sg = {.g = rt_current(), .elem = (void *)elem, .c = c};
  sg.g->param = NULL;
  waitq_enqueue(&c->sendq, &sg);
  race_release(&sg);
  rt_park(WAIT_CHAN_SEND, c, chan_commit_unlock, &c->lock);
  if (unlikely(!sg.success)) rt_panic("send on closed channel");
  race_acquire(&sg);
}

/*
 * The body of a send with c->lock held (released on every path). Returns
 * false only when !block and the send would have to wait.
 */
static bool send_locked(struct weft_chan *c, const void *elem, bool block, const void *pc) {
  chan_race_send(c, elem, pc);
  if (unlikely(c->closed)) {
    rt_lock_release(&c->lock);
    rt_panic("send on closed channel");
  }
  struct sudog *sg = waitq_dequeue(&c->recvq);
  if (sg) {
    chan_send_to(c, sg, elem);
    rt_lock_release(&c->lock);
    rt_ready(sg->g);
    return true;
  }
  if (c->qcount < c->cap) {
    chan_buf_put(c, elem);
    rt_lock_release(&c->lock);
    return true;
  }
  if (!block) {
    rt_lock_release(&c->lock);
    return false;
  }
  send_park(c, elem);
  return true;
}

CHAN_API void weft_chan_send(weft_chan *c, const void *elem) {
  if (unlikely(!c)) block_forever(WAIT_CHAN_SEND_NIL);
  chan_lock(c);
  send_locked(c, elem, true, CHAN_CALLER_PC());
}

void chan_send_blocking(struct weft_chan *c, const void *elem, const void *pc) {
  send_locked(c, elem, true, pc);
}

bool chan_try_send_locked(struct weft_chan *c, const void *elem, const void *pc) {
  return send_locked(c, elem, false, pc);
}

bool chan_try_send_slow(struct weft_chan *c, const void *elem, const void *pc) {
  chan_lock(c);
  return send_locked(c, elem, false, pc);
}

/* ---- receive ---------------------------------------------------------------- */

static bool recv_park(struct weft_chan *c, void *elem) {
  struct sudog sg = {.g = rt_current(), .elem = elem, .c = c};
  sg.g->param = NULL;
  waitq_enqueue(&c->recvq, &sg);
  race_release(&sg);
  rt_park(WAIT_CHAN_RECV, c, chan_commit_unlock, &c->lock);
  race_acquire(sg.success ? (const void *)&sg : chan_race_addr(c));
  return sg.success;
}

/*
 * The body of a receive with c->lock held (released on every path).
 * Returns false only when !block and the receive would have to wait;
 * otherwise *ok tells whether a value came.
 */
static bool recv_locked(struct weft_chan *c, void *elem, bool block, bool *ok, const void *pc) {
  struct sudog *sg = waitq_dequeue(&c->sendq);
  if (sg) {
    chan_recv_from(c, sg, elem);
    rt_lock_release(&c->lock);
    rt_ready(sg->g);
    *ok = true;
  } else if (c->qcount > 0) {
    chan_buf_get(c, elem);
    rt_lock_release(&c->lock);
    *ok = true;
  } else if (c->closed) {
    race_acquire(chan_race_addr(c));
    rt_lock_release(&c->lock);
    if (elem) memset(elem, 0, c->elem_size);
    *ok = false;
  } else if (!block) {
    rt_lock_release(&c->lock);
    return false;
  } else {
    *ok = recv_park(c, elem);
  }
  chan_race_received(c, elem, pc);
  return true;
}

CHAN_API bool weft_chan_recv(weft_chan *c, void *elem) {
  if (unlikely(!c)) block_forever(WAIT_CHAN_RECV_NIL);
  bool ok;
  chan_lock(c);
  recv_locked(c, elem, true, &ok, CHAN_CALLER_PC());
  return ok;
}

void chan_recv_blocking(struct weft_chan *c, void *elem, bool *ok, const void *pc) {
  recv_locked(c, elem, true, ok, pc);
}

bool chan_try_recv_locked(struct weft_chan *c, void *elem, bool *ok, const void *pc) {
  return recv_locked(c, elem, false, ok, pc);
}

bool chan_try_recv_slow(struct weft_chan *c, void *elem, bool *ok, const void *pc) {
  chan_lock(c);
  return recv_locked(c, elem, false, ok, pc);
}

/* ---- close ------------------------------------------------------------------- */

CHAN_API void weft_chan_close(weft_chan *c) {
  if (!c) rt_panic("close of nil channel");
  if (c->timer) rt_panic("close of the channel of a timer or ticker (%p)", (void *)c);
  chan_lock(c);
  if (c->closed) {
    rt_lock_release(&c->lock);
    rt_panic("close of closed channel");
  }
  CHAN_STORE(c->closed, 1);
  race_write_range_pc(chan_race_addr(c), 1, CHAN_CALLER_PC());
  race_release(chan_race_addr(c));
  /* Collect every waiter in queue order, linked through sudog->next (free
   * once dequeued), and wake them after the lock is released. */
  struct sudog *wake = NULL, **tail = &wake, *sg;
  while ((sg = waitq_dequeue(&c->recvq))) {
    if (sg->elem) memset(sg->elem, 0, c->elem_size);
    sg->success = false;
    sg->g->param = sg;
    *tail = sg;
    tail = &sg->next;
  }
  while ((sg = waitq_dequeue(&c->sendq))) {
    sg->success = false;
    sg->g->param = sg;
    *tail = sg;
    tail = &sg->next;
  }
  *tail = NULL;
  rt_lock_release(&c->lock);
  while (wake) {
    sg = wake;
    wake = sg->next;     /* read before rt_ready: after it sg may be gone */
    rt_ready(sg->g);
  }
}

/* ---- len, cap ------------------------------------------------------------------ */

CHAN_API size_t weft_chan_len(weft_chan *c) {
  if (!c || c->timer) return 0;
  return CHAN_LOAD(c->qcount);
}

CHAN_API size_t weft_chan_cap(weft_chan *c) {
  if (!c || c->timer) return 0;
  return c->cap;
}
