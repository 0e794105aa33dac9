/* A program that fails on its own keeps its status (not 66). */
// exit: 5
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
  return 5;
}

RACE_MAIN(app_main)
