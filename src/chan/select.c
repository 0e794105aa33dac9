/*
 * select.c - Go's select statement over weft channels.
 *
 * The design is Go's runtime/select.go (selectgo), in C.
 *
 * Orders. Each select works with two permutations of its live cases
 * (cases whose channel is NULL are left out, which is what makes a NULL
 * channel "never ready"); the second is built only when the fast path
 * below found nothing:
 *   pollorder  a uniformly random shuffle (inside-out Fisher-Yates): the
 *              order in which cases are tried, so that among ready cases
 *              each is chosen with equal probability;
 *   lockorder  the cases sorted by channel address: the order in which the
 *              channels' locks are taken. Every select (and every plain
 *              operation, which takes one lock) then acquires locks in one
 *              global order, so two selects over the same channels in
 *              different orders cannot deadlock. A channel listed in
 *              several cases sorts into a run of equal addresses and is
 *              locked and unlocked once.
 *
 * Fast path (not in Go): try each case in pollorder under its own
 * channel's lock alone, skipping cases that a lock-free look (the same one
 * as the one-case non-blocking path) says cannot proceed; the first case
 * that proceeds is the select's choice. This is exact: the select takes
 * effect at that operation, when that case was ready, and which ready
 * case wins is still decided by the random pollorder. It costs one lock
 * instead of one per channel, and no lockorder sort, whenever some case is
 * ready, which under load is nearly always. Only when it finds nothing
 * does the select fall back to Go's algorithm, which needs one moment at
 * which no case was ready (to return -1, or to wait without missing a
 * wake-up), and so must hold every lock at once.
 *
 * Then, with every channel locked:
 *   pass 1  try each case in pollorder; the first that can proceed is done
 *           exactly as a plain send/receive would do it (chan_private.h),
 *           the locks are dropped, the partner woken, its index returned.
 *           weft_select_default returns -1 here if none could.
 *   pass 2  enqueue one sudog per case on its channel (all on this
 *           goroutine's stack), and park with a commit that unlocks every
 *           channel.
 *   pass 3  once woken, lock every channel again, find which sudog the
 *           waker completed (g->param), and dequeue the others.
 *
 * Winning. While parked, the select is queued on every channel it waits
 * on, so several wakers may find it at once. They race on one flag shared
 * by its sudogs, select_done (Go's g.selectDone): waitq_dequeue flips it
 * with a CAS, and only the waker that flipped it completes the operation
 * and readies the goroutine; the others drop that sudog from their queue
 * and look for another waiter. So exactly one case completes, and the
 * goroutine is readied exactly once. The losing sudogs stay queued on the
 * other channels until pass 3 removes them (it may find some already
 * dropped; waitq_remove allows for that).
 *
 * Lifetimes. The cases, orders and sudogs live in this call's frame. A
 * waker touches a sudog only under its channel's lock, and pass 3 takes
 * every lock before returning, so no waker can be looking at the frame
 * after the call returns. The park's commit releases the locks one by one;
 * the goroutine may be woken through the first channel unlocked, but it
 * cannot get past pass 3's locking before the commit has released the
 * last lock, and the commit touches nothing after that.
 *
 * A select of one case is the plain operation (Go's compiler makes the
 * same rewrite), and one case with a default is the non-blocking operation
 * with its lock-free "not ready" check. With several cases and a default,
 * Go locks every channel before answering, and so do we: a lock-free scan
 * of several channels could report "none ready" when at no single moment
 * were all of them not ready.
 *
 * The shuffle's random numbers come from a per-thread generator (wyrand).
 * It is read only in select_shuffle, a separate non-inlined function that
 * never parks, because a goroutine may resume on another thread and a
 * thread-local address computed before a park would be another thread's
 * afterwards.
 */
#include <stdint.h>
#include <stdlib.h>

#include "chan/chan_private.h"

/* Up to this many cases, the orders and sudogs live on the stack. */
#define SELECT_STACK_CASES 16

/* ---- orders --------------------------------------------------------------- */

/* Per-thread random state for the shuffle; owned by the thread. */
static __thread uint64_t select_rng __attribute__((tls_model("initial-exec")));

