/*
 * leaky_handler.c - a request handler that leaks a goroutine.
 *
 * The handler asks a slow backend for an answer in a goroutine of its own
 * and waits at most 10 ms for it. On timeout it returns an error, and
 * nobody will ever receive from `result` again. When the backend finally
 * answers, the worker blocks in its send on the unbuffered channel: for
 * ever. One leaked goroutine (and its stack) per timed-out request, until
 * the server runs out of memory.
 *
 * Leaks are silent by default. With WEFT_DEBUG=leakcheck=1, weft lists
 * every goroutine still alive when main returns, with what it waits for and
 * where it was started, and the exit status becomes 2.
 *
 *   WEFT_DEBUG=leakcheck=1 ./build/weft run examples/services/leaky_handler.c
 *
 * The fix (leaky_handler_fixed.c): a buffer of one, so that the late send
 * completes without a receiver.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <weft.h>

static weft_chan *backend;           /* closed when the backend answers */
static weft_chan *result;            /* worker -> handler; BUG: unbuffered */

static void ask_backend(void *arg) {
  (void)arg;
  weft_chan_recv(backend, NULL);     /* the slow part */
  int answer = 42;
  weft_chan_send(result, &answer);   /* blocks for ever once the handler gave up */
}

static int handle_request(int *answer) {
  weft_ctx *ctx = weft_with_timeout(weft_background(), 10 * WEFT_MILLISECOND);
  weft_go(ask_backend, NULL);
  weft_case cases[] = {WEFT_RECV(result, answer), WEFT_RECV(weft_ctx_done(ctx), NULL)};
  int err = weft_select(cases, 2) == 0 ? 0 : weft_ctx_err(ctx);
  weft_cancel(ctx);
  weft_ctx_release(ctx);
  return err;
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  backend = weft_chan_make(0, 0);
  result = weft_chan_make(sizeof(int), 0);
  int answer = 0;
  int err = handle_request(&answer);
  printf("handler: %s\n", err ? strerror(err) : "ok");
  weft_chan_close(backend);          /* the backend answers, too late */
  return 0;                          /* ask_backend is still alive, blocked */
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
