/*
 * ctx.c - contexts: background, cancel, timeout/deadline, value, and their
 * reference counting (Go's package context, in C).
 *
 * Shapes, counts and locks are described in context_private.h; this file
 * is the tree and its cancellation.
 *
 * The tree. A cancelable context registers with its nearest cancelable
 * ancestor (value contexts are transparent: a child of a value context
 * registers with the value context's canceler), in a doubly linked
 * children list, so that detaching one child is O(1) (Go uses a map). A
 * child of background, or of value contexts over background, registers
 * nowhere: nothing can cancel it from above, so creating and cancelling it
 * touches no shared state (the common server pattern, a context per
 * request, costs one allocation and no contended lock).
 *
 * Cancellation. cancel(c, err): under c's lock, set err (once), close the
 * done channel if it exists, take the after_func list and the timer, and
 * move every child onto a work list (clearing its `linked` flag, so the
 * child knows it is no longer in our list; its link pin travels with it).
 * Then, with no lock held, each child on the work list is cancelled the
 * same way (its children join the list), and its link pin dropped. Go
 * recurses; we iterate, because a chain of 100k contexts would overflow a
 * goroutine stack. Every context is locked once, and no two locks are ever
 * held together. Descendants get the root's error (Go's behaviour: the
 * children of a timed-out context are timed out too).
 *
 * A concurrent finish of a child (its last reference released) while its
 * parent is cancelling: the child cancels itself, then takes the parent's
 * lock to unlink; if `linked` is already false, the canceller owns the
 * link (and its pin) and the child leaves it alone. The link pin keeps the
 * child's memory valid until the canceller is done with it.
 *
 * Error visibility, both ways as in Go ("if Done is closed, Err returns a
 * non-nil error"; "after Err returns non-nil, Done is closed"): under the
 * lock, cancel stores err, closes done, then sets `settled`. A goroutine
 * woken by the close therefore reads err set; a lock-free weft_ctx_err
 * that finds err set but not yet settled takes and drops the lock, which
 * waits out the close. weft_ctx_done's fast path is one acquire load.
 *
 * Finishing (last reference). Cancel with ECANCELED (no-op if done), make
 * sure the context is unlinked, stop signal registration, drop the "refs"
 * pin, then drop the reference to the parent - iteratively up the chain,
 * since that may be the parent's last one too.
 *
 * Timers: a deadline context (struct timer_ctx) embeds an rt_timer armed
 * at the deadline; the armed timer holds a pin. Its fire function, on the
 * runtime's timer thread, only spawns a goroutine (fire must not block,
 * and cancelling a big subtree is long); that goroutine takes a reference
 * with ctx_try_retain, cancels with ETIMEDOUT and detaches, releases, and
 * drops the pin. A cancel by anyone disarms the timer (under the lock,
 * `armed` goes false) and calls rt_timer_del: true means fire will never
 * be called, so the canceller drops the pin; false means fire has been
 * called or is being called, so its goroutine will drop it. That "false
 * means it runs" guarantee is why this is a raw rt_timer and not
 * weft_after_func: weft_timer_stop can return false for an expiry it then
 * suppresses (stop between the timer thread's pop and its delivery), and
 * the pin would leak.
 *
 * Alternatives rejected:
 *   - One count (refs) for everything: then a pending timer or an
 *     after_func handle would keep the context alive after its last public
 *     reference, and "release cancels" could not be kept.
 *   - Holding the parent's lock while cancelling children (Go's way): needs
 *     recursion, and a lock per level held at once.
 *   - weft_after_func for deadlines (Go's time.AfterFunc): see Timers; it
 *     also costs an allocation and a lock more per deadline context.
 *   - A shared closed channel for done of already-cancelled contexts (Go's
 *     closedchan): a channel made inside a synctest bubble belongs to it,
 *     and a process-wide one would leak bubble membership across tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context/context_private.h"
#include "race/race.h"

static struct weft_ctx background = {.kind = CTX_BACKGROUND};

weft_ctx *weft_background(void) {
  return &background;
}

/* ---- pins and references ----------------------------------------------- */

void ctx_pin(struct cancel_ctx *c) {
  atomic_fetch_add_explicit(&c->pins, 1, memory_order_relaxed);
}

void ctx_unpin(struct cancel_ctx *c) {
  /* Race build: every holder's past happens before the free (the count is
   * weft's own atomic, invisible to the detector). */
  race_release_merge(&c->pins);
  /* Pins are only added by someone who holds a pin or a reference, so a
   * count of 1 (ours) cannot grow under us: skip the atomic RMW then. */
  if (atomic_load_explicit(&c->pins, memory_order_acquire) != 1 &&
      atomic_fetch_sub_explicit(&c->pins, 1, memory_order_acq_rel) != 1)
    return;
  /* Nobody can reach c any more: no reference, no link, no timer, no
   * handle. The done channel has no waiter (they would hold references). */
  race_acquire(&c->pins);
  weft_chan *done = atomic_load_explicit(&c->done, memory_order_relaxed);
  if (done) weft_chan_free(done);
  free(c);
}

