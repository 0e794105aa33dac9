/*
 * tied.c - two services whose lifetimes are tied by a group: when one
 * exits, both shut down, and the program ends cleanly.
 *
 * A server process often runs several services (an API, an admin port).
 * If one of them dies, running on without it is worse than stopping: tie
 * them together. weft_group_new gives every service the same context; the
 * first service to return an error cancels it, the others see
 * weft_ctx_done() and return, and weft_group_wait hands main the first
 * error. The group's parent is a signal context, so Ctrl-C (SIGINT) or
 * SIGTERM stops everything the same way.
 *
 * Here the API's listener "dies" after three requests (its channel is
 * closed): the API returns EPIPE, the admin service is cancelled, main logs
 * the error and exits 0 with no goroutine left behind.
 *
 *   ./build/weft run examples/services/tied.c
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <weft.h>

struct service {
  const char *name;
  weft_chan *requests;               /* closed when its listener dies */
  int served;
};

/* Serves until told to stop (0) or until it can serve no more (EPIPE). */
static int serve(weft_ctx *ctx, void *arg) {
  struct service *s = arg;
  for (;;) {
    int request;
    weft_case cases[] = {WEFT_RECV(s->requests, &request), WEFT_RECV(weft_ctx_done(ctx), NULL)};
    if (weft_select(cases, 2) == 1) return 0;       /* asked to stop */
    if (!cases[0].ok) return EPIPE;                  /* listener gone */
    s->served++;
  }
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  struct service api = {"api", weft_chan_make(sizeof(int), 8), 0};
  struct service admin = {"admin", weft_chan_make(sizeof(int), 8), 0};
  for (int i = 0; i < 3; i++) weft_chan_send(api.requests, &i);
  weft_chan_close(api.requests);                    /* the API's listener dies */
  for (int i = 0; i < 2; i++) weft_chan_send(admin.requests, &i);

  int signals[] = {SIGINT, SIGTERM};
  weft_ctx *stop = weft_signal_ctx(weft_background(), signals, 2);
  weft_group *g = weft_group_new(stop);
  weft_group_go(g, serve, &api);
  weft_group_go(g, serve, &admin);
  int err = weft_group_wait(g);                     /* both have returned */
  weft_group_free(g);
  weft_cancel(stop);                                /* Go's stop(): release the signals */
  weft_ctx_release(stop);

  printf("api served %d requests, then failed: %s\n", api.served, strerror(err));
  printf("admin was stopped by the group; shut down cleanly\n");
  weft_chan_free(api.requests);
  weft_chan_free(admin.requests);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
