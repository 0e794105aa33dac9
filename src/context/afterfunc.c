/*
 * afterfunc.c - weft_ctx_after_func and weft_stop_call (context.AfterFunc).
 *
 * A registration (struct weft_stop) sits in the after-func list of the
 * context's canceler (the nearest cancelable context; a value context has
 * none of its own) until one of two things happens, both under that
 * canceler's lock, so exactly one wins:
 *
 *   cancel        takes the whole list, marks each FIRED, and after
 *                 dropping the lock starts fn(arg) in a goroutine per
 *                 registration (Go: "calls f in its own goroutine");
 *   stop_call     finds it PENDING, unlinks it, marks it STOPPED:
 *                 true ("stop prevented f from being run").
 *
 * Lifetime: two references on the registration, the user's handle and the
 * registration itself. weft_stop_call drops the handle's (and the
 * registration's too when it stopped it); the goroutine running fn drops
 * the registration's after fn returns. So the handle stays valid for its
 * single weft_stop_call whatever the timing, and a fired registration is
 * not freed under the goroutine that runs it. The registration pins the
 * canceler (context_private.h), not its references: releasing the context
 * still cancels it, which fires fn, as Go's `defer cancel()` would.
 *
 * A context that can never be done (background, or values over it) gets a
 * registration that is linked nowhere and never fires; stop_call says true.
 *
 * Happens-before: the cancel happens before fn starts (race_release at
 * cancel in ctx.c; weft_go's own edge from the canceller; a registration
 * on an already-done context acquires the cancel first), and so does the
 * registration (Go: the registrar's unlock of the context's mutex, which
 * the canceller takes). In the race build a registration is armed like a
 * timer (race_timer_arm), and the spawn at cancel borrows its clock and
 * names the registration as the goroutine's creation site.
 */
#include <stdlib.h>

#include "context/context_private.h"
#include "race/race.h"

enum { AFTER_PENDING, AFTER_FIRED, AFTER_STOPPED };

struct weft_stop {
  struct cancel_ctx *ctx;            /* pinned canceler; NULL: never fires */
  struct weft_stop *prev, *next;     /* in ctx->afters (under ctx->lock) */
  void (*fn)(void *);
  void *arg;
  int state;                         /* under ctx->lock */
  _Atomic int refs;                  /* the handle + the registration */
};

static void after_unref(struct weft_stop *s) {
  if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) return;
  if (s->ctx) ctx_unpin(s->ctx);
  free(s);
}

static void after_run(void *arg) {
  struct weft_stop *s = arg;
  s->fn(s->arg);
  after_unref(s);
}

void after_list_claim(struct weft_stop *list) {
  for (; list; list = list->next) list->state = AFTER_FIRED;
}

void after_list_fire(struct weft_stop *list) {
  while (list) {
    struct weft_stop *next = list->next;   /* list may be freed once started */
    race_timer_fire_begin(list);
    weft_go(after_run, list);
    race_timer_fire_end();
    list = next;
  }
}

weft_stop *weft_ctx_after_func(weft_ctx *ctx, void (*fn)(void *), void *arg) {
  if (!ctx) rt_panic("weft_ctx_after_func: nil context");
  if (!fn) rt_panic("weft_ctx_after_func: nil func");
  struct weft_stop *s = ctx_alloc(sizeof *s);
  s->fn = fn;
  s->arg = arg;
  s->state = AFTER_PENDING;
  struct cancel_ctx *c = ctx->canceler;
  if (!c) {
    atomic_init(&s->refs, 1);         /* the handle only: it never fires */
    return s;
  }
  atomic_init(&s->refs, 2);
  race_timer_arm(s, __builtin_return_address(0));
  s->ctx = c;
  ctx_pin(c);
  rt_lock_acquire(&c->lock);
  if (atomic_load_explicit(&c->err, memory_order_relaxed) == 0) {
    s->next = c->afters;
    if (c->afters) c->afters->prev = s;
    c->afters = s;
    rt_lock_release(&c->lock);
    return s;
  }
  s->state = AFTER_FIRED;
  rt_lock_release(&c->lock);
  race_acquire(c);
  weft_go(after_run, s);
  return s;
}

bool weft_stop_call(weft_stop *s) {
  if (!s) rt_panic("weft_stop_call: nil handle");
  struct cancel_ctx *c = s->ctx;
  bool stopped;
  if (!c) {
    stopped = s->state == AFTER_PENDING;
    s->state = AFTER_STOPPED;
    after_unref(s);
    return stopped;
  }
  rt_lock_acquire(&c->lock);
  stopped = s->state == AFTER_PENDING;
  if (stopped) {
    if (s->prev) s->prev->next = s->next;
    else c->afters = s->next;
    if (s->next) s->next->prev = s->prev;
    s->state = AFTER_STOPPED;
  }
  rt_lock_release(&c->lock);
  if (stopped) after_unref(s);        /* the registration's: it will never run */
  after_unref(s);                     /* the handle's */
  return stopped;
}
