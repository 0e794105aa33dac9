#include <errno.h>
#include <weft.h>

struct service {
  weft_chan *requests;                       /* closed when its listener dies */
  int served;
};

/* Serves until told to stop (0) or until it can serve no more (EPIPE). */
static int serve(weft_ctx *ctx, void *arg) {
  struct service *s = arg;
  for (;;) {
    int request;
    weft_case cases[] = {WEFT_RECV(s->requests, &request), WEFT_RECV(weft_ctx_done(ctx), NULL)};
    if (weft_select(cases, 2) == 1) return 0;
    if (!cases[0].ok) return EPIPE;
    s->served++;
  }
}

/* When either service exits with an error, the group cancels the other's
 * context: both end, and wait reports the first error. */
static int run_services(weft_ctx *parent, struct service *api, struct service *admin) {
  weft_group *g = weft_group_new(parent);
  weft_group_go(g, serve, api);
  weft_group_go(g, serve, admin);
  int err = weft_group_wait(g);
  weft_group_free(g);
  return err;
}
