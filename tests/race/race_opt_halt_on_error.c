/* WEFT_RACE=halt_on_error=1: the program stops at the first report. */
// env: WEFT_RACE=halt_on_error=1
// reports: 1
// expect-not: NOT HALTED

#include "race_test.h"

int x, y;

static void writer(void *arg) {
  x = 1;
  y = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  x = 2;
  y = 2;
  join_wait(1);
  printf("NOT HALTED\n");
  return 0;
}

RACE_MAIN(app_main)
