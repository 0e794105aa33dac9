/*
 * context_private.h - what ctx.c, afterfunc.c, group.c and signal.c share
 * (private to src/context).
 *
 * Three shapes of context share one header, struct weft_ctx:
 *
 *   background   one static object (kind CTX_BACKGROUND)
 *   value        struct value_ctx: header + key + value; immutable
 *   cancelable   struct cancel_ctx: header + lock, error, done channel,
 *                children, after_func registrations, timer
 *                (kinds CTX_CANCEL, CTX_TIMER, CTX_SIGNAL; a signal
 *                context is a struct signal_ctx, which starts with one)
 *
 * Every context records its nearest cancelable ancestor-or-self
 * (`canceler`; NULL when only background and value contexts lie above), and
 * its effective deadline, so done/err/deadline are O(1) whatever the depth
 * of value contexts.
 *
 * Two counts per cancelable context (a value context has only the first):
 *
 *   refs   the public references (weft_ctx_retain/release, one per child).
 *          When they reach zero the context is finished: cancelled if it
 *          was not, unlinked from its parent, its reference to its parent
 *          dropped. A finished context is never used through the API
 *          again.
 *   pins   who may still touch the memory of a cancel_ctx, whether or not
 *          anyone holds a reference: 1 for "refs > 0", 1 while it is linked
 *          in its parent's children list (or sits on a canceller's work
 *          list), 1 while its timer may still fire (until rt_timer_del
 *          says it will not, or the fired goroutine is done), 1 per after_func
 *          handle not yet given to weft_stop_call, 1 while a signal
 *          context is registered. The memory (and the done channel) is
 *          freed when pins reach zero.
 * Separating the two is what lets "the last release cancels" coexist with
 * timers, after_func handles and parents that still point at a context
 * whose last reference is gone. Internal callers that need to cancel with
 * detaching (the timer, the signal thread) first take a reference with
 * ctx_try_retain, which fails once refs reached zero (then the finisher
 * does the cancelling); the detaching needs the parent alive, and only a
 * reference guarantees that.
 *
 * Locks: each cancelable context has an rt_lock guarding its children
 * list, its after_func list, its timer's `armed`, the `linked` flags of its
 * children and the transition of err from 0. Lock order: a parent's lock
 * is never taken while a child's is held and vice versa (cancellation
 * drops one before taking the next), except that a cancel closes the done
 * channel (channel lock) and starts goroutines under the context's lock.
 */
#ifndef WEFT_CONTEXT_PRIVATE_H
#define WEFT_CONTEXT_PRIVATE_H

#include <weft.h>
#include <weft/context.h>

#include "runtime/runtime.h"

enum ctx_kind {
  CTX_BACKGROUND,
  CTX_VALUE,
  CTX_CANCEL,     /* weft_with_cancel, and a group's context */
  CTX_TIMER,      /* weft_with_deadline / weft_with_timeout with their own timer */
  CTX_SIGNAL,     /* weft_signal_ctx */
};

struct cancel_ctx;

struct weft_ctx {
  uint8_t kind;                 /* enum ctx_kind; immutable */
  bool has_deadline;            /* immutable */
  _Atomic int32_t refs;         /* public references; unused for background */
  struct weft_ctx *parent;      /* holds one reference; NULL for background */
  struct cancel_ctx *canceler;  /* self, nearest cancelable ancestor, or NULL */
  weft_time deadline;           /* effective deadline when has_deadline */
};

struct value_ctx {
  struct weft_ctx base;
  const void *key;
  void *value;
};

struct weft_stop;               /* an after_func registration (afterfunc.c) */

struct cancel_ctx {
  struct weft_ctx base;
  _Atomic int32_t pins;         /* see top of file */
  _Atomic int err;              /* 0, ECANCELED, ETIMEDOUT; set once, under lock */
  _Atomic bool settled;         /* err set and done closed (ctx.c) */
  rt_lock lock;
  weft_chan *_Atomic done;      /* made lazily, closed on cancel (under lock) */

  /* Link into the parent's children list. link_parent is the cancel_ctx
   * this one registered with (base.parent->canceler), NULL if none or if
   * the parent was already done at creation. `linked` and the sibling
   * pointers belong to link_parent's lock. */
  struct cancel_ctx *link_parent;
  struct cancel_ctx *prev, *next;
  bool linked;
  struct cancel_ctx *work_next; /* on a canceller's work list */

  /* Under lock. */
  struct cancel_ctx *children;  /* head of the children list */
  struct weft_stop *afters;     /* pending after_func registrations */
};

/* CTX_TIMER: a cancel context with its own deadline timer (ctx.c). */
struct timer_ctx {
  struct cancel_ctx c;
  struct rt_timer timer;        /* fire spawns the cancelling goroutine */
  bool armed;                   /* under c.lock: the timer pin is out */
};

static inline struct cancel_ctx *as_cancel(weft_ctx *ctx) {
  return (struct cancel_ctx *)ctx;
}

/* ctx.c */
void *ctx_alloc(size_t size);   /* zeroed; out of memory is fatal */
void ctx_pin(struct cancel_ctx *c);
void ctx_unpin(struct cancel_ctx *c);
/* Takes a reference unless refs already reached zero. */
bool ctx_try_retain(weft_ctx *ctx);
/* Initialises c as a child of parent (takes a reference to parent) and
 * links it; if parent is already done, c is born cancelled. */
void cancel_ctx_init(struct cancel_ctx *c, enum ctx_kind kind, weft_ctx *parent);
/* Cancels c and its descendants with err (no-op if already done) and,
 * if detach, unlinks c from its parent. The caller holds a reference
 * (detach) or at least a pin. Returns true if this call did the cancel. */
bool ctx_cancel(struct cancel_ctx *c, int err, bool detach);

/* afterfunc.c. A cancel takes the after-func list off the context and
 * claims it under the context's lock (so weft_stop_call can no longer stop
 * them), then fires it after dropping the lock: fn of each in a goroutine. */
void after_list_claim(struct weft_stop *list);
void after_list_fire(struct weft_stop *list);

/* group.c; here so that tests can look at parked waiters. */
struct group_waiter {
  struct weft_g *g;
  struct group_waiter *next;
};

struct weft_group {
  rt_lock lock;
  weft_ctx *ctx;                  /* our reference: a weft_with_cancel child */
  int err;                        /* first non-zero result; under lock */
  int active;                     /* under lock */
  struct group_waiter *waiters;   /* under lock; records on the waiters' stacks */
  weft_chan *sem;                 /* the limit's tokens; NULL: no limit */
};

/* signal.c: unregisters a signal context's signals (idempotent). */
void signal_ctx_stop(struct cancel_ctx *c);

#endif