static inline uint64_t wyrand(uint64_t *state) {
  *state += 0xa0761d6478bd642fULL;
  __uint128_t t = (__uint128_t)*state * (*state ^ 0xe7037ed1a0b428dbULL);
  return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

static inline uintptr_t case_key(const weft_case *cases, uint32_t i) {
  return (uintptr_t)cases[i].chan;
}

static void sort_small(const weft_case *cases, uint32_t *order, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint32_t x = order[i];
    uintptr_t key = case_key(cases, x);
    size_t j = i;
    for (; j > 0 && case_key(cases, order[j - 1]) > key; j--) order[j] = order[j - 1];
    order[j] = x;
  }
}

/* Heapsort: no recursion, no allocation, O(n log n) for large selects. */
static void sift(const weft_case *cases, uint32_t *order, size_t root, size_t n) {
  uint32_t x = order[root];
  uintptr_t key = case_key(cases, x);
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) break;
    if (child + 1 < n && case_key(cases, order[child + 1]) > case_key(cases, order[child])) child++;
    if (case_key(cases, order[child]) <= key) break;
    order[root] = order[child];
    root = child;
  }
  order[root] = x;
}

static void sort_large(const weft_case *cases, uint32_t *order, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift(cases, order, i, n);
  for (size_t end = n; end-- > 1;) {
    uint32_t top = order[0];
    order[0] = order[end];
    order[end] = top;
    sift(cases, order, 0, end);
  }
}

/*
 * Fills pollorder with a uniformly random permutation of the live cases
 * (inside-out Fisher-Yates) and returns how many cases are live.
 * Never inlined and never parks: see the top of the file about the
 * thread-local random state.
 */
__attribute__((noinline)) static size_t select_shuffle(weft_case *cases, size_t n,
                                                       uint32_t *pollorder) {
  uint64_t rng = select_rng;
  if (unlikely(rng == 0)) rng = (uint64_t)rt_nanotime() ^ (uint64_t)(uintptr_t)&select_rng;
  size_t live = 0;
  for (size_t i = 0; i < n; i++) {
    weft_case *cas = &cases[i];
    if (!cas->chan) continue;
    if (unlikely(cas->op != WEFT_OP_SEND && cas->op != WEFT_OP_RECV))
      rt_panic("weft_select: case %zu has op %d (want WEFT_OP_SEND or WEFT_OP_RECV)", i, cas->op);
    size_t j = (size_t)(((wyrand(&rng) & 0xffffffffu) * (uint64_t)(live + 1)) >> 32);
    pollorder[live] = pollorder[j];
    pollorder[j] = (uint32_t)i;
    live++;
  }
  select_rng = rng | 1;
  return live;
}

/* Fills lockorder with the live cases sorted by channel address. */
static void select_sort(const weft_case *cases, const uint32_t *pollorder, uint32_t *lockorder,
                        size_t live) {
  memcpy(lockorder, pollorder, live * sizeof *lockorder);
  if (live <= 16) sort_small(cases, lockorder, live);
  else sort_large(cases, lockorder, live);
}

/* ---- locking all the channels ---------------------------------------------- */

static void select_lock(const weft_case *cases, const uint32_t *lockorder, size_t n) {
  struct weft_chan *last = NULL;
  for (size_t i = 0; i < n; i++) {
    struct weft_chan *c = cases[lockorder[i]].chan;
    if (c != last) {
      chan_lock(c);
      last = c;
    }
  }
}

static void select_unlock(const weft_case *cases, const uint32_t *lockorder, size_t n) {
  struct weft_chan *last = NULL;
  for (size_t i = 0; i < n; i++) {
    struct weft_chan *c = cases[lockorder[i]].chan;
    if (c != last) {
      rt_lock_release(&c->lock);
      last = c;
    }
  }
}

struct select_park {
  const weft_case *cases;
  const uint32_t *lockorder;
  size_t n;
};

/* The park's commit: unlock every channel. Reads its arguments (on the
 * parked goroutine's stack) only while at least one lock is still held;
 * see "Lifetimes" at the top of the file. */
static bool select_commit(struct weft_g *g, void *arg) {
  (void)g;
  const struct select_park *p = arg;
  const weft_case *cases = p->cases;
  const uint32_t *lockorder = p->lockorder;
  size_t n = p->n;
  struct weft_chan *last = NULL;
  for (size_t i = 0; i < n; i++) {
    struct weft_chan *c = cases[lockorder[i]].chan;
    if (c != last) {
      if (last) rt_lock_release(&last->lock);
      last = c;
    }
  }
  rt_lock_release(&last->lock);
  return true;
}

