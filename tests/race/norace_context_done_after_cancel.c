/* done made after the cancel: weft_ctx_done then returns a channel closed
 * on the spot, and receiving from it still observes the cancel (Go: Done
 * loads the closed channel the cancel stored). */
#include "race_test.h"

int result;

static void worker(void *arg) {
  result = 42;
  weft_cancel(arg);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_go(worker, ctx);
  /* Wait for the cancel without an edge (relaxed), and without done. */
  while (!atomic_load_explicit(&join_count, memory_order_relaxed)) weft_yield();
  weft_chan_recv(weft_ctx_done(ctx), NULL);
  int r = result;
  weft_ctx_release(ctx);
  return r == 42 ? 0 : 1;
}

RACE_MAIN(app_main)
