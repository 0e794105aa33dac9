/*
 * test_timers.c - weft_sleep and after_func timers (stop, reset, free).
 * No test here asserts an upper bound on time: only "not before".
 */
#include <stdatomic.h>
#include <weft.h>

#include "check.h"
#include "runtime/runtime.h"

static int64_t mono(void) { return rt_nanotime(); }

static void test_sleep_not_early(void) {
  for (int i = 0; i < 5; i++) {
    int64_t t0 = mono();
    weft_sleep((i + 1) * WEFT_MILLISECOND);
    CHECK(mono() - t0 >= (i + 1) * WEFT_MILLISECOND);
  }
  int64_t t0 = mono();
  weft_sleep(0);
  weft_sleep(-5);
  (void)t0;
}

static atomic_int fired;
static _Atomic uint64_t fired_in;
static void on_fire(void *arg) {
  fired_in = weft_self();
  atomic_fetch_add(&fired, 1);
}

/* after_func runs fn once, in its own goroutine, not before d. */
static void test_after_func_fires(void) {
  atomic_store(&fired, 0);
  int64_t t0 = mono();
  weft_timer *t = weft_after_func(3 * WEFT_MILLISECOND, on_fire, NULL);
  while (atomic_load(&fired) == 0) weft_sleep(WEFT_MILLISECOND / 2);
  CHECK(mono() - t0 >= 3 * WEFT_MILLISECOND);
  weft_sleep(5 * WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&fired), 1);
  CHECK(fired_in != 1 && fired_in != 0);
  CHECK(!weft_timer_stop(t)); /* already fired */
  weft_timer_free(t);
}

/* Stop before expiry prevents the call and reports it. */
static void test_after_func_stop(void) {
  atomic_store(&fired, 0);
  weft_timer *t = weft_after_func(WEFT_HOUR, on_fire, NULL);
  CHECK(weft_timer_stop(t));
  CHECK(!weft_timer_stop(t));
  weft_timer_free(t);
  CHECK_EQ(atomic_load(&fired), 0);
}

/* Reset of a pending timer reports true and moves the expiry; reset of a
 * fired timer reports false and arms it again. */
static void test_after_func_reset(void) {
  atomic_store(&fired, 0);
  weft_timer *t = weft_after_func(WEFT_HOUR, on_fire, NULL);
  CHECK(weft_timer_reset(t, WEFT_MILLISECOND));
  while (atomic_load(&fired) == 0) weft_sleep(WEFT_MILLISECOND / 2);
  CHECK(!weft_timer_reset(t, WEFT_MILLISECOND));
  while (atomic_load(&fired) < 2) weft_sleep(WEFT_MILLISECOND / 2);
  CHECK_EQ(atomic_load(&fired), 2);
  weft_timer_free(t);
}

/* Reset from inside the callback (the seed's timer pattern) re-arms it.
 * The timer is armed far away, published, then reset: the callback never
 * runs before self_timer is set (the seed's version of this is a data
 * race, which the race build reports). */
static weft_timer *self_timer;
static atomic_int rearms;
static void rearm(void *arg) {
  if (atomic_fetch_add(&rearms, 1) < 4) weft_timer_reset(self_timer, WEFT_MILLISECOND);
}
static void test_reset_from_callback(void) {
  self_timer = weft_after_func(WEFT_HOUR, rearm, NULL);
  weft_timer_reset(self_timer, WEFT_MILLISECOND);
  while (atomic_load(&rearms) < 5) weft_sleep(WEFT_MILLISECOND);
  weft_sleep(5 * WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&rearms), 5);
  weft_timer_free(self_timer);
}