/* ---- the select ------------------------------------------------------------- */

/* Passes 2 and 3 (every channel locked on entry, unlocked on return). */
static int select_block(weft_case *cases, const uint32_t *lockorder, size_t n, const void *pc) {
  struct sudog stack_sudogs[SELECT_STACK_CASES];
  struct sudog *sudogs = n <= SELECT_STACK_CASES ? stack_sudogs : rt_malloc(n * sizeof *sudogs);
  _Atomic uint32_t done = 0;
  struct weft_g *g = rt_current();
  g->param = NULL;

  for (size_t k = 0; k < n; k++) {
    weft_case *cas = &cases[lockorder[k]];
    struct sudog *sg = &sudogs[k];
    *sg = (struct sudog){.g = g, .elem = cas->elem, .c = cas->chan, .select_done = &done};
    waitq_enqueue(cas->op == WEFT_OP_SEND ? &cas->chan->sendq : &cas->chan->recvq, sg);
  }
  for (size_t k = 0; k < n; k++) race_release(&sudogs[k]);
  struct select_park park = {cases, lockorder, n};
  rt_park(WAIT_SELECT, NULL, select_commit, &park);

  select_lock(cases, lockorder, n);
  struct sudog *won = g->param;
  g->param = NULL; /* it points into this frame */
  long casi = -1;
  for (size_t k = 0; k < n; k++) {
    weft_case *cas = &cases[lockorder[k]];
    if (&sudogs[k] == won) casi = (long)lockorder[k];
    else waitq_remove(cas->op == WEFT_OP_SEND ? &cas->chan->sendq : &cas->chan->recvq, &sudogs[k]);
  }
  select_unlock(cases, lockorder, n);
  if (unlikely(casi < 0)) rt_fatal("select: woken without a completed case");
  bool success = won->success;
  weft_case *cas = &cases[casi];
  race_acquire(success ? (const void *)won : chan_race_addr(cas->chan));
  if (sudogs != stack_sudogs) free(sudogs);

  if (cas->op == WEFT_OP_RECV) {
    cas->ok = success;
    chan_race_received(cas->chan, cas->elem, pc);
  } else {
    if (unlikely(!success)) rt_panic("send on closed channel");
    chan_race_send(cas->chan, cas->elem, pc);
  }
  return (int)casi;
}

_Noreturn static void select_forever(void) {
  rt_park(WAIT_SELECT_NO_CASES, NULL, NULL, NULL);
  rt_fatal("select with no cases was woken");
}

/* Pass 1, then pass 2/3 if block. Returns the chosen case or -1. */
static int select_run(weft_case *cases, const uint32_t *pollorder, const uint32_t *lockorder,
                      size_t live, bool block, const void *pc) {
  select_lock(cases, lockorder, live);
  for (size_t i = 0; i < live; i++) {
    uint32_t casi = pollorder[i];
    weft_case *cas = &cases[casi];
    struct weft_chan *c = cas->chan;
    struct sudog *sg;
    if (cas->op == WEFT_OP_RECV) {
      if ((sg = waitq_dequeue(&c->sendq))) {
        chan_recv_from(c, sg, cas->elem);
        select_unlock(cases, lockorder, live);
        rt_ready(sg->g);
        cas->ok = true;
        chan_race_received(c, cas->elem, pc);
        return (int)casi;
      }
      if (c->qcount > 0) {
        chan_buf_get(c, cas->elem);
        select_unlock(cases, lockorder, live);
        cas->ok = true;
        chan_race_received(c, cas->elem, pc);
        return (int)casi;
      }
      if (c->closed) {
        race_acquire(chan_race_addr(c));
        select_unlock(cases, lockorder, live);
        if (cas->elem) memset(cas->elem, 0, c->elem_size);
        cas->ok = false;
        chan_race_received(c, cas->elem, pc);
        return (int)casi;
      }
    } else {
      bool closed = c->closed;
      if (closed || c->recvq.first || c->qcount < c->cap) chan_race_send(c, cas->elem, pc);
      if (unlikely(closed)) {
        select_unlock(cases, lockorder, live);
        rt_panic("send on closed channel");
      }
      if ((sg = waitq_dequeue(&c->recvq))) {
        chan_send_to(c, sg, cas->elem);
        select_unlock(cases, lockorder, live);
        rt_ready(sg->g);
        return (int)casi;
      }
      if (c->qcount < c->cap) {
        chan_buf_put(c, cas->elem);
        select_unlock(cases, lockorder, live);
        return (int)casi;
      }
    }
  }
  if (!block) {
    select_unlock(cases, lockorder, live);
    return -1;
  }
  return select_block(cases, lockorder, live, pc);
}

