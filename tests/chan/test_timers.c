/*
 * test_timers.c - timers and tickers that deliver on channels, with Go
 * 1.23 semantics:
 *
 *   - a timer delivers one weft_time (the time it fired, not before it
 *     was made) on its channel, to a receiver already waiting or later;
 *   - after weft_timer_stop or weft_timer_reset returns, no value from
 *     before the call can be received, including one already delivered
 *     but not yet received, and including expiries racing the call;
 *   - a ticker ticks repeatedly with increasing times, drops ticks for a
 *     slow reader (at most one waits), stops, and resets its period;
 *   - len and cap of a timer channel are 0; an after_func timer has no
 *     channel (NULL).
 * No pass/fail check depends on how quickly a timer fires, only on order.
 */
#include "chan_testing.h"

/* Buffered (delivered, not yet received) values of a timer channel; the
 * public len says 0 for timer channels, as in Go 1.23. */
static size_t pending(weft_chan *c) { return CHAN_LOAD(c->qcount); }

static void wait_pending(weft_chan *c) {
  int64_t deadline = mono_ns() + PATIENCE_NS;
  while (pending(c) == 0 && mono_ns() < deadline) nap();
  CHECK_EQ(pending(c), 1);
}

static bool try_recv_time(weft_chan *c, weft_time *t) {
  weft_case one[] = {WEFT_RECV(c, t)};
  return weft_select_default(one, 1) == 0;
}

static void test_timer_fires_once(void) {
  weft_time before = weft_now();
  weft_timer *t = weft_timer_new(2 * WEFT_MILLISECOND);
  weft_chan *c = weft_timer_chan(t);
  CHECK(c != NULL);
  CHECK_EQ(weft_chan_len(c), 0);
  CHECK_EQ(weft_chan_cap(c), 0);
  weft_time fired = 0;
  CHECK(weft_chan_recv(c, &fired));
  CHECK(fired >= before);
  CHECK(fired <= weft_now());
  /* Only one value, ever. */
  weft_sleep(5 * WEFT_MILLISECOND);
  CHECK(!try_recv_time(c, &fired));
  CHECK(!weft_timer_stop(t));
  weft_timer_free(t);
}

/* A value is delivered while nobody is receiving, and waits there. */
static void test_timer_value_waits(void) {
  weft_timer *t = weft_timer_new(0);
  wait_pending(weft_timer_chan(t));
  weft_time v = 0;
  CHECK(try_recv_time(weft_timer_chan(t), &v));
  CHECK(v > 0);
  weft_timer_free(t);
}

/* A goroutine blocked on the channel gets the value directly. */
struct waiter {
  weft_chan *c;
  weft_time got;
  bool ok;
};
static void recv_time(void *arg) {
  struct waiter *w = arg;
  w->ok = weft_chan_recv(w->c, &w->got);
}
static void test_timer_wakes_receiver(void) {
  for (int thread = 0; thread < 2; thread++) {
    weft_timer *t = weft_timer_new(WEFT_HOUR);
    struct waiter w = {weft_timer_chan(t), 0, false};
    struct runner r;
    runner_start(&r, thread, recv_time, &w);
    wait_queued(w.c, 1, 0);
    weft_time before = weft_now();
    CHECK(weft_timer_reset(t, WEFT_MILLISECOND));
    runner_join(&r);
    CHECK(w.ok);
    CHECK(w.got >= before);
    weft_timer_free(t);
  }
}

static void test_stop_before_fire(void) {
  weft_timer *t = weft_timer_new(WEFT_HOUR);
  CHECK(weft_timer_stop(t));
  CHECK(!weft_timer_stop(t));
  weft_sleep(WEFT_MILLISECOND);
  weft_time v;
  CHECK(!try_recv_time(weft_timer_chan(t), &v));
  weft_timer_free(t);
}

/* Go 1.23: a value delivered but not received is gone after Stop. */
static void test_stop_drains_delivered(void) {
  weft_timer *t = weft_timer_new(0);
  wait_pending(weft_timer_chan(t));
  CHECK(weft_timer_stop(t));   /* Go 1.23: the unreceived value counts as not fired */
  CHECK(!weft_timer_stop(t));
  weft_time v;
  CHECK(!try_recv_time(weft_timer_chan(t), &v));
  CHECK_EQ(pending(weft_timer_chan(t)), 0);
  weft_timer_free(t);
}

/* ... and after Reset: the next value is the new expiry's. */
static void test_reset_drains_delivered(void) {
  weft_timer *t = weft_timer_new(0);
  wait_pending(weft_timer_chan(t));
  weft_time before_reset = weft_now();
  CHECK(weft_timer_reset(t, 2 * WEFT_MILLISECOND)); /* discarded a value: true */
  weft_time v = 0;
  CHECK(weft_chan_recv(weft_timer_chan(t), &v));
  CHECK(v >= before_reset);
  /* Reset far away: nothing arrives. */
  weft_timer_reset(t, WEFT_HOUR);
  weft_sleep(5 * WEFT_MILLISECOND);
  CHECK(!try_recv_time(weft_timer_chan(t), &v));
  weft_timer_free(t);
}

/* Stops and resets racing the expiry: whatever the interleaving, once the
 * call returns the channel is empty and stays empty (stop) or next holds a
 * value no older than the reset (reset). */
