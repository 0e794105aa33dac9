/* Freeing after a join is fine. */
#include "race_test.h"

static void writer(void *arg) {
  memset(arg, 1, 128);
  join_done();
}

static int app_main(int argc, char **argv) {
  char *p = malloc(128);
  weft_go(writer, p);
  join_wait(1);
  free(p);
  return 0;
}

RACE_MAIN(app_main)
