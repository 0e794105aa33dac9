/*
 * chan_private.h - what chan.c, select.c and timechan.c share (private).
 *
 * The channel (Go's hchan) and the waiter record (Go's sudog). See chan.c
 * for the design; the rules every file follows are:
 *
 *   - c->lock (an rt_lock) guards every field of a channel except the
 *     immutable ones (elem_size, cap, buf, timer). The few fields that the
 *     lock-free fast paths read (qcount, closed, recvq.first, sendq.first)
 *     are written with relaxed atomic stores under the lock and read with
 *     relaxed atomic loads outside it (CHAN_LOAD/CHAN_STORE).
 *   - Invariants under the lock: at least one of sendq and recvq is empty,
 *     except when both hold sudogs of selects (a select's sudogs are queued
 *     on every channel it waits on, and a select never matches itself);
 *     a buffered channel with waiting receivers has an empty buffer, and
 *     one with waiting senders has a full buffer.
 *   - A sudog lives on the stack of the goroutine (or thread) that waits,
 *     which stays parked until its waker calls rt_ready; so a waker may
 *     touch a sudog it dequeued, under the channel lock or after, up to its
 *     rt_ready call, and never after.
 *   - Several locks (select) are always taken in increasing address order.
 *   - A waker passes the sudog that completed through g->param and the
 *     outcome through sudog->success (false: woken by close).
 */
#ifndef WEFT_CHAN_CHAN_PRIVATE_H
#define WEFT_CHAN_CHAN_PRIVATE_H

#include <string.h>

#include "race/race.h"
#include "runtime/runtime.h"

/* The public API (weft/chan.h): exported from the shared library, which is
 * built with hidden visibility for everything else. */
#define CHAN_API __attribute__((visibility("default")))

#define CHAN_LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define CHAN_STORE(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* A goroutine (or foreign thread) waiting on one channel (Go's sudog). */
struct sudog {
  struct weft_g *g;
  struct sudog *next, *prev;     /* in the channel's sendq or recvq */
  void *elem;                    /* send: source (NULL: zeroes); recv: destination (NULL: discard) */
  struct weft_chan *c;
  _Atomic uint32_t *select_done; /* a select's "already won" flag; NULL for a plain op */
  bool success;                  /* set by the waker: false means woken by close */
};

struct waitq {
  struct sudog *first, *last;
};

/*
 * Layout: the lock and the immutable fields share the first cache line;
 * the state the critical sections write gets a line of its own. Threads
 * waiting for a contended lock keep reading the lock's line; if the state
 * shared it, every write the holder made would first have to win the line
 * back from them. The ring starts on the next line.
 */
#define CHAN_LINE 64
struct weft_chan {
  rt_lock lock;
  bool timer;                    /* belongs to a timer or ticker (immutable) */
  size_t cap;                    /* ring size (immutable) */
  size_t elem_size;              /* immutable */
  char *buf;                     /* the ring, after the struct (immutable) */
  void *bubble;                  /* synctest bubble of the creator, if any (immutable) */

  _Alignas(CHAN_LINE) size_t qcount; /* elements in buf; CHAN_LOAD outside the lock */
  size_t sendx, recvx;           /* ring indices */
  struct waitq recvq, sendq;     /* blocked receivers / senders, FIFO */
  uint32_t closed;               /* 0/1; CHAN_LOAD outside the lock */
};
_Static_assert(sizeof(struct weft_chan) == 2 * CHAN_LINE, "weft_chan is two cache lines");

/* ---- the channel lock ------------------------------------------------------
 *
 * A plain rt_lock. Channels are the runtime's most contended locks
 * (producers and consumers on different workers hit the same one for every
 * element); rt_lock_slow's back-off between looks was first measured here:
 * on 2 workers, fan-in of 8 producers 110-170 -> 31-34 ns per element,
 * select over 4 channels ~75 -> 37-48 ns, producer/consumer 31-47 ->
 * 27-28 ns, against a waiter that re-read the lock on every pause.
 */
static inline void chan_lock(struct weft_chan *c) { rt_lock_acquire(&c->lock); }

/* ---- element copies --------------------------------------------------- */

/* Copies one element; src NULL means a zero element. The common sizes get
 * inline moves instead of a memcpy call. */
static inline void elem_copy(void *dst, const void *src, size_t size) {
  if (unlikely(!src)) {
    memset(dst, 0, size);
  } else if (likely(size == 8)) {
    memcpy(dst, src, 8);
  } else if (size == 4) {
    memcpy(dst, src, 4);
  } else {
    memcpy(dst, src, size);
  }
}

static inline void *chan_slot(struct weft_chan *c, size_t i) {
  return c->buf + i * c->elem_size;
}

