/* The seed's timer pattern: a write after arming races with the callback.
 * The callback's goroutine is reported as created where the timer was
 * armed: weft_after_func, then the user's line (SPEC section 6). */
// needs: symbols
// expect: Goroutine [0-9]+ \((running|finished)\) created at:\n  weft_after_func\(\)\n      .*src/runtime/time.c:[0-9]+ \+0x[0-9a-f]+\n  app_main\(\)\n      .*race_after_func_late_write.c:[0-9]+
#include "race_test.h"

int state;
static atomic_int fired;

static void cb(void *arg) {
  USE(state);
  atomic_store_explicit(&fired, 1, memory_order_relaxed);
}

static int app_main(int argc, char **argv) {
  weft_timer *t = weft_after_func(WEFT_MILLISECOND, cb, NULL);
  state = 1;
  while (!atomic_load_explicit(&fired, memory_order_relaxed)) weft_sleep(WEFT_MILLISECOND);
  weft_timer_free(t);
  return 0;
}

RACE_MAIN(app_main)
