/* A local variable whose address escapes to a goroutine. */
// needs: symbols
// expect: Location is stack of main goroutine
#include "race_test.h"

static void writer(void *arg) {
  *(int *)arg = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  int local = 0;
  weft_go(writer, &local);
  step_wait(1);
  local = 2;
  join_wait(1);
  return local == 0;
}

RACE_MAIN(app_main)
