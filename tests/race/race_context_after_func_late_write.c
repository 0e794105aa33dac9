/* A write after the cancel that fires a weft_ctx_after_func callback races
 * with the callback; its goroutine is reported as created at the
 * registration. */
// needs: symbols
// expect: Goroutine [0-9]+ \((running|finished)\) created at:\n  weft_ctx_after_func\(\)\n      .*\n  app_main\(\)\n      .*race_context_after_func_late_write.c:[0-9]+
#include "race_test.h"

int state;
static atomic_int called;

static void cb(void *arg) {
  step_wait(1);
  USE(state);
  atomic_store_explicit(&called, 1, memory_order_relaxed);
}

static int app_main(int argc, char **argv) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_stop *stop = weft_ctx_after_func(ctx, cb, NULL);
  weft_cancel(ctx);
  state = 1;                    /* after the cancel: not ordered before cb */
  step_to(1);
  while (!atomic_load_explicit(&called, memory_order_relaxed)) weft_yield();
  weft_stop_call(stop);
  weft_ctx_release(ctx);
  return 0;
}

RACE_MAIN(app_main)
