/* weft_ctx_after_func: what the registrar did before registering happens
 * before the callback, even when another goroutine, which never
 * synchronised with the registrar, cancels (Go: the registration and the
 * cancel meet on the context's mutex). */
#include "race_test.h"

int prepared;
static atomic_int called;

static void cb(void *arg) {
  if (prepared != 8) abort();
  atomic_store(&called, 1);
}

static void canceller(void *arg) {
  step_wait(1);                 /* orders nothing for the detector */
  weft_cancel(arg);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_go(canceller, ctx);
  prepared = 8;
  weft_stop *stop = weft_ctx_after_func(ctx, cb, NULL);
  step_to(1);
  join_wait(1);
  while (!atomic_load(&called)) weft_yield();
  weft_stop_call(stop);
  weft_ctx_release(ctx);
  return 0;
}

RACE_MAIN(app_main)
