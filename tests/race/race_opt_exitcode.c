/* WEFT_RACE=exitcode=3: the status of a racy program that returned 0. */
// env: WEFT_RACE=exitcode=3
// exit: 3
#include "race_test.h"

int x;

static void writer(void *arg) {
  x = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  x = 2;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
