/*
 * weft/context.h - contexts, groups and signal contexts: Go's context,
 * errgroup and signal.NotifyContext in C.
 *
 * A context carries a cancellation signal, an optional deadline and
 * request-scoped values across API boundaries and between goroutines.
 * Contexts form a tree: every context but weft_background() is made from a
 * parent, and cancelling a context cancels all of its descendants, never
 * its ancestors.
 *
 *   weft_background()            the root: never cancelled, no deadline, no values
 *   weft_with_cancel(p)          cancelled by weft_cancel (or when p is)
 *   weft_with_timeout(p, d)      ... or d from now: ETIMEDOUT
 *   weft_with_deadline(p, t)     ... or at wall-clock time t: ETIMEDOUT
 *   weft_with_value(p, key, v)   p plus one key/value pair; not cancelable itself
 *   weft_signal_ctx(p, sigs, n)  cancelled when one of the signals arrives
 *
 * A goroutine doing work for a context watches weft_ctx_done(ctx) in its
 * selects and gives up when it is closed; weft_ctx_err(ctx) then says why.
 *
 * ------------------------------------------------------------ OWNERSHIP
 *
 * Contexts are reference counted. The rules, all of them:
 *
 *  1. Every constructor (weft_with_*, weft_signal_ctx) returns ONE
 *     reference, owned by the caller. Give it back with weft_ctx_release.
 *  2. weft_ctx_retain adds a reference; each needs its own release.
 *  3. A child holds a reference to its parent. You may release your
 *     reference to the parent as soon as the child exists: the parent lives
 *     as long as any descendant.
 *  4. A context passed to a function is BORROWED for the duration of the
 *     call. To keep it longer (store it, hand it to a goroutine), retain it
 *     first and release it when done:
 *         weft_ctx_retain(ctx);
 *         weft_go(worker, ctx);          // worker releases it at its end
 *  5. When the last reference goes, the context is freed. If it is
 *     cancelable and not yet cancelled, it is cancelled first (ECANCELED):
 *     its after_func callbacks run, its timer is stopped, it is detached
 *     from its parent, so nothing leaks. Releasing is therefore always
 *     enough to clean up; but release is not cancel: while children or
 *     goroutines still hold references the context stays alive and
 *     uncancelled. Go's `defer cancel()` is
 *         weft_cancel(ctx); weft_ctx_release(ctx);
 *  6. The done channel (weft_ctx_done) belongs to the context: use it only
 *     while you hold a reference; never close or free it.
 *  7. Values (weft_with_value) are not owned: the context stores the
 *     pointer and never frees it. Keep the value alive while any context
 *     derived from it may be used.
 *  8. weft_background() is static: retain and release on it do nothing.
 *     Releasing NULL does nothing.
 * Using a context after releasing your last reference to it is undefined
 * (ASan reports it); releasing more references than you had is a panic
 * when weft can still tell ("weft_ctx_release: context 0x... released more
 * times than retained").
 *
 * ---------------------------------------------------------------- RULES
 *
 *  - Cancelling a context cancels every descendant (iteratively: a chain of
 *    a million contexts is fine) with the same error; it never touches the
 *    parent. A context made from an already-cancelled parent is born
 *    cancelled, with the parent's error.
 *  - A child's deadline is never later than its parent's: weft_with_deadline
 *    (or with_timeout) asking for a later one gets the parent's (Go returns
 *    WithCancel(parent) then; so does weft).
 *  - weft_ctx_err is 0 until the context is done, then ECANCELED (cancelled)
 *    or ETIMEDOUT (deadline passed), for good. Once it is non-zero the done
 *    channel is closed.
 *  - weft_cancel takes only contexts made by weft_with_cancel,
 *    weft_with_timeout, weft_with_deadline and weft_signal_ctx (and a
 *    group's context); on weft_background() or a weft_with_value context
 *    it is a panic naming the misuse.
 *
 * Threads: every call may be made from goroutines and foreign threads at
 * once, on the same context. Nothing here blocks except weft_group_go (at
 * the limit) and weft_group_wait.
 *
 * Memory model (Go's): a cancel happens before a receive that observes the
 * done channel closed, and before a weft_ctx_err that returns non-zero.
 *
 * Misuse, with the stack of the goroutine at fault, exit status 2:
 *   panic: cannot create context from nil parent
 *   panic: nil key
 *   panic: weft_cancel: context 0x... is not cancelable (made by weft_with_value)
 *   panic: weft_cancel: context 0x... is not cancelable (it is weft_background())
 *   panic: errgroup: modify limit while 3 goroutines in the group are still active
 *   panic: weft_group_free: 2 goroutines of the group are still running
 *   panic: weft_signal_ctx: ...  (no signal, or one that cannot be caught)
 */
