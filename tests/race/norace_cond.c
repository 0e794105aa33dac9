/* weft_cond with its mutex: the classic producer/consumer. */
#include "race_test.h"

static weft_mutex mu;
static weft_cond cv = WEFT_COND_INIT(&mu);
int ready;
int payload;

static void producer(void *arg) {
  weft_mutex_lock(&mu);
  payload = 7;
  ready = 1;
  weft_cond_signal(&cv);
  weft_mutex_unlock(&mu);
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  weft_mutex_lock(&mu);
  while (!ready) weft_cond_wait(&cv);
  int v = payload;
  weft_mutex_unlock(&mu);
  return v == 7 ? 0 : 1;
}

RACE_MAIN(app_main)
