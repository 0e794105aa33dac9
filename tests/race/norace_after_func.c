/* weft_after_func: the caller's past happens before the callback. */
#include "race_test.h"

int prepared;
static atomic_int fired;

static void cb(void *arg) {
  if (prepared != 5) abort();
  atomic_store(&fired, 1);
}

static int app_main(int argc, char **argv) {
  prepared = 5;
  weft_timer *t = weft_after_func(WEFT_MILLISECOND, cb, NULL);
  while (!atomic_load(&fired)) weft_sleep(WEFT_MILLISECOND);
  weft_timer_free(t);
  return 0;
}

RACE_MAIN(app_main)
