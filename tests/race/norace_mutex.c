/* weft_mutex: unlock happens before the next lock. */
#include "race_test.h"

static weft_mutex mu;
long counter;

static void worker(void *arg) {
  for (int i = 0; i < 200; i++) {
    weft_mutex_lock(&mu);
    counter++;
    weft_mutex_unlock(&mu);
    if (i % 8 == 0) weft_yield();
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(worker, NULL);
  join_wait(4);
  weft_mutex_lock(&mu);
  long v = counter;
  weft_mutex_unlock(&mu);
  return v == 800 ? 0 : 1;
}

RACE_MAIN(app_main)
