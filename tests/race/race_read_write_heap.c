/* A heap int written by one goroutine and read by another. */
// needs: symbols
// expect: Location is heap block of size 4 at 0x[0-9a-f]+ allocated by main goroutine:\n  app_main\(\)
#include "race_test.h"

int *p;

static void reader(void *arg) {
  USE(*p);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  p = malloc(sizeof *p);
  *p = 0;
  weft_go(reader, NULL);
  step_wait(1);
  *p = 1;
  join_wait(1);
  free(p);
  return 0;
}

RACE_MAIN(app_main)
