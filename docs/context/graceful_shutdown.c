#include <errno.h>
#include <signal.h>
#include <weft.h>

/* Finishes queued work until the queue is closed and empty (0) or the
 * grace period is over (ETIMEDOUT): what is left then is abandoned. */
static int flush(weft_ctx *grace, weft_chan *queue, int *flushed) {
  for (;;) {
    int job;
    weft_case cases[] = {WEFT_RECV(queue, &job), WEFT_RECV(weft_ctx_done(grace), NULL)};
    if (weft_select(cases, 2) == 1) return weft_ctx_err(grace);
    if (!cases[0].ok) return 0;
    (*flushed)++;
  }
}

static int run_until_signalled(weft_chan *queue, int *flushed) {
  int signals[] = {SIGINT, SIGTERM};
  weft_ctx *stop = weft_signal_ctx(weft_background(), signals, 2);
  weft_chan_recv(weft_ctx_done(stop), NULL);  /* ... serving, until Ctrl-C ... */
  weft_ctx_release(stop);                     /* a second Ctrl-C now kills */
  weft_ctx *grace = weft_with_timeout(weft_background(), 5 * WEFT_SECOND);
  int err = flush(grace, queue, flushed);
  weft_cancel(grace);                         /* Go's defer cancel() */
  weft_ctx_release(grace);
  return err;
}
