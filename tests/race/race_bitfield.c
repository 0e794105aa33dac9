/* Adjacent bit-fields share a memory location: writing both races. */
#include "race_test.h"

struct flags { unsigned a : 4; unsigned b : 4; } f;

static void writer(void *arg) {
  f.b = 3;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  f.a = 5;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
