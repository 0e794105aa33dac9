/* calloc'd memory races like any other. */
// expect: heap block of size 40
#include "race_test.h"

static void writer(void *arg) {
  ((long *)arg)[4] = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  long *p = calloc(5, sizeof *p);
  weft_go(writer, p);
  step_wait(1);
  USE(p[4]);
  join_wait(1);
  free(p);
  return 0;
}

RACE_MAIN(app_main)
