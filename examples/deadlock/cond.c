/*
 * cond.c - goroutines wait on a condition variable that nobody signals.
 *
 * Three workers wait for `ready` under the cond's mutex. Main sets ready to
 * true but forgets weft_cond_broadcast: the workers sleep on and never look
 * at the flag again. A condition variable has no memory; changing the
 * condition without signalling is a lost wake-up. weft sees that every
 * goroutine is asleep and prints who waits where (sync.Cond.Wait for the
 * workers, sync.WaitGroup.Wait for main). The fix is one line:
 * weft_cond_broadcast(&cond) after setting the flag (cond_fixed.c).
 *
 *   ./build/weft run examples/deadlock/cond.c
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
  ready = true;                      /* BUG: nobody is told */
  weft_mutex_unlock(&mu);
  weft_waitgroup_wait(&finished);
  printf("all %d workers saw ready\n", WORKERS);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
