/* What the parent does after weft_go is concurrent with the child. */
// expect: Previous (read|write) at .* by (goroutine [0-9]+|main goroutine)
#include "race_test.h"

int data;

static void reader(void *arg) {
  USE(data);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(reader, NULL);
  step_wait(1);
  data = 1;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
