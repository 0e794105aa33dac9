/*
 * leaky_handler_fixed.c - the handler of leaky_handler.c, leaking nothing.
 *
 * Two changes. `result` has a buffer of one: the worker's late send
 * completes with nobody receiving, and the worker ends. And the server
 * keeps count of its workers (a WaitGroup) and waits for them before it
 * exits, so "every goroutine has finished" is something it knows rather
 * than hopes. With WEFT_DEBUG=leakcheck=1 the program exits 0, silently.
 *
 *   WEFT_DEBUG=leakcheck=1 ./build/weft run examples/services/leaky_handler_fixed.c
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <weft.h>

static weft_chan *backend;           /* closed when the backend answers */
static weft_chan *result;            /* worker -> handler; FIX: one slot */
static weft_waitgroup workers;

static void ask_backend(void *arg) {
  (void)arg;
  weft_chan_recv(backend, NULL);     /* the slow part */
  int answer = 42;
  weft_chan_send(result, &answer);   /* completes even if the handler gave up */
  weft_waitgroup_done(&workers);
}

static int handle_request(int *answer) {
  weft_ctx *ctx = weft_with_timeout(weft_background(), 10 * WEFT_MILLISECOND);
  weft_waitgroup_add(&workers, 1);
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
  result = weft_chan_make(sizeof(int), 1);
  int answer = 0;
  int err = handle_request(&answer);
  printf("handler: %s\n", err ? strerror(err) : "ok");
  weft_chan_close(backend);          /* the backend answers, too late */
  weft_waitgroup_wait(&workers);     /* FIX: no worker outlives the server */
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
