#include <stdatomic.h>
#include <weft.h>

static _Atomic long beats;

/* Its end is known: it returns when ctx is done. */
static void heartbeat(void *arg) {
  weft_ctx *ctx = arg;                       /* a reference handed to us */
  weft_ticker *tick = weft_ticker_new(WEFT_MILLISECOND);
  weft_case cases[] = {WEFT_RECV(weft_ticker_chan(tick), NULL),
                       WEFT_RECV(weft_ctx_done(ctx), NULL)};
  while (weft_select(cases, 2) == 0) atomic_fetch_add(&beats, 1);
  weft_ticker_free(tick);
  weft_ctx_release(ctx);
}

/* Not weft_go(heartbeat, ...) followed by a select with no cases: the
 * starter says how the goroutine ends, and waits for it to end. */
static void beat_for(weft_duration d) {
  weft_ctx *ctx = weft_with_timeout(weft_background(), d);
  weft_waitgroup wg = {0};
  weft_ctx_retain(ctx);                      /* the goroutine's reference */
  weft_waitgroup_go(&wg, heartbeat, ctx);
  weft_waitgroup_wait(&wg);                  /* returns once ctx is done */
  weft_ctx_release(ctx);
}
