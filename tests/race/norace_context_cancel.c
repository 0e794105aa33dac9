/* A cancel happens before the done channel is observed closed. */
#include "race_test.h"

int result;
static weft_ctx *ctx;

static void worker(void *arg) {
  result = 99;
  weft_cancel(ctx);
}

static int app_main(int argc, char **argv) {
  ctx = weft_with_cancel(weft_background());
  weft_go(worker, NULL);
  weft_chan_recv(weft_ctx_done(ctx), NULL);
  int r = result;
  weft_ctx_release(ctx);
  return r == 99 ? 0 : 1;
}

RACE_MAIN(app_main)