#ifndef WEFT_CONTEXT_H
#define WEFT_CONTEXT_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <weft/time.h>
#include <weft/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_ctx weft_ctx;

/* ------------------------------------------------------------- contexts */

/* The root context (context.Background): never cancelled, no deadline, no
 * values; weft_ctx_done returns NULL for it. Static: never NULL, retain and
 * release are no-ops, weft_cancel on it is a panic. */
weft_ctx *weft_background(void);

/*
 * A cancelable child of parent (context.WithCancel). It is done when
 * weft_cancel is called on it, when parent is done, or when its last
 * reference is released, whichever comes first. Returns a new reference.
 * Never blocks. parent NULL: "panic: cannot create context from nil parent".
 */
weft_ctx *weft_with_cancel(weft_ctx *parent);

/*
 * A cancelable child of parent that is also cancelled, with ETIMEDOUT,
 * at wall-clock time `deadline` (context.WithDeadline). If parent's
 * deadline is earlier, the child keeps parent's (and is just a
 * weft_with_cancel). A deadline that has already passed makes a context
 * that is done at once with ETIMEDOUT. The deadline is turned into a
 * duration from now and timed on the monotonic clock, like weft_sleep, so
 * setting the system clock does not move it; the timer is stopped as soon
 * as the context is done for any reason. Returns a new reference.
 */
weft_ctx *weft_with_deadline(weft_ctx *parent, weft_time deadline);

/* weft_with_deadline(parent, weft_now() + d) (context.WithTimeout);
 * d <= 0 is done at once with ETIMEDOUT. */
weft_ctx *weft_with_timeout(weft_ctx *parent, weft_duration d);

/*
 * A child of parent that carries key -> value (context.WithValue). Keys
 * are compared by address: use the address of a static object of your
 * own (`static const char request_id_key;`), so that no two packages
 * collide. value is not owned (OWNERSHIP 7). The context is done exactly
 * when parent is; it is not cancelable itself. Returns a new reference.
 * key NULL: "panic: nil key".
 */
weft_ctx *weft_with_value(weft_ctx *parent, const void *key, void *value);

/*
 * Cancels ctx and all its descendants with ECANCELED: closes their done
 * channels, starts their after_func callbacks, stops their timers, and
 * detaches ctx from its parent. Idempotent: a context already done keeps
 * its first error. Never blocks. The caller must hold a reference.
 * On a weft_signal_ctx context it is also Go's stop(): the signals are
 * unregistered (see weft_signal_ctx). On background or a value context:
 * a panic (see top of file).
 */
void weft_cancel(weft_ctx *ctx);

/* Adds a reference (OWNERSHIP 2). The caller must already hold one. */
void weft_ctx_retain(weft_ctx *ctx);

/* Drops a reference; the last one cancels (if cancelable and not done)
 * and frees the context, and drops its reference to its parent
 * (OWNERSHIP 5). NULL is ignored. Never blocks. */
void weft_ctx_release(weft_ctx *ctx);

/*
 * A channel that is closed when ctx is done (ctx.Done()): receive from it,
 * or put WEFT_RECV(weft_ctx_done(ctx), NULL) in a select. Made on first
 * call and then always the same channel for ctx (a value context returns
 * its cancelable ancestor's). NULL for contexts that can never be done
 * (background, and value contexts on top of it): a NULL channel is never
 * ready in a select and blocks forever in a receive, as Go's nil channel.
 * Owned by the context (OWNERSHIP 6). Never blocks.
 */
weft_chan *weft_ctx_done(weft_ctx *ctx);

/* 0 while ctx is not done; ECANCELED or ETIMEDOUT afterwards (ctx.Err()).
 * Never blocks; one atomic load. */
int weft_ctx_err(weft_ctx *ctx);

/* If ctx has a deadline (its own or an ancestor's), stores it in *out and
 * returns true; otherwise returns false and leaves *out alone. */
bool weft_ctx_deadline(weft_ctx *ctx, weft_time *out);

/* The value stored under key by the nearest weft_with_value ancestor of
 * ctx (ctx included); NULL if there is none (ctx.Value(key)). */
void *weft_ctx_value(weft_ctx *ctx, const void *key);

