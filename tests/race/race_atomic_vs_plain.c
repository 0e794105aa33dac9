/* An atomic write and a plain read of the same variable race. */
// expect: (Read at .* by .*|Atomic write at .* by .*)
// expect: Previous (atomic write|read) at
#include "race_test.h"

static _Atomic int counter;

static void incrementer(void *arg) {
  atomic_fetch_add(&counter, 1);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(incrementer, NULL);
  step_wait(1);
  int plain = *(int *)&counter;
  USE(plain);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
