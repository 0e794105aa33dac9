/* A deadline context: what its creator did before weft_with_timeout
 * happens before a goroutine sees done closed by the expiry (Go builds the
 * deadline from time.AfterFunc: arming releases, the expiry acquires). */
#include "race_test.h"

int prepared;

static void waiter(void *arg) {
  weft_ctx *ctx = await_published();
  weft_chan_recv(weft_ctx_done(ctx), NULL);
  if (prepared != 6) abort();
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(waiter, NULL);
  prepared = 6;
  weft_ctx *ctx = weft_with_timeout(weft_background(), WEFT_MILLISECOND);
  publish(ctx);
  join_wait(1);
  weft_ctx_release(ctx);
  return 0;
}

RACE_MAIN(app_main)
