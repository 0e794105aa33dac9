/*
 * group.c - weft_group, Go's errgroup.Group made by errgroup.WithContext.
 *
 * State, under g->lock (an rt_lock: every critical section is a few
 * stores):
 *   active    goroutines started by weft_group_go that have not finished
 *   err       the first non-zero result (0 until then)
 *   waiters   callers parked in weft_group_wait, a list of records on
 *             their own stacks
 *
 * go: take a slot of the limit (if any), count the goroutine in, spawn it.
 * The goroutine runs fn(ctx, arg); a non-zero result is recorded if it is
 * the first, and then cancels the group's context (outside the lock).
 * Finishing gives the slot back, then counts the goroutine out; the last
 * one out wakes every waiter (after dropping the lock, as runtime.h's
 * lost-wakeup rule allows: waiters enqueue and park under the lock).
 *
 * The limit is Go's: a buffered channel of `limit` empty tokens. go sends
 * a token (blocking at the limit, wait reason "chan send", exactly as Go's
 * g.sem <- token{}), the goroutine receives one when it finishes. Using a
 * channel rather than a counter and a waiter list keeps FIFO order for
 * blocked callers and makes synctest treat the wait as durable for free.
 *
 * wait parks with its own reason, "errgroup.Wait", rather than reusing
 * weft_waitgroup's "sync.WaitGroup.Wait", so dumps say what is waited on.
 * Happens-before: each goroutine's return happens before wait returns
 * (race_release_merge per finish, race_acquire in wait), as Go's WaitGroup.
 *
 * Alternatives rejected: embedding a weft_waitgroup (wrong wait reason in
 * dumps, and its reuse rules would forbid go during a wait, which errgroup
 * allows).
 */
#include <errno.h>
#include <stdlib.h>

#include "context/context_private.h"
#include "race/race.h"

struct group_task {
  struct weft_group *group;
  int (*fn)(weft_ctx *, void *);
  void *arg;
};

weft_group *weft_group_new(weft_ctx *parent) {
  struct weft_group *g = ctx_alloc(sizeof *g);
  g->lock = (rt_lock)RT_LOCK_INIT;
  g->ctx = weft_with_cancel(parent ? parent : weft_background());
  return g;
}

weft_ctx *weft_group_ctx(weft_group *g) {
  if (!g) rt_panic("weft_group_ctx: nil group");
  return g->ctx;
}

static void group_finish(struct weft_group *g) {
  if (g->sem) weft_chan_recv(g->sem, NULL);
  race_release_merge(g);
  rt_lock_acquire(&g->lock);
  struct group_waiter *waiters = NULL;
  if (--g->active == 0) {
    waiters = g->waiters;
    g->waiters = NULL;
  }
  rt_lock_release(&g->lock);
  while (waiters) {
    struct group_waiter *next = waiters->next;  /* the record dies when its g runs */
    rt_ready(waiters->g);
    waiters = next;
  }
}

static void group_run(void *arg) {
  struct group_task *task = arg;   /* our own copy (weft_go_copy) */
  struct weft_group *g = task->group;
  int result = task->fn(g->ctx, task->arg);
  if (result != 0) {
    rt_lock_acquire(&g->lock);
    bool first = g->err == 0;
    if (first) g->err = result;
    rt_lock_release(&g->lock);
    if (first) weft_cancel(g->ctx);
  }
  group_finish(g);
}

void weft_group_go(weft_group *g, int (*fn)(weft_ctx *, void *), void *arg) {
  if (!g) rt_panic("weft_group_go: nil group");
  if (!fn) rt_panic("weft_group_go: nil func");
  if (g->sem) weft_chan_send(g->sem, NULL);
  rt_lock_acquire(&g->lock);
  g->active++;
  rt_lock_release(&g->lock);
  struct group_task task = {.group = g, .fn = fn, .arg = arg};
  weft_go_copy(group_run, &task, sizeof task);
}

void weft_group_set_limit(weft_group *g, int n) {
  if (!g) rt_panic("weft_group_set_limit: nil group");
  rt_lock_acquire(&g->lock);
  int active = g->active;
  rt_lock_release(&g->lock);
  if (active != 0)
    rt_panic("errgroup: modify limit while %d goroutines in the group are still active", active);
  weft_chan_free(g->sem);
  g->sem = n < 0 ? NULL : weft_chan_make(0, (size_t)n);
}

static bool group_wait_commit(struct weft_g *g, void *arg) {
  rt_lock_release(arg);
  return true;
}

int weft_group_wait(weft_group *g) {
  if (!g) rt_panic("weft_group_wait: nil group");
  rt_lock_acquire(&g->lock);
  if (g->active > 0) {
    struct group_waiter self = {.g = rt_current(), .next = g->waiters};
    g->waiters = &self;
    rt_park(WAIT_GROUP_WAIT, g, group_wait_commit, &g->lock);
    rt_lock_acquire(&g->lock);
  }
  int err = g->err;
  rt_lock_release(&g->lock);
  race_acquire(g);
  weft_cancel(g->ctx);
  return err;
}

void weft_group_free(weft_group *g) {
  if (!g) return;
  rt_lock_acquire(&g->lock);
  int active = g->active;
  rt_lock_release(&g->lock);
  if (active != 0)
    rt_panic("weft_group_free: %d goroutines of the group are still running "
             "(call weft_group_wait first)", active);
  weft_ctx_release(g->ctx);
  weft_chan_free(g->sem);
  free(g);
}
