/* The seed's counter with a weft_mutex taken by only some increments. */
// reports: 1
#include "race_test.h"

static weft_mutex mu;
long counter;

static void locked(void *arg) {
  for (int i = 0; i < 50; i++) {
    weft_mutex_lock(&mu);
    counter++;
    weft_mutex_unlock(&mu);
  }
  step_to(1);
  join_done();
}

static void unlocked(void *arg) {
  step_wait(1);
  for (int i = 0; i < 50; i++) counter++;
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(locked, NULL);
  weft_go(unlocked, NULL);
  join_wait(2);
  return 0;
}

RACE_MAIN(app_main)
