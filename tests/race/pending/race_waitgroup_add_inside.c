/* Go's classic misuse: Add inside the goroutine races with Wait. */
// expect: DATA RACE
#include "race_test.h"

static weft_waitgroup wg;

static void worker(void *arg) {
  step_wait(1);
  weft_waitgroup_add(&wg, 1);   /* too late: Wait may already be waiting */
  weft_waitgroup_done(&wg);
  join_done();
}

static void waiter(void *arg) {
  weft_waitgroup_add(&wg, 1);
  step_to(1);
  weft_waitgroup_wait(&wg);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(waiter, NULL);
  weft_go(worker, NULL);
  step_wait(1);
  weft_waitgroup_done(&wg);
  join_wait(2);
  return 0;
}

RACE_MAIN(app_main)
