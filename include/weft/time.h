/*
 * weft/time.h - time, sleeping and function timers.
 *
 * Durations and times are int64 nanoseconds, like Go's time.Duration and a
 * UnixNano. weft_now() is wall-clock time; timers run on a monotonic clock,
 * so setting the system clock does not fire or delay them.
 *
 * Inside a synctest bubble (weft/synctest.h) all of these use the bubble's
 * virtual clock instead.
 *
 * Channel-based timers and tickers (weft_timer_new, weft_timer_chan,
 * weft_ticker_*) are declared in weft/chan.h, because they deliver on
 * channels.
 */
#ifndef WEFT_TIME_H
#define WEFT_TIME_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t weft_duration; /* nanoseconds */
typedef int64_t weft_time;     /* nanoseconds since 1970-01-01T00:00:00Z */

#define WEFT_NANOSECOND  ((weft_duration)1)
#define WEFT_MICROSECOND ((weft_duration)1000 * WEFT_NANOSECOND)
#define WEFT_MILLISECOND ((weft_duration)1000 * WEFT_MICROSECOND)
#define WEFT_SECOND      ((weft_duration)1000 * WEFT_MILLISECOND)
#define WEFT_MINUTE      ((weft_duration)60 * WEFT_SECOND)
#define WEFT_HOUR        ((weft_duration)60 * WEFT_MINUTE)

/* Current wall-clock time. Never blocks. */
weft_time weft_now(void);

/* Blocks the calling goroutine (or foreign thread) for at least d.
 * d <= 0 returns at once. Wait reason in dumps: "sleep". */
void weft_sleep(weft_duration d);

/*
 * A timer. Made by weft_after_func here or by weft_timer_new (weft/chan.h).
 * Owned by the caller, who frees it with weft_timer_free. All calls on one
 * timer may come from any goroutines or threads at once.
 */
typedef struct weft_timer weft_timer;

/*
 * Arranges for fn(arg) to run in its own goroutine once d has elapsed
 * (time.AfterFunc). d <= 0 fires as soon as possible. Never blocks.
 * Returns the timer, which the caller owns and must eventually free with
 * weft_timer_free (also when it has fired). Out of memory is a fatal error.
 */
weft_timer *weft_after_func(weft_duration d, void (*fn)(void *arg), void *arg);

/*
 * Prevents the timer from firing. Returns true if the call stopped it, false
 * if it had already fired (for after_func: fn has started or will start in
 * its goroutine) or had been stopped. For a channel timer, a value that was
 * delivered but not yet received is removed and counts as not fired, so
 * Stop returns true then (Go 1.23). Does not wait for fn to finish.
 */
bool weft_timer_stop(weft_timer *t);

/*
 * Changes the timer to fire after d from now. Returns true if it was still
 * pending (so the earlier expiry was cancelled), false if it had fired or
 * been stopped; either way it is armed again. After Reset, a channel timer
 * has no stale value left to receive (Go 1.23 semantics).
 */
bool weft_timer_reset(weft_timer *t, weft_duration d);

/*
 * Stops the timer and frees it. Calling it while another call on the same
 * timer is in progress is undefined. An after_func callback that has started
 * keeps running; it must not use the freed timer. NULL is ignored.
 */
void weft_timer_free(weft_timer *t);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