/*
 * The fast path: try the cases in pollorder, each under its own channel's
 * lock only, skipping those that a lock-free look says cannot proceed.
 * Returns the index of the case it completed, or -1 if none could.
 */
static int select_fast(weft_case *cases, const uint32_t *pollorder, size_t live,
                       const void *pc) {
  for (size_t i = 0; i < live; i++) {
    uint32_t casi = pollorder[i];
    weft_case *cas = &cases[casi];
    struct weft_chan *c = cas->chan;
    if (cas->op == WEFT_OP_RECV) {
      if (chan_empty(c) && CHAN_LOAD(c->closed) == 0) continue;
      chan_lock(c);
      if (chan_try_recv_locked(c, cas->elem, &cas->ok, pc)) return (int)casi;
    } else {
      if (CHAN_LOAD(c->closed) == 0 && chan_full(c)) continue;
      chan_lock(c);
      if (chan_try_send_locked(c, cas->elem, pc)) return (int)casi;
    }
  }
  return -1;
}

/* Go evaluates every send case's value on entering a select: so the race
 * flavour reads them all here (the chosen case's channel is read when it
 * proceeds, as in Go). */
static void select_race_entry(weft_case *cases, size_t n, const void *pc) {
#if WEFT_RACE
  for (size_t i = 0; i < n; i++)
    if (cases[i].chan && cases[i].op == WEFT_OP_SEND && cases[i].elem && cases[i].chan->elem_size)
      race_read_range_pc(cases[i].elem, cases[i].chan->elem_size, pc);
#else
  (void)cases, (void)n, (void)pc;
#endif
}

static int select_general(weft_case *cases, size_t n, bool block, const void *pc) {
  uint32_t stack_orders[2 * SELECT_STACK_CASES];
  uint32_t *orders = n <= SELECT_STACK_CASES ? stack_orders : rt_malloc(2 * n * sizeof *orders);
  uint32_t *pollorder = orders, *lockorder = orders + n;
  size_t live = select_shuffle(cases, n, pollorder);
  select_race_entry(cases, n, pc);
  int chosen = -1;
  if (live > 0) {
    chosen = select_fast(cases, pollorder, live, pc);
    if (chosen < 0) {
      select_sort(cases, pollorder, lockorder, live);
      chosen = select_run(cases, pollorder, lockorder, live, block, pc);
    }
  }
  if (orders != stack_orders) free(orders);
  if (live == 0 && block) select_forever();
  return chosen;
}

CHAN_API int weft_select(weft_case *cases, size_t n) {
  const void *pc = CHAN_CALLER_PC();
  if (n == 1 && cases[0].chan) {
    weft_case *cas = &cases[0];
    struct weft_chan *c = cas->chan;
    if (cas->op == WEFT_OP_RECV) {
      chan_lock(c);
      chan_recv_blocking(c, cas->elem, &cas->ok, pc);
      return 0;
    }
    if (cas->op == WEFT_OP_SEND) {
      chan_lock(c);
      chan_send_blocking(c, cas->elem, pc);
      return 0;
    }
  }
  return select_general(cases, n, true, pc);
}

CHAN_API int weft_select_default(weft_case *cases, size_t n) {
  const void *pc = CHAN_CALLER_PC();
  if (n == 1 && cases[0].chan) {
    weft_case *cas = &cases[0];
    if (cas->op == WEFT_OP_RECV) return chan_try_recv(cas->chan, cas->elem, &cas->ok, pc) ? 0 : -1;
    if (cas->op == WEFT_OP_SEND) return chan_try_send(cas->chan, cas->elem, pc) ? 0 : -1;
  }
  if (n == 0) return -1;
  return select_general(cases, n, false, pc);
}
