/* Reading what a canceller wrote without waiting for done races, even if
 * the goroutine checks an unrelated relaxed flag. */
#include "race_test.h"

int result;
static weft_ctx *ctx;

static void worker(void *arg) {
  result = 99;
  step_to(1);
  weft_cancel(ctx);
  join_done();
}

static int app_main(int argc, char **argv) {
  ctx = weft_with_cancel(weft_background());
  weft_go(worker, NULL);
  step_wait(1);
  USE(result);
  join_wait(1);
  weft_ctx_release(ctx);
  return 0;
}

RACE_MAIN(app_main)
