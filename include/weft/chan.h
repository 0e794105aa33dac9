/*
 * weft/chan.h - channels, select, and the timers and tickers that deliver
 * on channels: Go's chan, select, time.NewTimer and time.NewTicker in C.
 *
 * A channel carries fixed-size elements, copied by value: a send copies
 * elem_size bytes out of the sender's buffer, a receive copies them into
 * the receiver's. An unbuffered channel (cap 0) is a rendezvous: a send
 * completes only when a receiver takes the element (it is copied straight
 * from one to the other). A buffered channel holds up to cap elements in a
 * ring; a send blocks only when the ring is full, a receive only when it is
 * empty. elem_size 0 makes a signal-only channel: elem pointers may then be
 * NULL.
 *
 * Go semantics throughout:
 *   - A NULL channel blocks forever on send and receive; in a select its
 *     case is never ready (so setting a case's channel to NULL switches the
 *     case off). Closing a NULL channel is a panic.
 *   - Blocked senders and blocked receivers are each served first come,
 *     first served.
 *   - A receive on a closed channel first drains what the buffer still
 *     holds, then returns false at once with the element zeroed.
 *   - Closing wakes every blocked receiver (they return false) and every
 *     blocked sender (they panic: send on closed channel).
 *   - Among the cases of a select that are ready, one is chosen uniformly
 *     at random. A select may list the same channel in several cases, even
 *     a send and a receive on one unbuffered channel (they never match each
 *     other: a select cannot rendezvous with itself).
 *
 * Threads. Every call may be made from goroutines and from plain OS threads
 * (main before weft_main, pthreads, a test framework's thread) in any mix;
 * a blocking call parks the goroutine, or blocks the OS thread of a caller
 * that is not a goroutine. All calls on one channel may run concurrently,
 * except weft_chan_free (see there).
 *
 * Memory model (Go's): a send happens before the corresponding receive
 * completes; for an unbuffered channel the receive also happens before the
 * send completes; the k-th receive on a channel of capacity C happens
 * before the (k+C)-th send completes; a close happens before a receive
 * that returns false because of it. weft_chan_len makes no edge.
 *
 * Wait reasons in goroutine dumps and deadlock/leak reports, with Go's
 * words: "chan send", "chan receive", "select", "chan send (nil chan)",
 * "chan receive (nil chan)", "select (no cases)" (a blocking select with no
 * case whose channel is non-NULL).
 *
 * Misuse is loud, with Go's words, printed with the stack of the goroutine
 * at fault, exit status 2:
 *   panic: send on closed channel
 *   panic: close of closed channel
 *   panic: close of nil channel
 *   panic: makechan: size out of range
 *   fatal error: weft_chan_free: channel 0x... (elem size 8, cap 0) has
 *                blocked goroutines
 */
#ifndef WEFT_CHAN_H
#define WEFT_CHAN_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <weft/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_chan weft_chan;

/*
 * Makes a channel of elements of elem_size bytes with room for cap of them
 * (0: unbuffered). Never blocks. The caller owns the channel and frees it
 * with weft_chan_free. elem_size * cap too large to allocate: "panic:
 * makechan: size out of range"; out of memory is a fatal error.
 */
weft_chan *weft_chan_make(size_t elem_size, size_t cap);

/*
 * Sends a copy of the elem_size bytes at elem. Blocks until a receiver
 * takes it (unbuffered) or there is room in the buffer. elem NULL sends a
 * zeroed element (any elem_size). Wait reason: "chan send".
 * c NULL: blocks forever ("chan send (nil chan)").
 * Closed channel, before or while blocked: "panic: send on closed channel".
 */
void weft_chan_send(weft_chan *c, const void *elem);

/*
 * Receives an element into elem (elem_size bytes; elem NULL discards it).
 * Blocks until a value is available or the channel is closed. Returns true
 * when a value sent by weft_chan_send was received; false when the channel
 * is closed and its buffer drained, in which case *elem is zeroed.
 * Wait reason: "chan receive". c NULL: blocks forever
 * ("chan receive (nil chan)").
 */
bool weft_chan_recv(weft_chan *c, void *elem);

/*
 * Closes c: no more values may be sent. Values already buffered can still
 * be received. Wakes every blocked receiver and sender (see top of file).
 * Never blocks. c NULL: "panic: close of nil channel"; already closed:
 * "panic: close of closed channel". The channel of a timer or ticker must
 * not be closed (a panic says so).
 */
void weft_chan_close(weft_chan *c);

/* Elements buffered now; a snapshot that may be stale by the time it is
 * used. 0 for NULL, and for the channel of a timer or ticker (as in Go
 * 1.23, whose timer channels are unbuffered). Never blocks. */
size_t weft_chan_len(weft_chan *c);

/* The capacity given to weft_chan_make; 0 for NULL and for the channel of
 * a timer or ticker. Never blocks. */
size_t weft_chan_cap(weft_chan *c);

