/* Writing under a read lock races with another reader's read. */
#include "race_test.h"

static weft_rwmutex rw;
long value;

static void bad_reader(void *arg) {
  weft_rwmutex_rlock(&rw);
  value++;                 /* a write under rlock */
  step_to(1);
  step_wait(2);
  weft_rwmutex_runlock(&rw);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(bad_reader, NULL);
  step_wait(1);
  weft_rwmutex_rlock(&rw);
  USE(value);
  step_to(2);
  weft_rwmutex_runlock(&rw);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
