/* A reset orders only what came before it: a write after the reset races
 * with the callback. */
// needs: symbols
// expect: Goroutine [0-9]+ \((running|finished)\) created at:\n  weft_timer_reset\(\)\n      .*\n  app_main\(\)\n      .*race_after_func_reset_late_write.c:[0-9]+
#include "race_test.h"

int prepared;
static atomic_int fired;

static void cb(void *arg) {
  step_wait(1);
  USE(prepared);
  atomic_store_explicit(&fired, 1, memory_order_relaxed);
}

static int app_main(int argc, char **argv) {
  weft_timer *t = weft_after_func(3600 * WEFT_SECOND, cb, NULL);
  weft_timer_reset(t, WEFT_MILLISECOND);
  prepared = 3;
  step_to(1);
  while (!atomic_load_explicit(&fired, memory_order_relaxed)) weft_sleep(WEFT_MILLISECOND);
  weft_timer_free(t);
  return 0;
}

RACE_MAIN(app_main)
