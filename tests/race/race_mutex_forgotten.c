/* One goroutine forgets the lock the other takes. */
// reports: 1
#include "race_test.h"

static weft_mutex mu;
long counter;

static void careful(void *arg) {
  weft_mutex_lock(&mu);
  counter++;
  weft_mutex_unlock(&mu);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(careful, NULL);
  step_wait(1);
  counter++;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