bool ctx_try_retain(weft_ctx *ctx) {
  int32_t refs = atomic_load_explicit(&ctx->refs, memory_order_relaxed);
  while (refs > 0)
    if (atomic_compare_exchange_weak_explicit(&ctx->refs, &refs, refs + 1,
                                              memory_order_acquire, memory_order_relaxed))
      return true;
  return false;
}

void weft_ctx_retain(weft_ctx *ctx) {
  if (!ctx) rt_panic("weft_ctx_retain: nil context");
  if (ctx->kind == CTX_BACKGROUND) return;
  int32_t old = atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
  if (old <= 0) rt_panic("weft_ctx_retain: context %p was already released", (void *)ctx);
}

/* The last reference to ctx is gone. Returns the parent, whose reference
 * the caller must now drop. */
static weft_ctx *finish(weft_ctx *ctx) {
  weft_ctx *parent = ctx->parent;
  if (ctx->kind == CTX_VALUE) {
    free(ctx);
    return parent;
  }
  struct cancel_ctx *c = as_cancel(ctx);
  ctx_cancel(c, ECANCELED, true);   /* and detach: we still hold parent */
  if (ctx->kind == CTX_SIGNAL) signal_ctx_stop(c);
  ctx_unpin(c);
  return parent;
}

void weft_ctx_release(weft_ctx *ctx) {
  while (ctx && ctx->kind != CTX_BACKGROUND) {
    race_release_merge(&ctx->refs);   /* as ctx_unpin: releases before the last */
    int32_t old = atomic_load_explicit(&ctx->refs, memory_order_acquire);
    if (old == 1 && (ctx->kind == CTX_VALUE || ctx->kind == CTX_CANCEL)) {
      /* Ours is the only reference, and these kinds have no internal
       * try-retainer (timer, signal thread) that could add one now:
       * no RMW needed. (0 stays visible for the over-release check.) */
      atomic_store_explicit(&ctx->refs, 0, memory_order_relaxed);
    } else {
      old = atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel);
    }
    if (old > 1) return;
    if (old < 1)
      rt_panic("weft_ctx_release: context %p released more times than retained", (void *)ctx);
    race_acquire(&ctx->refs);
    ctx = finish(ctx);
  }
}

/* ---- construction ------------------------------------------------------ */

/* Zeroed memory. Not calloc: glibc's calloc bypasses the per-thread cache
 * that malloc uses, which made it the largest cost of a short-lived
 * context. */
void *ctx_alloc(size_t size) {
  void *p = rt_malloc(size);
  memset(p, 0, size);
  return p;
}

static void check_parent(weft_ctx *parent) {
  if (!parent) rt_panic("cannot create context from nil parent");
}

static void header_init(weft_ctx *ctx, enum ctx_kind kind, weft_ctx *parent) {
  ctx->kind = (uint8_t)kind;
  atomic_init(&ctx->refs, 1);
  weft_ctx_retain(parent);
  ctx->parent = parent;
  ctx->has_deadline = parent->has_deadline;
  ctx->deadline = parent->deadline;
}

void cancel_ctx_init(struct cancel_ctx *c, enum ctx_kind kind, weft_ctx *parent) {
  header_init(&c->base, kind, parent);
  c->base.canceler = c;
  atomic_init(&c->pins, 1);
  atomic_init(&c->err, 0);
  atomic_init(&c->settled, false);
  c->lock = (rt_lock)RT_LOCK_INIT;
  atomic_init(&c->done, NULL);
  struct cancel_ctx *p = parent->canceler;
  if (!p) return;
  /* Register with p, unless it is already done: then we are born done.
   * p is alive: parent (which we hold) holds it, directly or not. */
  rt_lock_acquire(&p->lock);
  int perr = atomic_load_explicit(&p->err, memory_order_relaxed);
  if (perr == 0) {
    c->link_parent = p;
    c->linked = true;
    c->prev = NULL;
    c->next = p->children;
    if (p->children) p->children->prev = c;
    p->children = c;
    ctx_pin(c);                 /* the link pin */
  }
  rt_lock_release(&p->lock);
  if (perr != 0) {
    race_acquire(p);            /* we observed p's cancel */
    race_release(c);
    atomic_store_explicit(&c->err, perr, memory_order_relaxed);
    atomic_store_explicit(&c->settled, true, memory_order_release);
  }
}

weft_ctx *weft_with_cancel(weft_ctx *parent) {
  check_parent(parent);
  struct cancel_ctx *c = ctx_alloc(sizeof *c);
  cancel_ctx_init(c, CTX_CANCEL, parent);
  return &c->base;
}

