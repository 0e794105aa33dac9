/* memset called from instrumented code is checked. */
#include "race_test.h"

char buf[256];

static void clearer(void *arg) {
  memset(buf, 0, sizeof buf);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(clearer, NULL);
  step_wait(1);
  USE(buf[200]);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
