/*
 * flush.c - work flushed at shutdown: Ctrl-C loses nothing that was
 * accepted.
 *
 * A service accepts jobs into a queue and a worker processes them. On
 * SIGINT/SIGTERM (a signal context), it stops accepting, closes the queue,
 * and gives the worker a grace period to finish what was already accepted;
 * only what is left after the grace period would be abandoned (and said
 * so). Here the program sends itself SIGTERM after accepting 10 jobs, as a
 * supervisor would; all 10 are done before it exits 0.
 *
 *   ./build/weft run examples/services/flush.c
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <weft.h>

enum { JOBS = 10 };

struct worker {
  weft_chan *queue;                  /* accepted jobs; closed at shutdown */
  int done;                          /* read by main after `finished` */
  weft_chan *finished;               /* closed by the worker when the queue is drained */
};

static void work(void *arg) {
  struct worker *w = arg;
  int job;
  while (weft_chan_recv(w->queue, &job)) {
    weft_sleep(WEFT_MILLISECOND);    /* the job itself */
    w->done++;
  }
  weft_chan_close(w->finished);      /* queue closed and empty */
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  int signals[] = {SIGINT, SIGTERM};
  weft_ctx *stop = weft_signal_ctx(weft_background(), signals, 2);
  struct worker w = {weft_chan_make(sizeof(int), JOBS), 0, weft_chan_make(0, 0)};
  weft_go(work, &w);

  for (int job = 0; job < JOBS; job++) weft_chan_send(w.queue, &job);  /* serving... */
  kill(getpid(), SIGTERM);           /* ...until someone says stop */
  weft_chan_recv(weft_ctx_done(stop), NULL);
  weft_ctx_release(stop);            /* a second SIGTERM would now kill us */

  weft_chan_close(w.queue);          /* accept nothing more; flush the rest */
  weft_ctx *grace = weft_with_timeout(weft_background(), 5 * WEFT_SECOND);
  weft_case cases[] = {WEFT_RECV(w.finished, NULL), WEFT_RECV(weft_ctx_done(grace), NULL)};
  if (weft_select(cases, 2) == 0)
    printf("shutdown: %d of %d accepted jobs done, none lost\n", w.done, JOBS);
  else
    printf("shutdown: grace period over, abandoning the rest\n");
  weft_cancel(grace);
  weft_ctx_release(grace);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
