/*
 * test_group.c - weft_group, errgroup.WithContext: wait returns the first
 * non-zero result; the group's context is cancelled on the first error
 * and when wait returns, not before; set_limit bounds the active
 * goroutines and go blocks at the limit.
 */
#include "ctx_testing.h"

static int succeed(weft_ctx *ctx, void *arg) {
  CHECK_EQ(weft_ctx_err(ctx), 0);            /* nobody failed, wait has not returned */
  atomic_fetch_add((_Atomic int *)arg, 1);
  return 0;
}

static int count_only(weft_ctx *ctx, void *arg) {
  atomic_fetch_add((_Atomic int *)arg, 1);
  return 0;
}

static void test_empty_group(void) {
  weft_group *g = weft_group_new(weft_background());
  weft_ctx *ctx = weft_group_ctx(g);
  CHECK_EQ(weft_ctx_err(ctx), 0);
  CHECK_EQ(weft_group_wait(g), 0);
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);    /* cancelled when wait returns */
  CHECK_EQ(weft_group_wait(g), 0);           /* again: fine */
  weft_group_free(g);
  weft_group_free(NULL);
}

static void test_all_succeed(void) {
  _Atomic int ran = 0;
  weft_group *g = weft_group_new(NULL);      /* NULL: background */
  for (int i = 0; i < 100; i++) weft_group_go(g, succeed, &ran);
  CHECK_EQ(weft_group_wait(g), 0);
  CHECK_EQ(atomic_load(&ran), 100);          /* every return happened before wait returned */
  CHECK_EQ(weft_ctx_err(weft_group_ctx(g)), ECANCELED);
  weft_group_free(g);
}

static int fail_with(weft_ctx *ctx, void *arg) {
  return (int)(intptr_t)arg;
}

/* Waits for the group's context, then fails with its own error. */
static int fail_after_cancel(weft_ctx *ctx, void *arg) {
  CHECK(wait_done(ctx));
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);
  return (int)(intptr_t)arg;
}

static void test_first_error_wins_and_cancels(void) {
  weft_group *g = weft_group_new(weft_background());
  for (int i = 0; i < 10; i++) weft_group_go(g, fail_after_cancel, (void *)(intptr_t)(100 + i));
  weft_group_go(g, fail_with, (void *)(intptr_t)EIO);   /* the first error; cancels the rest */
  CHECK_EQ(weft_group_wait(g), EIO);
  weft_group_free(g);
}

static void test_parent_cancel_reaches_group(void) {
  weft_ctx *parent = weft_with_cancel(weft_background());
  weft_group *g = weft_group_new(parent);
  weft_group_go(g, fail_after_cancel, (void *)0);
  weft_cancel(parent);
  weft_ctx_release(parent);                  /* the group holds its own */
  CHECK_EQ(weft_group_wait(g), 0);           /* cancel is not an error of the group */
  weft_group_free(g);
}

/* ---- limit ------------------------------------------------------------- */

static _Atomic int active, max_active;

static int track_active(weft_ctx *ctx, void *arg) {
  int now = atomic_fetch_add(&active, 1) + 1;
  int seen = atomic_load(&max_active);
  while (now > seen && !atomic_compare_exchange_weak(&max_active, &seen, now)) {
  }
  weft_sleep(100 * WEFT_MICROSECOND);
  weft_yield();
  atomic_fetch_sub(&active, 1);
  return 0;
}

static void test_limit_bounds_active(void) {
  atomic_store(&active, 0);
  atomic_store(&max_active, 0);
  weft_group *g = weft_group_new(weft_background());
  weft_group_set_limit(g, 3);
  for (int i = 0; i < 60; i++) weft_group_go(g, track_active, NULL);
  CHECK_EQ(weft_group_wait(g), 0);
  CHECK(atomic_load(&max_active) <= 3);
  CHECK(atomic_load(&max_active) >= 1);
  weft_group_set_limit(g, -1);               /* no limit; allowed: nothing active */
  for (int i = 0; i < 20; i++) weft_group_go(g, track_active, NULL);
  CHECK_EQ(weft_group_wait(g), 0);
  weft_group_free(g);
}

static int hold_until_closed(weft_ctx *ctx, void *arg) {
  weft_chan_recv(arg, NULL);
  return 0;
}

struct launcher {
  weft_group *g;
  weft_chan *gate;          /* what the group's goroutines wait on */
  weft_chan *launched;      /* one value per weft_group_go that returned */
};

