/* Go's misuse (its TestRaceWaitGroupWrongAdd): the add that takes the
 * counter from 0 is made inside the goroutine, so nothing orders it
 * before the wait that blocks on it. Go models that first add as a read
 * of the group and the first blocking wait as a write: they race. */
// needs: symbols
// expect: Write at 0x[0-9a-f]+ by main goroutine:\n  app_main\(\)
// expect: Previous read at 0x[0-9a-f]+ by goroutine [0-9]+:\n  worker\(\)
#include "race_test.h"

static weft_waitgroup wg;

static void worker(void *arg) {
  weft_waitgroup_add(&wg, 1);   /* too late: should be made before weft_go */
  step_to(1);
  /* Done only once main is parked in wait, so that its wait blocks (a
   * wait that finds the counter at 0 makes no access). The low half of
   * the state counts parked waiters: a test-only peek at a private field. */
  while ((uint32_t)__atomic_load_n(&wg.state, __ATOMIC_RELAXED) == 0) weft_yield();
  weft_waitgroup_done(&wg);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(worker, NULL);
  step_wait(1);
  weft_waitgroup_wait(&wg);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
