/* Accesses between ignore_begin and ignore_end are not checked. */
#include "race_test.h"

static long stats;

static void worker(void *arg) {
  weft_race_ignore_begin();
  for (int i = 0; i < 100; i++) stats++;
  weft_race_ignore_end();
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(worker, NULL);
  join_wait(4);
  return weft_race_count() == 0 ? 0 : 1;
}

RACE_MAIN(app_main)