static void launch_two(void *arg) {
  struct launcher *l = arg;
  weft_group_go(l->g, hold_until_closed, l->gate);
  weft_chan_send(l->launched, NULL);
  weft_group_go(l->g, hold_until_closed, l->gate);   /* blocks: at the limit */
  weft_chan_send(l->launched, NULL);
}

static void test_go_blocks_at_limit(void) {
  struct launcher l = {weft_group_new(weft_background()), weft_chan_make(0, 0),
                       weft_chan_make(0, 2)};
  weft_group_set_limit(l.g, 1);
  weft_go(launch_two, &l);
  CHECK(recv_within(l.launched, NULL));      /* the first go returned */
  weft_sleep(WEFT_MILLISECOND);
  CHECK(!ready_now(l.launched));             /* the second is blocked */
  weft_chan_close(l.gate);                   /* the first goroutine returns ... */
  CHECK(recv_within(l.launched, NULL));      /* ... and frees the slot */
  CHECK_EQ(weft_group_wait(l.g), 0);
  weft_group_free(l.g);
  weft_chan_free(l.gate);
  weft_chan_free(l.launched);
}

/* ---- nesting, threads, waiting ----------------------------------------- */

static int spawn_more(weft_ctx *ctx, void *arg) {
  weft_group *g = arg;
  for (int i = 0; i < 5; i++) weft_group_go(g, fail_with, (void *)0);
  return 0;
}

static void test_go_from_a_group_goroutine(void) {
  weft_group *g = weft_group_new(weft_background());
  for (int i = 0; i < 5; i++) weft_group_go(g, spawn_more, g);
  CHECK_EQ(weft_group_wait(g), 0);
  weft_group_free(g);
}

static void *thread_uses_group(void *arg) {
  _Atomic int ran = 0;
  weft_group *g = weft_group_new(weft_background());
  weft_group_set_limit(g, 2);
  for (int i = 0; i < 10; i++) weft_group_go(g, count_only, &ran);
  weft_group_go(g, fail_with, (void *)(intptr_t)ENOENT);
  CHECK_EQ(weft_group_wait(g), ENOENT);     /* a foreign thread parks in wait */
  CHECK_EQ(atomic_load(&ran), 10);
  weft_group_free(g);
  return NULL;
}

struct waiter_job {
  weft_group *g;
  weft_chan *results;
};
static void second_waiter(void *arg) {
  struct waiter_job *j = arg;
  int err = weft_group_wait(j->g);
  weft_chan_send(j->results, &err);
}

static void test_several_waiters_and_wait_reason(void) {
  weft_group *g = weft_group_new(weft_background());
  weft_chan *gate = weft_chan_make(0, 0);
  weft_group_go(g, hold_until_closed, gate);
  weft_group_go(g, fail_with, (void *)(intptr_t)EPIPE);
  struct waiter_job j = {g, weft_chan_make(sizeof(int), 2)};
  weft_go(second_waiter, &j);
  weft_go(second_waiter, &j);
  /* Both park, and say what they wait for ("errgroup.Wait" in dumps).
   * Read under the group's lock: a waiter records its reason before its
   * park commits, and the commit releases that lock. */
  int parked = 0;
  for (int tries = 0; tries < 200000 && parked < 2; tries++) {
    parked = 0;
    rt_lock_acquire(&g->lock);
    for (struct group_waiter *w = g->waiters; w; w = w->next) {
      CHECK_EQ(w->g->reason, WAIT_GROUP_WAIT);
      CHECK(w->g->wait_obj == g);
      parked++;
    }
    rt_lock_release(&g->lock);
    if (parked < 2) weft_sleep(100 * WEFT_MICROSECOND);
  }
  CHECK_EQ(parked, 2);
  CHECK(strcmp(wait_reason_name(WAIT_GROUP_WAIT), "errgroup.Wait") == 0);
  weft_chan_close(gate);
  for (int i = 0; i < 2; i++) {
    int err = 0;
    CHECK(recv_within(j.results, &err));
    CHECK_EQ(err, EPIPE);
  }
  weft_group_free(g);
  weft_chan_free(gate);
  weft_chan_free(j.results);
}

static int app(int argc, char **argv) {
  RUN(test_empty_group);
  RUN(test_all_succeed);
  RUN(test_first_error_wins_and_cancels);
  RUN(test_parent_cancel_reaches_group);
  RUN(test_limit_bounds_active);
  RUN(test_go_blocks_at_limit);
  RUN(test_go_from_a_group_goroutine);
  RUN(test_several_waiters_and_wait_reason);
  return check_done();
}

int main(int argc, char **argv) {
  thread_uses_group(NULL);                  /* the main thread, before weft_main */
  return weft_main(app, argc, argv);
}