/*
 * Frees c. The owner (whoever made it) calls this once no goroutine or
 * thread uses c any more and none will: not blocked in a send, receive or
 * select on it, not about to call any weft_chan_* or list it in a select
 * (a goroutine whose select on c is returning still uses c until the call
 * has returned). Closing is not required first. Like Go's garbage
 * collector, weft cannot tell when a channel is no longer referenced, so
 * this is the program's job; using c after free is undefined.
 * Freeing a channel with goroutines or threads blocked on it is a fatal
 * error naming the channel (they could never be woken). NULL is ignored.
 * The channel of a timer or ticker is freed with its timer, not here.
 */
void weft_chan_free(weft_chan *c);

/* ----------------------------------------------------------------- select */

/* A case's operation. */
enum { WEFT_OP_SEND = 1, WEFT_OP_RECV = 2 };

/*
 * One case of a select: an operation on a channel with the element to
 * send or the place to receive into. For a receive, .ok is set when the
 * case is chosen: true if a sent value was received, false if the channel
 * was closed (and *elem zeroed). chan NULL: the case is never chosen.
 */
typedef struct weft_case {
  weft_chan *chan;
  int op;          /* WEFT_OP_SEND or WEFT_OP_RECV */
  void *elem;      /* send: the element (NULL: zeroed); receive: destination or NULL to discard */
  bool ok;         /* receive: set when chosen */
} weft_case;

/*
 * Case initialisers, usable as values and in array initialisers:
 *   weft_case cases[] = { WEFT_RECV(jobs, &job), WEFT_RECV(weft_ctx_done(ctx), NULL),
 *                         WEFT_SEND(results, &result) };
 *   switch (weft_select(cases, 3)) { ... }
 */
#define WEFT_SEND(ch, elem_ptr) \
  ((weft_case){.chan = (ch), .op = WEFT_OP_SEND, .elem = (void *)(elem_ptr), .ok = false})
#define WEFT_RECV(ch, elem_ptr) \
  ((weft_case){.chan = (ch), .op = WEFT_OP_RECV, .elem = (void *)(elem_ptr), .ok = false})

/*
 * Go's select statement: blocks until one of the n cases can proceed,
 * performs it, and returns its index. If several are ready, one is chosen
 * uniformly at random. Cases whose channel is NULL are skipped; a select
 * with no other case (n == 0 included) blocks forever
 * ("select (no cases)"). Wait reason while blocked: "select" (a select of
 * one case behaves exactly like the plain send or receive, as in Go).
 * A chosen send on a closed channel: "panic: send on closed channel".
 * An op other than WEFT_OP_SEND/WEFT_OP_RECV on a non-NULL channel is a
 * panic. The cases array is only read, except for each receive's .ok.
 */
int weft_select(weft_case *cases, size_t n);

/*
 * A select with a default branch: like weft_select if some case is ready
 * now, else returns -1 at once. Never blocks. With one case, a not-ready
 * channel is detected without taking its lock (Go's fast path).
 */
int weft_select_default(weft_case *cases, size_t n);

/* ------------------------------------------------------- timers, tickers */

/*
 * Makes a timer that, once d has elapsed (d <= 0: at once), delivers the
 * current time (weft_now(), a weft_time) on its channel, weft_timer_chan(t)
 * (time.NewTimer). Never blocks. The caller owns the timer and frees it
 * with weft_timer_free (weft/time.h), which also frees its channel.
 * weft_timer_stop and weft_timer_reset work on it as in Go 1.23: once they
 * return, no value from before the call can be received.
 */
weft_timer *weft_timer_new(weft_duration d);

/*
 * The channel on which t delivers (a channel of weft_time, capacity 0 as
 * far as weft_chan_len/cap tell). Owned by t: receive from it, select on
 * it, but never close or free it; it lives until weft_timer_free(t).
 * A timer made by weft_after_func has no channel: NULL (which blocks
 * forever in a receive and is never ready in a select, as in Go).
 */
weft_chan *weft_timer_chan(weft_timer *t);

/*
 * A ticker: delivers the current time on its channel every d
 * (time.NewTicker). If the receiver falls behind, ticks are dropped rather
 * than queued: at most one tick waits in the channel. Owned by the caller,
 * freed with weft_ticker_free. d <= 0: "panic: non-positive interval for
 * NewTicker". Never blocks.
 */
typedef struct weft_ticker weft_ticker;
weft_ticker *weft_ticker_new(weft_duration d);

/* The ticker's channel of weft_time values; owned by the ticker, like a
 * timer's (never close or free it). */
weft_chan *weft_ticker_chan(weft_ticker *t);

/*
 * Stops the ticker and restarts it with period d, the next tick d from
 * now. No tick from before the call can be received after it (Go 1.23).
 * d <= 0: "panic: non-positive interval for Ticker.Reset".
 */
void weft_ticker_reset(weft_ticker *t, weft_duration d);

/* Stops the ticker: no more ticks, and no tick from before the call can be
 * received after it. Does not close the channel. A stopped ticker may be
 * restarted with weft_ticker_reset. */
void weft_ticker_stop(weft_ticker *t);

/*
 * Stops and frees the ticker and its channel. As with weft_chan_free,
 * nobody may be blocked on the channel or use it afterwards. Calling it
 * while another call on the same ticker is in progress is undefined.
 * NULL is ignored.
 */
void weft_ticker_free(weft_ticker *t);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