weft_ctx *weft_with_value(weft_ctx *parent, const void *key, void *value) {
  check_parent(parent);
  if (!key) rt_panic("nil key");
  struct value_ctx *v = rt_malloc(sizeof *v);
  header_init(&v->base, CTX_VALUE, parent);
  v->base.canceler = parent->canceler;
  v->key = key;
  v->value = value;
  return &v->base;
}

/* The deadline's goroutine, spawned by deadline_fire. */
static void deadline_run(void *arg) {
  struct cancel_ctx *c = arg;
  if (ctx_try_retain(&c->base)) {
    ctx_cancel(c, ETIMEDOUT, true);
    weft_ctx_release(&c->base);
  }
  ctx_unpin(c);                 /* the timer pin */
}

/* On the timer thread: must not block. Spawns whatever the seq says: a
 * deadline timer is armed once, and a fire that raced rt_timer_del made
 * it return false, so the pin is ours to drop either way. */
static void deadline_fire(struct rt_timer *t, uint64_t seq) {
  race_timer_fire_begin(t);     /* the creator's past happens before the cancel */
  weft_go(deadline_run, t->arg);
  race_timer_fire_end();
}

weft_ctx *weft_with_deadline(weft_ctx *parent, weft_time deadline) {
  check_parent(parent);
  if (parent->has_deadline && parent->deadline <= deadline)
    return weft_with_cancel(parent);   /* the parent's deadline comes first */
  struct timer_ctx *tc = ctx_alloc(sizeof *tc);
  struct cancel_ctx *c = &tc->c;
  cancel_ctx_init(c, CTX_TIMER, parent);
  c->base.has_deadline = true;
  c->base.deadline = deadline;
  weft_duration d = deadline - weft_now();
  if (d <= 0) {
    ctx_cancel(c, ETIMEDOUT, true);
    return &c->base;
  }
  rt_timer_init(&tc->timer, deadline_fire, c);
  race_timer_arm(&tc->timer, __builtin_return_address(0));
  int64_t now = rt_nanotime();
  int64_t when = d > INT64_MAX - now ? INT64_MAX : now + d;
  rt_lock_acquire(&c->lock);
  if (atomic_load_explicit(&c->err, memory_order_relaxed) == 0) {
    /* Armed under the lock, so a cancel (even the timer's own) finds
     * `armed` consistent with the heap. */
    ctx_pin(c);                 /* the timer pin */
    tc->armed = true;
    rt_timer_set(&tc->timer, when, 0);
  }
  rt_lock_release(&c->lock);
  return &c->base;
}

weft_ctx *weft_with_timeout(weft_ctx *parent, weft_duration d) {
  check_parent(parent);
  weft_time now = weft_now();
  weft_time deadline = d > INT64_MAX - now ? INT64_MAX : now + d;
  return weft_with_deadline(parent, deadline);
}

/* ---- cancellation ------------------------------------------------------ */

static void unlink_from_parent(struct cancel_ctx *c);

/* Under c->lock: records err, closes done, and hands over what cancelling
 * must deal with once the lock is dropped. Returns false if c was done. */
static bool cancel_locked(struct cancel_ctx *c, int err, struct cancel_ctx **work,
                          struct weft_stop **afters, bool *disarm) {
  if (atomic_load_explicit(&c->err, memory_order_relaxed) != 0) return false;
  race_release(c);
  /* err first, so that a waiter woken by the close sees it; `settled`
   * after, so that a lock-free weft_ctx_err never returns an error while
   * the channel is still open (see weft_ctx_err). */
  atomic_store_explicit(&c->err, err, memory_order_release);
  weft_chan *done = atomic_load_explicit(&c->done, memory_order_relaxed);
  if (done) weft_chan_close(done);
  atomic_store_explicit(&c->settled, true, memory_order_release);
  for (struct cancel_ctx *child = c->children; child; child = child->next) {
    child->linked = false;      /* its link pin moves to the work list */
    child->work_next = *work;
    *work = child;
  }
  c->children = NULL;
  *afters = c->afters;
  c->afters = NULL;
  after_list_claim(*afters);
  *disarm = false;
  if (c->base.kind == CTX_TIMER) {
    struct timer_ctx *tc = (struct timer_ctx *)c;
    *disarm = tc->armed;
    tc->armed = false;
  }
  return true;
}

/* Outside any lock: what cancel_locked handed over. */
static void cancel_effects(struct cancel_ctx *c, struct weft_stop *afters, bool disarm) {
  if (afters) after_list_fire(afters);
  /* Not pending any more: fire will never be called, the pin is ours.
   * Otherwise fire's goroutine drops it. */
  if (disarm && rt_timer_del(&((struct timer_ctx *)c)->timer)) ctx_unpin(c);
}

