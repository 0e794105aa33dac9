/*
 * test_timeout.c - deadlines: weft_with_timeout and weft_with_deadline.
 *
 * The seed's case, without timing thresholds: a context with a long
 * timeout is not done right after it is made; a context with a short one
 * becomes done, with ETIMEDOUT, by the time its done channel closes (we
 * wait on it). Plus the tree rules for deadlines: a child's deadline is
 * never later than its parent's, a parent's timeout reaches its children
 * as ETIMEDOUT, and a cancel (or the last release) stops the timer, which
 * then never fires on freed memory (ASan).
 */
#include "ctx_testing.h"

/* The seed's case. */
static void test_not_done_before_done_after(void) {
  weft_time before = weft_now();
  weft_ctx *ctx = weft_with_timeout(weft_background(), WEFT_HOUR);
  weft_time after = weft_now();
  CHECK_EQ(weft_ctx_err(ctx), 0);           /* not done just before the deadline */
  CHECK(!done_now(ctx));
  weft_time deadline;
  CHECK(weft_ctx_deadline(ctx, &deadline));
  CHECK(deadline >= before + WEFT_HOUR && deadline <= after + WEFT_HOUR);
  weft_ctx_release(ctx);

  weft_ctx *soon = weft_with_timeout(weft_background(), 20 * WEFT_MILLISECOND);
  CHECK(soon != NULL);
  CHECK(weft_ctx_deadline(soon, &deadline));
  CHECK(wait_done(soon));                    /* done after it */
  CHECK_EQ(weft_ctx_err(soon), ETIMEDOUT);
  CHECK(weft_now() >= deadline);             /* and not before its deadline */
  weft_ctx_release(soon);
}

static void test_deadline_in_the_past(void) {
  weft_ctx *a = weft_with_deadline(weft_background(), weft_now() - WEFT_SECOND);
  CHECK_EQ(weft_ctx_err(a), ETIMEDOUT);
  CHECK(done_now(a));
  weft_ctx *b = weft_with_timeout(weft_background(), 0);
  CHECK_EQ(weft_ctx_err(b), ETIMEDOUT);
  weft_ctx *c = weft_with_timeout(weft_background(), -WEFT_HOUR);
  CHECK_EQ(weft_ctx_err(c), ETIMEDOUT);
  weft_time d;
  CHECK(weft_ctx_deadline(c, &d));
  weft_ctx_release(a);
  weft_ctx_release(b);
  weft_ctx_release(c);
}

static void test_child_deadline_never_later(void) {
  weft_ctx *parent = weft_with_timeout(weft_background(), WEFT_HOUR);
  weft_time pd, cd;
  CHECK(weft_ctx_deadline(parent, &pd));
  /* Later: the child keeps the parent's deadline. */
  weft_ctx *later = weft_with_timeout(parent, 2 * WEFT_HOUR);
  CHECK(weft_ctx_deadline(later, &cd));
  CHECK_EQ(cd, pd);
  weft_ctx *far = weft_with_deadline(parent, INT64_MAX);
  CHECK(weft_ctx_deadline(far, &cd));
  CHECK_EQ(cd, pd);
  /* Earlier: its own. */
  weft_ctx *sooner = weft_with_timeout(parent, WEFT_MINUTE);
  CHECK(weft_ctx_deadline(sooner, &cd));
  CHECK(cd < pd);
  /* Plain children and values inherit it. */
  static const char key;
  weft_ctx *value = weft_with_value(sooner, &key, NULL);
  weft_ctx *plain = weft_with_cancel(value);
  weft_time vd;
  CHECK(weft_ctx_deadline(plain, &vd));
  CHECK_EQ(vd, cd);
  /* A huge timeout saturates instead of wrapping into the past. */
  weft_ctx *forever = weft_with_timeout(weft_background(), INT64_MAX);
  CHECK_EQ(weft_ctx_err(forever), 0);
  weft_ctx *all[] = {forever, plain, value, sooner, far, later, parent};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) weft_ctx_release(all[i]);
}

/* A parent's timeout reaches descendants with ETIMEDOUT, even those with
 * a later deadline of their own or none. */