/* ---- happens-before events for the race detector ---------------------------
 *
 * Empty in the normal library (race/race.h). The edges are Go's (chan.go
 * with raceenabled), expressed with the current goroutine's acquire and
 * release only:
 *   - a buffer slot carries a clock: every operation that passes a value
 *     through slot i acquires and then releases it (Go's racenotify), which
 *     makes the k-th receive happen before the (k+cap)-th send completes;
 *   - a hand-off to a parked partner goes through the partner's sudog: the
 *     parker releases its clock there before parking, the waker acquires
 *     it, (buffered: passes the slot as above,) and releases its own clock
 *     there, which the partner acquires once woken. On an unbuffered
 *     channel that is exactly Go's racesync (both directions); on a
 *     buffered one it adds a receiver -> sender edge Go does not make,
 *     which can only hide a race, never report a false one;
 *   - close releases the channel's own address; a receive that returns
 *     false because of it acquires it.
 * And the memory the library touches on the user's behalf, reported at the
 * user's call site (pc): a send reads its element and the channel's own
 * address (so a send racing a close is a race, as in Go: close writes it);
 * a receive writes its element once it has the value. pc NULL (sends the
 * runtime makes itself, such as a timer's) reports no access. len and cap
 * report nothing, as in Go.
 */
static inline const void *chan_race_addr(struct weft_chan *c) { return &c->closed; }

/* The public function's caller, only needed by the race flavour. */
#if WEFT_RACE
#define CHAN_CALLER_PC() ((const void *)__builtin_return_address(0))
#else
#define CHAN_CALLER_PC() ((const void *)0)
#endif

static inline void chan_race_send(struct weft_chan *c, const void *elem, const void *pc) {
  if (!pc) return;
  race_read_range_pc(chan_race_addr(c), 1, pc);
  if (elem && c->elem_size) race_read_range_pc(elem, c->elem_size, pc);
}

static inline void chan_race_received(struct weft_chan *c, void *elem, const void *pc) {
  if (pc && elem && c->elem_size) race_write_range_pc(elem, c->elem_size, pc);
}

static inline void chan_race_slot(struct weft_chan *c, size_t i) {
  /* Elements of size 0 share one address, as in Go; not buf, which for
   * them points just past the allocation. */
  const void *addr = c->elem_size ? chan_slot(c, i) : (const void *)&c->recvx;
  race_acquire(addr);
  race_release(addr);
}

/* Waker side of a hand-off to the parked sg (c->lock held). */
static inline void chan_race_handoff(struct weft_chan *c, struct sudog *sg) {
  race_acquire(sg);
  if (c->cap) chan_race_slot(c, c->recvx);
  race_release(sg);
}

/* ---- wait queues (c->lock held) ----------------------------------------- */

static inline void waitq_enqueue(struct waitq *q, struct sudog *sg) {
  sg->next = NULL;
  struct sudog *last = q->last;
  sg->prev = last;
  if (last) {
    last->next = sg;
  } else {
    CHAN_STORE(q->first, sg);
  }
  q->last = sg;
}

/*
 * Removes and returns the first waiter that may be woken, or NULL. A select
 * waiter is queued on several channels and only the first waker to flip its
 * select_done flag may complete it; a waiter whose select was already won
 * elsewhere is dropped from this queue and skipped (its goroutine, once
 * running, will find it already gone; see waitq_remove).
 */
static inline struct sudog *waitq_dequeue(struct waitq *q) {
  for (;;) {
    struct sudog *sg = q->first;
    if (!sg) return NULL;
    struct sudog *next = sg->next;
    if (next) {
      next->prev = NULL;
      sg->next = NULL;
    } else {
      q->last = NULL;
    }
    CHAN_STORE(q->first, next);
    if (sg->select_done) {
      uint32_t expected = 0;
      if (!atomic_compare_exchange_strong_explicit(sg->select_done, &expected, 1,
                                                   memory_order_acq_rel, memory_order_acquire))
        continue;
    }
    return sg;
  }
}

/* Removes sg if it is still queued on q (a select cleaning up its losing
 * cases). A sudog that waitq_dequeue took has prev == next == NULL and is
 * not q->first. */
static inline void waitq_remove(struct waitq *q, struct sudog *sg) {
  struct sudog *prev = sg->prev, *next = sg->next;
  if (prev) {
    prev->next = next;
    if (next) next->prev = prev;
    else q->last = prev;
  } else if (next) {
    next->prev = NULL;
    CHAN_STORE(q->first, next);
  } else if (q->first == sg) {
    CHAN_STORE(q->first, (struct sudog *)NULL);
    q->last = NULL;
  }
  sg->prev = sg->next = NULL;
}

/* ---- shared by chan.c and select.c --------------------------------------- */

/* park commit: releases the one channel lock passed as arg. */
bool chan_commit_unlock(struct weft_g *g, void *lock);

/*
 * The transfers, with c->lock held. Each completes the partner's sudog
 * (copies, sets success and g->param) and returns nothing; the caller
 * releases its lock(s) and then calls rt_ready(sg->g).
 *   chan_send_to:     sg is a receiver dequeued from c->recvq
 *   chan_recv_from:   sg is a sender dequeued from c->sendq
 *   chan_buf_put/get: the ring has room / holds an element
 */
