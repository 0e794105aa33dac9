/*
 * ctx_testing.h - helpers shared by the tests of src/context.
 *
 * Waiting for "done" is always bounded (a 30 s timer beside the done
 * channel, far beyond any healthy run), so a broken build fails a check
 * instead of hanging the suite. "Not done" is checked with a non-blocking
 * select, never by timing.
 */
#ifndef WEFT_TESTS_CONTEXT_TESTING_H
#define WEFT_TESTS_CONTEXT_TESTING_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <weft.h>

#include "check.h"
#include "context/context_private.h"

#define PATIENCE (30 * WEFT_SECOND)

static inline int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Receives from c, or gives up after PATIENCE; true if c delivered (or was
 * closed). */
static inline bool recv_within(weft_chan *c, void *elem) {
  weft_timer *t = weft_timer_new(PATIENCE);
  weft_case cases[] = {WEFT_RECV(c, elem), WEFT_RECV(weft_timer_chan(t), NULL)};
  int i = weft_select(cases, 2);
  weft_timer_free(t);
  return i == 0;
}

/* Blocks until ctx is done (bounded); true if it became done. */
static inline bool wait_done(weft_ctx *ctx) {
  weft_chan *done = weft_ctx_done(ctx);
  if (!done) return false;
  return recv_within(done, NULL);
}

/* Whether ctx's done channel is closed right now (never blocks). */
static inline bool done_now(weft_ctx *ctx) {
  weft_chan *done = weft_ctx_done(ctx);
  if (!done) return false;
  weft_case c = WEFT_RECV(done, NULL);
  return weft_select_default(&c, 1) == 0;
}

/* Whether a value is ready on c right now (never blocks); receives it. */
static inline bool ready_now(weft_chan *c) {
  weft_case cs = WEFT_RECV(c, NULL);
  return weft_select_default(&cs, 1) == 0;
}

/* Polls cond (bounded by PATIENCE), napping between looks. */
#define EVENTUALLY(cond)                                                     \
  ({                                                                         \
    int64_t eventually_deadline_ = mono_ns() + PATIENCE;                     \
    while (!(cond) && mono_ns() < eventually_deadline_)                      \
      weft_sleep(100 * WEFT_MICROSECOND);                                    \
    (cond);                                                                  \
  })

/* Live children registered with a cancelable context (white box). */
static inline int children_of(weft_ctx *ctx) {
  struct cancel_ctx *c = as_cancel(ctx);
  int n = 0;
  rt_lock_acquire(&c->lock);
  for (struct cancel_ctx *k = c->children; k; k = k->next) n++;
  rt_lock_release(&c->lock);
  return n;
}

#endif
