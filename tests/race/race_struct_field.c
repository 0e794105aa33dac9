/* The same field of a struct, written by two goroutines. */
// expect: Write at .* by
#include "race_test.h"

struct point { int x, y; } pt;

static void writer(void *arg) {
  pt.y = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  pt.y = 2;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
