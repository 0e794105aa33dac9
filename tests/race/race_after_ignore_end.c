/* Checking resumes after ignore_end. */
// reports: 1
#include "race_test.h"

long stats, real;

static void worker(void *arg) {
  weft_race_ignore_begin();
  stats++;
  weft_race_ignore_end();
  real++;
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 2; i++) weft_go(worker, NULL);
  join_wait(2);
  return 0;
}

RACE_MAIN(app_main)