/* ----------------------------------------------------------- after_func */

typedef struct weft_stop weft_stop;

/*
 * Arranges for fn(arg) to run in its own goroutine once ctx is done
 * (context.AfterFunc). If ctx is already done, fn starts at once. fn runs
 * at most once. If ctx can never be done (background) it never runs.
 * Returns a handle that the caller owns and must pass to weft_stop_call
 * exactly once, whether or not fn has run: that call frees it. The handle
 * keeps ctx's memory (not ctx's references) alive until then. Never blocks.
 * ctx NULL or fn NULL: a panic.
 */
weft_stop *weft_ctx_after_func(weft_ctx *ctx, void (*fn)(void *arg), void *arg);

/*
 * Stops fn from running (the stop function returned by context.AfterFunc)
 * and frees the handle. Returns true if this call prevented fn from
 * running; false if fn has already been started (it may still be
 * running: this does not wait for it). Call it once per handle.
 */
bool weft_stop_call(weft_stop *s);

/* -------------------------------------------------------------- signals */

/*
 * A cancelable child of parent that is cancelled (ECANCELED) when one of
 * the n signals in `signals` arrives (signal.NotifyContext). From this call
 * on, those signals no longer have their previous effect (default
 * termination, ignore, or another handler): weft catches them with an
 * async-signal-safe handler (it writes the signal number to a pipe; a
 * helper thread, alive while signal contexts exist, cancels the contexts).
 * As in Go, the signals stay caught after the context is done, so a second
 * Ctrl-C during a graceful shutdown does not kill the program; they are
 * released, and the disposition in force before the first signal context
 * for that signal is restored, by Go's stop(): here weft_cancel(ctx), or
 * the release of its last reference, whichever comes first. Several
 * signal contexts may watch the same signal; each is cancelled.
 * Returns a new reference.
 * n == 0 (Go would relay every signal), a number that is not a signal, or
 * SIGKILL/SIGSTOP: a panic naming it. Registers in a process-wide table:
 * not for use from a forked child of a process that had signal contexts.
 */
weft_ctx *weft_signal_ctx(weft_ctx *parent, const int *signals, size_t n);

/* --------------------------------------------------------------- groups */

/*
 * A group of goroutines working on subtasks of one common task
 * (errgroup.WithContext). The group makes its own context, a
 * weft_with_cancel child of parent, which every goroutine receives; it is
 * cancelled when a goroutine returns non-zero (the first error) and when
 * weft_group_wait returns. The caller owns the group and frees it with
 * weft_group_free after weft_group_wait. parent NULL means
 * weft_background(); the group holds its own reference to its context
 * (OWNERSHIP 3), so the caller may release parent at once.
 */
typedef struct weft_group weft_group;
weft_group *weft_group_new(weft_ctx *parent);

/* The group's context: borrowed, valid until weft_group_free. Retain it
 * to keep it longer. Cancelling it yourself (weft_cancel) stops the
 * group's work as an error would, but records no error. */
weft_ctx *weft_group_ctx(weft_group *g);

/*
 * Runs fn(weft_group_ctx(g), arg) in a new goroutine (Group.Go). fn's
 * non-zero result is the group's error if it is the first; it cancels the
 * group's context. If a limit is set and that many goroutines of the group
 * are active, blocks until one returns (wait reason "chan send", as in
 * Go). fn must not call weft_group_free; it may call weft_group_go.
 */
void weft_group_go(weft_group *g, int (*fn)(weft_ctx *ctx, void *arg), void *arg);

/*
 * Limits the number of active goroutines in the group to n; n < 0 removes
 * the limit (Group.SetLimit). n == 0 makes every later weft_group_go block
 * forever, as in Go. Changing the limit while goroutines of the group are
 * active: "panic: errgroup: modify limit while N goroutines in the group
 * are still active".
 */
void weft_group_set_limit(weft_group *g, int n);

/*
 * Blocks until every goroutine started by weft_group_go has returned
 * (wait reason "errgroup.Wait"), cancels the group's context, and returns
 * the first non-zero result of fn, or 0 (Group.Wait). May be called
 * several times and from several goroutines. Each goroutine's return
 * happens before weft_group_wait returns.
 */
int weft_group_wait(weft_group *g);

/* Frees the group and drops its reference to its context. Call it after
 * weft_group_wait, once no goroutine of the group runs (a panic says so
 * otherwise). NULL is ignored. */
void weft_group_free(weft_group *g);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
