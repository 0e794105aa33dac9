/*
 * cond_fixed.c - the condition variable, signalled.
 *
 * Same program as cond.c, plus the missing line: after changing the
 * condition (under the mutex), weft_cond_broadcast wakes every waiter, and
 * each re-checks `ready` in its while loop. Use weft_cond_signal when one
 * waiter is enough. Prints "all 3 workers saw ready" and exits 0.
 *
 *   ./build/weft run examples/deadlock/cond_fixed.c
 */
#include <stdbool.h>
#include <stdio.h>
#include <weft.h>

enum { WORKERS = 3 };

static weft_mutex mu;
static weft_cond cond = WEFT_COND_INIT(&mu);
static bool ready;                   /* guarded by mu */
static weft_waitgroup waiting, finished;

static void worker(void *arg) {
  (void)arg;
  weft_mutex_lock(&mu);
  weft_waitgroup_done(&waiting);     /* (cond_wait below releases mu atomically) */
  while (!ready) weft_cond_wait(&cond);
  weft_mutex_unlock(&mu);
  weft_waitgroup_done(&finished);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  weft_waitgroup_add(&waiting, WORKERS);
  weft_waitgroup_add(&finished, WORKERS);
  for (int i = 0; i < WORKERS; i++) weft_go(worker, NULL);
  weft_waitgroup_wait(&waiting);
  weft_mutex_lock(&mu);              /* every worker is inside weft_cond_wait now */
  ready = true;                      /* change the condition... */
  weft_cond_broadcast(&cond);        /* FIX: wake every waiter to re-check */
  weft_mutex_unlock(&mu);
  weft_waitgroup_wait(&finished);
  printf("all %d workers saw ready\n", WORKERS);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
