/* weft_race_count counts reports: 0 until a race, then 1. */
// exit: 66
// reports: 1
#include "race_test.h"

int x;

static void writer(void *arg) {
  x = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  if (weft_race_count() != 0) return 1;
  weft_go(writer, NULL);
  step_wait(1);
  x = 2;
  join_wait(1);
  return weft_race_count() == 1 ? 0 : 3;
}

RACE_MAIN(app_main)
