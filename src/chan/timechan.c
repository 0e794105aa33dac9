/*
 * timechan.c - timers and tickers that deliver on channels
 * (time.NewTimer, time.NewTicker).
 *
 * Both are a struct weft_timer (runtime.h) whose kind is chan_timer_kind:
 * the runtime's timer thread calls deliver when the timer expires, and the
 * shared weft_timer_stop/reset/free (src/runtime/time.c) call drain and
 * dispose. All three run with t->lock held, and expiry checks the timer's
 * sequence number under that lock, so a delivery and a stop/reset never
 * interleave: a stop or reset that has returned has both cancelled any
 * expiry not yet delivered and (drain) removed any value delivered but not
 * yet received. That is Go 1.23's guarantee, "no stale value after Stop or
 * Reset", built from a capacity-1 channel instead of Go's unbuffered one.
 *
 *   deliver  a NON-BLOCKING send of the expiry's wall time into the
 *            channel: if the previous value has not been received yet (a
 *            slow ticker reader), this tick is dropped, as in Go. A
 *            receiver already blocked on the channel gets the value
 *            directly.
 *   drain    a non-blocking receive that discards (at most one value can
 *            be buffered).
 *   dispose  frees the channel, from weft_timer_free. As with any channel,
 *            nobody may still be blocked on it (fatal error otherwise).
 *
 * The channel is marked as a timer channel: weft_chan_len and _cap report
 * 0 (Go 1.23 timer channels are unbuffered), and closing or freeing it
 * directly is a panic, because the timer still owns it.
 *
 * Lock order: t->lock, then the channel's lock. Channel operations never
 * take a timer's lock, so the order is acyclic.
 *
 * A ticker is a channel timer with a period, wrapped in struct weft_ticker
 * so that its API cannot be mixed up with a timer's. Reset changes both the
 * next expiry and the period, under t->lock, then drains.
 */
#include <stdlib.h>

#include "chan/chan_private.h"

static void chan_timer_deliver(struct weft_timer *t, int64_t now_wall) {
  weft_time value = now_wall;
  chan_try_send(t->chan, &value, NULL);
}

static bool chan_timer_drain(struct weft_timer *t) {
  bool ok = false;
  return chan_try_recv(t->chan, NULL, &ok, NULL) && ok;
}

static void chan_timer_dispose(struct weft_timer *t) {
  chan_free_timer(t->chan);
  t->chan = NULL;
}

static const struct timer_kind chan_timer_kind = {
    chan_timer_deliver,
    chan_timer_drain,
    chan_timer_dispose,
};

static struct weft_timer *chan_timer_make(void) {
  struct weft_timer *t = rt_calloc(1, sizeof *t);
  rt_weft_timer_init(t, &chan_timer_kind);
  t->chan = chan_make_timer();
  return t;
}

CHAN_API weft_timer *weft_timer_new(weft_duration d) {
  struct weft_timer *t = chan_timer_make();
  race_timer_arm(t, CHAN_CALLER_PC());   /* the receiver sees our past (race.h) */
  rt_weft_timer_start(t, d, 0);
  return t;
}

CHAN_API weft_chan *weft_timer_chan(weft_timer *t) {
  if (!t) rt_panic("weft_timer_chan: nil timer");
  return t->chan;
}

/* ---- tickers ------------------------------------------------------------- */

struct weft_ticker {
  struct weft_timer *timer;
};

CHAN_API weft_ticker *weft_ticker_new(weft_duration d) {
  if (d <= 0) rt_panic("non-positive interval for NewTicker");
  struct weft_ticker *k = rt_calloc(1, sizeof *k);
  k->timer = chan_timer_make();
  k->timer->owner = k;
  race_timer_arm(k->timer, CHAN_CALLER_PC());
  rt_weft_timer_start(k->timer, d, d);
  return k;
}

CHAN_API weft_chan *weft_ticker_chan(weft_ticker *k) {
  if (!k) rt_panic("weft_ticker_chan: nil ticker");
  return k->timer->chan;
}

CHAN_API void weft_ticker_reset(weft_ticker *k, weft_duration d) {
  if (d <= 0) rt_panic("non-positive interval for Ticker.Reset");
  if (!k) rt_panic("weft_ticker_reset: nil ticker");
  struct weft_timer *t = k->timer;
  race_timer_arm(t, CHAN_CALLER_PC());
  rt_lock_acquire(&t->lock);
  int64_t now = rt_nanotime();
  int64_t when = d > INT64_MAX - now ? INT64_MAX : now + d;
  rt_timer_set(&t->rt, when, d);
  (void)t->kind->drain(t);
  rt_lock_release(&t->lock);
}

CHAN_API void weft_ticker_stop(weft_ticker *k) {
  if (!k) rt_panic("weft_ticker_stop: nil ticker");
  weft_timer_stop(k->timer);
}

CHAN_API void weft_ticker_free(weft_ticker *k) {
  if (!k) return;
  weft_timer_free(k->timer);
  free(k);
}