static inline void chan_send_to(struct weft_chan *c, struct sudog *sg, const void *elem) {
  chan_race_handoff(c, sg);
  if (sg->elem) elem_copy(sg->elem, elem, c->elem_size);
  if (c->cap) {
    /* The ring is empty (a receiver waits): as in Go, the value counts as
     * having passed through slot recvx, so both indices move on together
     * and slot k keeps meaning "the k-th element modulo cap". */
    if (++c->recvx == c->cap) c->recvx = 0;
    c->sendx = c->recvx;
  }
  sg->success = true;
  sg->g->param = sg;
}

static inline void chan_recv_from(struct weft_chan *c, struct sudog *sg, void *elem) {
  chan_race_handoff(c, sg);
  if (c->cap == 0) {
    if (elem) elem_copy(elem, sg->elem, c->elem_size);
  } else {
    /* The ring is full: take its head, and put the sender's element in the
     * slot just freed, which is the tail (sendx == recvx when full). */
    void *slot = chan_slot(c, c->recvx);
    if (elem) elem_copy(elem, slot, c->elem_size);
    elem_copy(slot, sg->elem, c->elem_size);
    if (++c->recvx == c->cap) c->recvx = 0;
    c->sendx = c->recvx;
  }
  sg->success = true;
  sg->g->param = sg;
}

static inline void chan_buf_put(struct weft_chan *c, const void *elem) {
  chan_race_slot(c, c->sendx);
  elem_copy(chan_slot(c, c->sendx), elem, c->elem_size);
  if (++c->sendx == c->cap) c->sendx = 0;
  CHAN_STORE(c->qcount, c->qcount + 1);
}

static inline void chan_buf_get(struct weft_chan *c, void *elem) {
  chan_race_slot(c, c->recvx);
  void *slot = chan_slot(c, c->recvx);
  if (elem) elem_copy(elem, slot, c->elem_size);
  if (++c->recvx == c->cap) c->recvx = 0;
  CHAN_STORE(c->qcount, c->qcount - 1);
}

/* Lock-free "would block" tests (Go's full/empty): true means the
 * operation cannot proceed right now (ignoring close). */
static inline bool chan_full(struct weft_chan *c) {
  if (c->cap == 0) return CHAN_LOAD(c->recvq.first) == NULL;
  return CHAN_LOAD(c->qcount) == c->cap;
}
static inline bool chan_empty(struct weft_chan *c) {
  if (c->cap == 0) return CHAN_LOAD(c->sendq.first) == NULL;
  return CHAN_LOAD(c->qcount) == 0;
}

/* Non-blocking operations (chan.c): the locked part of chan_try_send/recv
 * below (they take c->lock themselves), and the same entered with c->lock
 * already held (released on return). pc: the user's call site for the race
 * flavour, NULL for the runtime's own operations. */
bool chan_try_send_slow(struct weft_chan *c, const void *elem, const void *pc);
bool chan_try_recv_slow(struct weft_chan *c, void *elem, bool *ok, const void *pc);
bool chan_try_send_locked(struct weft_chan *c, const void *elem, const void *pc);
bool chan_try_recv_locked(struct weft_chan *c, void *elem, bool *ok, const void *pc);
/* The blocking send/receive, entered with c->lock held (a select of one
 * case, which is the plain operation but with the select's caller as pc). */
void chan_send_blocking(struct weft_chan *c, const void *elem, const void *pc);
void chan_recv_blocking(struct weft_chan *c, void *elem, bool *ok, const void *pc);

/*
 * Non-blocking send/receive (a select of one case with a default). Inline,
 * so that the common "not ready" answer costs two loads and no call.
 * chan_try_send returns false if it would block (a closed channel panics);
 * chan_try_recv returns false if it would block, else true with *ok set.
 * Why the lock-free answers are exact: see chan.c, "Fast paths".
 */
static inline bool chan_try_send(struct weft_chan *c, const void *elem, const void *pc) {
  if (!c) return false;
  chan_race_send(c, elem, pc);
  /* Not closed, then full: at some moment between the two loads it was
   * neither closed nor able to take a value (Go's chansend argument). */
  if (CHAN_LOAD(c->closed) == 0 && chan_full(c)) return false;
  return chan_try_send_slow(c, elem, pc);
}

static inline bool chan_try_recv(struct weft_chan *c, void *elem, bool *ok, const void *pc) {
  if (!c) return false;
  if (chan_empty(c)) {
    /* Empty, then not closed: could not proceed at the first load. */
    if (CHAN_LOAD(c->closed) == 0) return false;
    /* Closed; it cannot reopen, so if it is still empty it stays empty. */
    if (chan_empty(c)) {
      race_acquire(chan_race_addr(c));
      if (elem) memset(elem, 0, c->elem_size);
      chan_race_received(c, elem, pc);
      *ok = false;
      return true;
    }
  }
  return chan_try_recv_slow(c, elem, ok, pc);
}

/* Timer channels (timechan.c): marks a channel as owned by a timer, and
 * frees one. */
struct weft_chan *chan_make_timer(void);
void chan_free_timer(struct weft_chan *c);

#endif
