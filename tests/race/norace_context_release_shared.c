/* Context references dropped by several goroutines: the last release
 * frees the context and its done channel, which the other goroutine
 * closed when it cancelled. The reference count orders them (inside weft,
 * where the detector cannot see it): no report. */
#include "race_test.h"

static void canceller(void *arg) {
  weft_ctx *ctx = arg;
  weft_cancel(ctx);             /* closes done */
  weft_ctx_release(ctx);
  step_to(1);
}

static int app_main(int argc, char **argv) {
  for (int round = 0; round < 2; round++) {
    weft_ctx *ctx = weft_with_cancel(weft_background());
    (void)weft_ctx_done(ctx);   /* the channel exists before the cancel */
    weft_ctx_retain(ctx);
    atomic_store_explicit(&step, 0, memory_order_relaxed);
    weft_go(canceller, ctx);
    step_wait(1);               /* orders nothing for the detector */
    weft_ctx_release(ctx);      /* the last reference: frees */
  }
  return 0;
}

RACE_MAIN(app_main)
