/* Start edges compose: grandparent -> parent -> child. */
#include "race_test.h"

static int data;

static void child(void *arg) {
  if (data != 7) abort();
  join_done();
}

static void parent(void *arg) {
  weft_go(child, NULL);
  join_done();
}

static int app_main(int argc, char **argv) {
  data = 7;
  weft_go(parent, NULL);
  join_wait(2);
  return 0;
}

RACE_MAIN(app_main)
