/* Done orders only what came before it: a write after done races with
 * the read that follows wait. */
// needs: symbols
// expect: Read at 0x[0-9a-f]+ by main goroutine:\n  app_main\(\)
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  worker\(\)
#include "race_test.h"

static weft_waitgroup wg;
int before, after;

static void worker(void *arg) {
  before = 1;
  weft_waitgroup_done(&wg);
  after = 1;                    /* not covered by done */
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_waitgroup_add(&wg, 1);
  weft_go(worker, NULL);
  weft_waitgroup_wait(&wg);
  USE(before);                  /* fine: written before done */
  step_wait(1);
  USE(after);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