bool ctx_cancel(struct cancel_ctx *c, int err, bool detach) {
  if (atomic_load_explicit(&c->err, memory_order_acquire) != 0) {
    /* Done already: whoever did it dealt with children, after_funcs and
     * the timer. (The common "cancel, then release" path.) */
    if (detach) unlink_from_parent(c);
    return false;
  }
  struct cancel_ctx *work = NULL;
  struct weft_stop *afters = NULL;
  bool disarm = false;
  rt_lock_acquire(&c->lock);
  bool did = cancel_locked(c, err, &work, &afters, &disarm);
  rt_lock_release(&c->lock);
  if (did) cancel_effects(c, afters, disarm);
  /* Descendants, depth-first from a stack; each holds its link pin. */
  while (work) {
    struct cancel_ctx *child = work;
    work = child->work_next;
    struct weft_stop *child_afters = NULL;
    bool child_disarm = false;
    rt_lock_acquire(&child->lock);
    bool child_did = cancel_locked(child, err, &work, &child_afters, &child_disarm);
    rt_lock_release(&child->lock);
    if (child_did) cancel_effects(child, child_afters, child_disarm);
    ctx_unpin(child);           /* the link pin */
  }
  if (detach) unlink_from_parent(c);
  return did;
}

/* Removes c from its parent's children list if it is still there. The
 * caller holds a reference to c (so c's parent, and link_parent, live). */
static void unlink_from_parent(struct cancel_ctx *c) {
  struct cancel_ctx *p = c->link_parent;
  if (!p) return;
  bool was_linked;
  rt_lock_acquire(&p->lock);
  was_linked = c->linked;
  if (was_linked) {
    if (c->prev) c->prev->next = c->next;
    else p->children = c->next;
    if (c->next) c->next->prev = c->prev;
    c->linked = false;
  }
  rt_lock_release(&p->lock);
  if (was_linked) ctx_unpin(c);  /* the link pin; c still has its refs pin */
}

void weft_cancel(weft_ctx *ctx) {
  if (!ctx) rt_panic("weft_cancel: nil context");
  switch (ctx->kind) {
  case CTX_BACKGROUND:
    rt_panic("weft_cancel: context %p is not cancelable (it is weft_background())", (void *)ctx);
  case CTX_VALUE:
    rt_panic("weft_cancel: context %p is not cancelable (made by weft_with_value)", (void *)ctx);
  default:
    break;
  }
  ctx_cancel(as_cancel(ctx), ECANCELED, true);
  if (ctx->kind == CTX_SIGNAL) signal_ctx_stop(as_cancel(ctx));
}

/* ---- queries ----------------------------------------------------------- */

static weft_chan *done_slow(struct cancel_ctx *c) {
  rt_lock_acquire(&c->lock);
  weft_chan *done = atomic_load_explicit(&c->done, memory_order_relaxed);
  if (!done) {
    done = weft_chan_make(0, 0);
    if (atomic_load_explicit(&c->err, memory_order_relaxed) != 0) {
      /* Made after the cancel: the close we make for it must carry the
       * canceller's past to whoever receives (race build). */
      race_acquire(c);
      weft_chan_close(done);
    }
    atomic_store_explicit(&c->done, done, memory_order_release);
  }
  rt_lock_release(&c->lock);
  return done;
}

weft_chan *weft_ctx_done(weft_ctx *ctx) {
  if (!ctx) rt_panic("weft_ctx_done: nil context");
  struct cancel_ctx *c = ctx->canceler;
  if (!c) return NULL;
  weft_chan *done = atomic_load_explicit(&c->done, memory_order_acquire);
  return done ? done : done_slow(c);
}

int weft_ctx_err(weft_ctx *ctx) {
  if (!ctx) rt_panic("weft_ctx_err: nil context");
  struct cancel_ctx *c = ctx->canceler;
  if (!c) return 0;
  int err = atomic_load_explicit(&c->err, memory_order_acquire);
  if (!err) return 0;
  if (!atomic_load_explicit(&c->settled, memory_order_acquire)) {
    /* The canceller is closing done right now, under the lock. */
    rt_lock_acquire(&c->lock);
    rt_lock_release(&c->lock);
  }
  race_acquire(c);
  return err;
}

bool weft_ctx_deadline(weft_ctx *ctx, weft_time *out) {
  if (!ctx) rt_panic("weft_ctx_deadline: nil context");
  if (!ctx->has_deadline) return false;
  if (out) *out = ctx->deadline;
  return true;
}

void *weft_ctx_value(weft_ctx *ctx, const void *key) {
  if (!ctx) rt_panic("weft_ctx_value: nil context");
  for (; ctx; ctx = ctx->parent)
    if (ctx->kind == CTX_VALUE && ((struct value_ctx *)ctx)->key == key)
      return ((struct value_ctx *)ctx)->value;
  return NULL;
}