static void test_stop_reset_race(void) {
  long rounds = scaled(2000);
  uint64_t rng = 88172645463325252ULL;
  for (long i = 0; i < rounds; i++) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    weft_duration d = (weft_duration)(rng % 30) * WEFT_MICROSECOND;
    weft_timer *t = weft_timer_new(d);
    for (volatile int spin = (int)(rng >> 40) % 3000; spin > 0; spin--) {
    }
    weft_chan *c = weft_timer_chan(t);
    weft_time v;
    if (i % 2 == 0) {
      weft_timer_stop(t);
      CHECK(!try_recv_time(c, &v));
    } else {
      weft_time before = weft_now();
      weft_timer_reset(t, WEFT_HOUR);
      CHECK(!try_recv_time(c, &v));
      weft_timer_reset(t, 0);
      CHECK(weft_chan_recv(c, &v));
      CHECK(v >= before);
    }
    weft_timer_free(t);
  }
  /* Nothing stray arrives later either. */
  weft_timer *t = weft_timer_new(0);
  weft_timer_stop(t);
  weft_sleep(WEFT_MILLISECOND);
  weft_time v;
  CHECK(!try_recv_time(weft_timer_chan(t), &v));
  weft_timer_free(t);
}

static void test_timer_in_select(void) {
  weft_chan *never = weft_chan_make(sizeof(int), 0);
  weft_timer *t = weft_timer_new(WEFT_MILLISECOND);
  int x;
  weft_time when = 0;
  weft_case cases[] = {WEFT_RECV(never, &x), WEFT_RECV(weft_timer_chan(t), &when)};
  CHECK_EQ(weft_select(cases, 2), 1);
  CHECK(cases[1].ok);
  CHECK(when > 0);
  weft_timer_free(t);
  weft_chan_free(never);
}

static void noop(void *arg) {}
static void test_after_func_has_no_channel(void) {
  weft_timer *t = weft_after_func(WEFT_HOUR, noop, NULL);
  CHECK(weft_timer_chan(t) == NULL);
  weft_timer_stop(t);
  weft_timer_free(t);
}

/* ---- tickers ------------------------------------------------------------------------ */

static void test_ticker_ticks(void) {
  weft_time start = weft_now();
  weft_ticker *k = weft_ticker_new(WEFT_MILLISECOND);
  weft_chan *c = weft_ticker_chan(k);
  CHECK_EQ(weft_chan_cap(c), 0);
  weft_time last = start;
  for (int i = 0; i < 5; i++) {
    weft_time v = 0;
    CHECK(weft_chan_recv(c, &v));
    CHECK(v >= last);
    last = v;
  }
  weft_ticker_free(k);
}

/* A slow reader: ticks are dropped, not queued. After a long pause one
 * old tick waits; the one after it is fresh. */
static void test_ticker_drops(void) {
  weft_ticker *k = weft_ticker_new(WEFT_MILLISECOND);
  weft_chan *c = weft_ticker_chan(k);
  weft_sleep(20 * WEFT_MILLISECOND);
  wait_pending(c);
  weft_time before = weft_now(), old = 0, fresh = 0;
  CHECK(weft_chan_recv(c, &old));
  CHECK(old <= before);
  CHECK(weft_chan_recv(c, &fresh));
  CHECK(fresh >= before);
  weft_ticker_free(k);
}

static void test_ticker_stop_and_reset(void) {
  weft_ticker *k = weft_ticker_new(WEFT_MILLISECOND);
  weft_chan *c = weft_ticker_chan(k);
  wait_pending(c);
  weft_ticker_stop(k);
  weft_time v;
  CHECK(!try_recv_time(c, &v)); /* the pending tick is gone */
  weft_sleep(5 * WEFT_MILLISECOND);
  CHECK(!try_recv_time(c, &v)); /* and no new ones come */
  weft_time before = weft_now();
  weft_ticker_reset(k, 2 * WEFT_MILLISECOND);
  for (int i = 0; i < 3; i++) {
    CHECK(weft_chan_recv(c, &v));
    CHECK(v >= before);
  }
  /* Reset to a long period drops the pending tick and waits. */
  wait_pending(c);
  weft_ticker_reset(k, WEFT_HOUR);
  CHECK(!try_recv_time(c, &v));
  weft_ticker_free(k);
}

/* Ticker used from a goroutine while another goroutine stops it. */
static void tick_reader(void *arg) {
  weft_ticker *k = arg;
  weft_time v;
  for (int i = 0; i < 3; i++) weft_chan_recv(weft_ticker_chan(k), &v);
}
static void test_ticker_from_goroutine(void) {
  weft_ticker *k = weft_ticker_new(WEFT_MILLISECOND);
  struct runner r;
  runner_start(&r, false, tick_reader, k);
  runner_join(&r);
  weft_ticker_stop(k);
  weft_ticker_free(k);
  weft_ticker_free(NULL);
  weft_timer_free(NULL);
}

int main(void) {
  RUN(test_timer_fires_once);
  RUN(test_timer_value_waits);
  RUN(test_timer_wakes_receiver);
  RUN(test_stop_before_fire);
  RUN(test_stop_drains_delivered);
  RUN(test_reset_drains_delivered);
  RUN(test_stop_reset_race);
  RUN(test_timer_in_select);
  RUN(test_after_func_has_no_channel);
  RUN(test_ticker_ticks);
  RUN(test_ticker_drops);
  RUN(test_ticker_stop_and_reset);
  RUN(test_ticker_from_goroutine);
  return check_done();
}
