/* weft_timer_reset arms again: what the caller did before the reset
 * happens before the callback, even if it came after the first arming. */
#include "race_test.h"

int prepared;
static atomic_int fired;

static void cb(void *arg) {
  if (prepared != 3) abort();
  atomic_store(&fired, 1);
}

static int app_main(int argc, char **argv) {
  weft_timer *t = weft_after_func(3600 * WEFT_SECOND, cb, NULL);
  prepared = 3;
  weft_timer_reset(t, WEFT_MILLISECOND);
  while (!atomic_load(&fired)) weft_sleep(WEFT_MILLISECOND);
  weft_timer_free(t);
  return 0;
}

RACE_MAIN(app_main)
