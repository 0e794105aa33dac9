/*
 * time.c - weft_sleep and the public weft_timer (after_func and the calls
 * shared with channel timers).
 *
 * weft_sleep parks the goroutine with a timer that lives in its own stack
 * frame; the timer is armed in the park's commit, after the goroutine is
 * off its stack, so the timer thread cannot ready it before it has parked.
 * A foreign thread just sleeps (it is not parked in weft: it will come
 * back by itself, which is what the deadlock check needs to know).
 *
 * A weft_timer wraps an rt_timer with a lock that orders stop/reset against
 * delivery (see runtime.h, struct timer_kind): expiry takes t->lock and
 * delivers only if the timer's seq has not moved since it expired, so a
 * stop or reset that returns has cancelled any delivery that had not
 * happened yet.
 *
 * Race detector (race/race.h, nothing in the normal library): arming or
 * resetting a timer releases the caller's past into the timer's clock, and
 * the delivery borrows it, so the after_func goroutine and the receiver of
 * a channel timer's value see what the armer did before arming (Go's
 * race runtime does the same).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "race/race.h"
#include "runtime/sched.h"

static int64_t deadline_after(weft_duration d) {
  int64_t now = rt_nanotime();
  if (d <= 0) return now;
  return d > INT64_MAX - now ? INT64_MAX : now + d;
}

static void sleep_fire(struct rt_timer *t, uint64_t seq) {
  rt_ready(t->arg);
}

static bool sleep_commit(struct weft_g *g, void *arg) {
  struct rt_timer *t = arg;
  rt_timer_set(t, t->when, 0);
  return true;
}

void weft_sleep(weft_duration d) {
  if (d <= 0) return;
  struct weft_g *g = rt_goroutine();
  if (!g) {
    struct timespec ts = {(time_t)(d / WEFT_SECOND), (long)(d % WEFT_SECOND)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return;
  }
  struct rt_timer t;
  rt_timer_init(&t, sleep_fire, g);
  t.when = deadline_after(d);
  rt_park(WAIT_SLEEP, NULL, sleep_commit, &t);
}

/* ---- weft_timer ---------------------------------------------------------- */

static void expire(struct rt_timer *rt, uint64_t seq) {
  struct weft_timer *t = (struct weft_timer *)((char *)rt - offsetof(struct weft_timer, rt));
  rt_lock_acquire(&t->lock);
  if (atomic_load_explicit(&rt->seq, memory_order_relaxed) == seq) {
    race_timer_fire_begin(t);
    t->kind->deliver(t, rt_walltime());
    race_timer_fire_end();
  }
  rt_lock_release(&t->lock);
}

void rt_weft_timer_init(struct weft_timer *t, const struct timer_kind *kind) {
  rt_timer_init(&t->rt, expire, t);
  t->lock = (rt_lock)RT_LOCK_INIT;
  t->kind = kind;
}

void rt_weft_timer_start(struct weft_timer *t, weft_duration d, weft_duration period) {
  rt_lock_acquire(&t->lock);
  rt_timer_set(&t->rt, deadline_after(d), period > 0 ? period : 0);
  rt_lock_release(&t->lock);
}

static void after_deliver(struct weft_timer *t, int64_t now_wall) {
  weft_go(t->fn, t->arg);
}

static const struct timer_kind after_func_kind = {after_deliver, NULL, NULL};

weft_timer *weft_after_func(weft_duration d, void (*fn)(void *), void *arg) {
  if (!fn) rt_panic("weft_after_func: nil func");
  struct weft_timer *t = rt_calloc(1, sizeof *t);
  rt_weft_timer_init(t, &after_func_kind);
  t->fn = fn;
  t->arg = arg;
  race_timer_arm(t, __builtin_return_address(0));
  rt_weft_timer_start(t, d, 0);
  return t;
}

/* Channel timers (kinds with a drain) must leave no stale value: an expiry
 * already taken off the heap but not yet delivered is cancelled as well
 * (its seq no longer matches). after_func timers keep Go's contract
 * instead: once expired, fn will run, so stop/reset report false and the
 * in-flight call goes ahead. */
static void cancel_in_flight(struct weft_timer *t) {
  atomic_fetch_add_explicit(&t->rt.seq, 1, memory_order_relaxed);
}

/* Go 1.23: a channel timer whose value was never received has not "fired"
 * yet as far as the program can tell, so Stop and Reset report true when
 * they discard that value. */
bool weft_timer_stop(weft_timer *t) {
  if (!t) rt_panic("weft_timer_stop: nil timer");
  rt_lock_acquire(&t->lock);
  bool was = rt_timer_del(&t->rt);
  if (t->kind->drain) {
    cancel_in_flight(t);
    if (t->kind->drain(t)) was = true;
  }
  rt_lock_release(&t->lock);
  return was;
}

bool weft_timer_reset(weft_timer *t, weft_duration d) {
  if (!t) rt_panic("weft_timer_reset: nil timer");
  race_timer_arm(t, __builtin_return_address(0));
  rt_lock_acquire(&t->lock);
  bool was;
  if (t->kind->drain) {
    /* Re-arm and make older expiries stale in one step under the heap
     * lock (a separate bump could also kill the new expiry when d <= 0),
     * then empty the channel. */
    was = rt_timer_rearm(&t->rt, deadline_after(d), t->rt.period);
    if (t->kind->drain(t)) was = true;
  } else {
    was = rt_timer_set(&t->rt, deadline_after(d), t->rt.period);
  }
  rt_lock_release(&t->lock);
  return was;
}

void weft_timer_free(weft_timer *t) {
  if (!t) return;
  rt_lock_acquire(&t->lock);
  rt_timer_del(&t->rt);
  rt_lock_release(&t->lock);
  rt_timer_del_sync(&t->rt);
  if (t->kind->dispose) t->kind->dispose(t);
  free(t);
}