static void test_parent_timeout_reaches_children(void) {
  weft_ctx *parent = weft_with_timeout(weft_background(), 10 * WEFT_MILLISECOND);
  weft_ctx *plain = weft_with_cancel(parent);
  weft_ctx *later = weft_with_timeout(plain, WEFT_HOUR);
  CHECK(wait_done(later));
  CHECK_EQ(weft_ctx_err(later), ETIMEDOUT);
  CHECK_EQ(weft_ctx_err(plain), ETIMEDOUT);
  CHECK_EQ(weft_ctx_err(parent), ETIMEDOUT);
  weft_ctx_release(later);
  weft_ctx_release(plain);
  weft_ctx_release(parent);
}

/* A child's timeout never touches its parent. */
static void test_child_timeout_spares_parent(void) {
  weft_ctx *parent = weft_with_cancel(weft_background());
  weft_ctx *child = weft_with_timeout(parent, WEFT_MILLISECOND);
  CHECK(wait_done(child));
  CHECK_EQ(weft_ctx_err(child), ETIMEDOUT);
  CHECK_EQ(weft_ctx_err(parent), 0);
  CHECK(EVENTUALLY(children_of(parent) == 0));   /* the timer detached it */
  weft_ctx_release(child);
  weft_ctx_release(parent);
}

/* Cancelled before the deadline: ECANCELED for good. */
static void test_cancel_before_deadline(void) {
  weft_ctx *ctx = weft_with_timeout(weft_background(), 5 * WEFT_MILLISECOND);
  weft_cancel(ctx);
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);
  weft_sleep(10 * WEFT_MILLISECOND);             /* past the deadline */
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);
  weft_ctx_release(ctx);
}

static weft_waitgroup timers_done;
static void hold_then_release(void *arg) {
  weft_ctx *ctx = arg;
  CHECK(wait_done(ctx));
  CHECK_EQ(weft_ctx_err(ctx), ETIMEDOUT);
  weft_ctx_release(ctx);
  weft_waitgroup_done(&timers_done);
}

/* Only a goroutine holds the context when its timer fires. */
static void test_timer_fires_with_only_a_goroutine_holding(void) {
  for (int i = 0; i < 20; i++) {
    weft_ctx *ctx = weft_with_timeout(weft_background(), (i % 4) * WEFT_MILLISECOND / 2);
    weft_waitgroup_add(&timers_done, 1);
    weft_go(hold_then_release, ctx);               /* our reference, handed over */
  }
  weft_waitgroup_wait(&timers_done);
}

/* Released (not cancelled) before, at or after the moment its timer
 * fires: the timer and the release race; neither may touch freed memory,
 * and no timer goroutine may be left behind. */
static void test_release_races_timer(void) {
  int before = weft_num_goroutines();
  unsigned seed = 12345;
  long n = scaled(3000);
  for (long i = 0; i < n; i++) {
    weft_duration d = (weft_duration)(rand_r(&seed) % 200) * WEFT_MICROSECOND;
    weft_ctx *ctx = weft_with_timeout(weft_background(), d);
    weft_ctx *child = weft_with_cancel(ctx);
    if (rand_r(&seed) % 4 == 0) weft_sleep((weft_duration)(rand_r(&seed) % 200) * WEFT_MICROSECOND);
    if (rand_r(&seed) & 1) weft_cancel(child);
    weft_ctx_release(ctx);
    weft_ctx_release(child);
  }
  CHECK(EVENTUALLY(weft_num_goroutines() <= before));
}

/* A cancelled timeout stops its timer: none stays pending. */
static void test_cancel_stops_timer(void) {
  size_t before = rt_timers_pending();
  weft_ctx *ctxs[100];
  for (int i = 0; i < 100; i++) ctxs[i] = weft_with_timeout(weft_background(), WEFT_HOUR);
  CHECK(rt_timers_pending() >= before + 100);
  for (int i = 0; i < 100; i++) {
    if (i % 2) weft_cancel(ctxs[i]);
    weft_ctx_release(ctxs[i]);                    /* release alone stops it too */
  }
  CHECK_EQ(rt_timers_pending(), before);
}

static int app(int argc, char **argv) {
  RUN(test_not_done_before_done_after);
  RUN(test_deadline_in_the_past);
  RUN(test_child_deadline_never_later);
  RUN(test_parent_timeout_reaches_children);
  RUN(test_child_timeout_spares_parent);
  RUN(test_cancel_before_deadline);
  RUN(test_timer_fires_with_only_a_goroutine_holding);
  RUN(test_release_races_timer);
  RUN(test_cancel_stops_timer);
  return check_done();
}

int main(int argc, char **argv) {
  return weft_main(app, argc, argv);
}