/* Timers fire in deadline order regardless of creation order. */
static int order[16];
static atomic_int order_n, order_done;
static void record_order(void *arg) {
  order[atomic_fetch_add(&order_n, 1)] = (int)(intptr_t)arg;
  atomic_fetch_add(&order_done, 1);   /* after the store: main may read it */
}
static void test_order(void) {
  weft_timer *ts[8];
  for (int i = 0; i < 8; i++) ts[i] = weft_after_func((8 - i) * 2 * WEFT_MILLISECOND, record_order, (void *)(intptr_t)(7 - i));
  while (atomic_load(&order_done) < 8) weft_sleep(WEFT_MILLISECOND);
  /* Callbacks run in goroutines, which may be scheduled in any order once
   * due; but every timer did fire exactly once. */
  int seen[8] = {0};
  for (int i = 0; i < 8; i++) seen[order[i]]++;
  for (int i = 0; i < 8; i++) CHECK_EQ(seen[i], 1);
  for (int i = 0; i < 8; i++) weft_timer_free(ts[i]);
}

/* With 100k timers pending far in the future, sleep still works and the
 * pending count is right; stopping them all empties the heap. */
static void test_many_pending(void) {
  size_t n = (size_t)scaled(100000);
  weft_timer **ts = malloc(n * sizeof *ts);
  size_t before = rt_timers_pending();
  for (size_t i = 0; i < n; i++) ts[i] = weft_after_func(WEFT_HOUR + (weft_duration)(i * 7919 % 100000), on_fire, NULL);
  CHECK_EQ(rt_timers_pending(), before + n);
  int64_t t0 = mono();
  weft_sleep(2 * WEFT_MILLISECOND);
  CHECK(mono() - t0 >= 2 * WEFT_MILLISECOND);
  for (size_t i = 0; i < n; i += 2) CHECK(weft_timer_stop(ts[i]));
  for (size_t i = 0; i < n; i++) weft_timer_free(ts[i]);
  CHECK_EQ(rt_timers_pending(), before);
  free(ts);
}

/* Many goroutines sleeping random durations all wake, none early. */
static atomic_int woke, early;
static void sleeper(void *arg) {
  weft_duration d = (weft_duration)(intptr_t)arg;
  int64_t t0 = rt_nanotime();
  weft_sleep(d);
  if (rt_nanotime() - t0 < d) atomic_fetch_add(&early, 1);
  atomic_fetch_add(&woke, 1);
}
static void test_many_sleepers(void) {
  int n = (int)scaled(20000);
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    weft_go(sleeper, (void *)(intptr_t)(x % (3 * WEFT_MILLISECOND)));
  }
  while (atomic_load(&woke) < n) weft_sleep(WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&early), 0);
}

/* Go's contract, raced on purpose: stop returning false means fn has
 * started or will start; true means it never will. Each round arms a
 * timer and stops it near its expiry. */
static atomic_int raced_runs;
static void raced_fn(void *arg) { atomic_fetch_add(&raced_runs, 1); }
static void test_stop_false_means_fn_runs(void) {
  int rounds = (int)scaled(2000);
  int said_false = 0;
  atomic_store(&raced_runs, 0);
  for (int i = 0; i < rounds; i++) {
    weft_timer *t = weft_after_func((i % 50) * WEFT_MICROSECOND, raced_fn, NULL);
    for (int k = 0; k < i % 7; k++) weft_yield();
    if (!weft_timer_stop(t)) said_false++;
    weft_timer_free(t);
  }
  /* Every "false" is a call that has started or will start. */
  int64_t deadline = rt_nanotime() + 10 * WEFT_SECOND;
  while (atomic_load(&raced_runs) < said_false && rt_nanotime() < deadline) weft_sleep(WEFT_MILLISECOND);
  weft_sleep(5 * WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&raced_runs), said_false);
}

static int app(int argc, char **argv) {
  RUN(test_stop_false_means_fn_runs);
  RUN(test_sleep_not_early);
  RUN(test_after_func_fires);
  RUN(test_after_func_stop);
  RUN(test_after_func_reset);
  RUN(test_reset_from_callback);
  RUN(test_order);
  RUN(test_many_pending);
  RUN(test_many_sleepers);
  return check_done();
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
