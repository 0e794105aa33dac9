/*
 * bystander.c - the same two services started with weft_go, and main
 * parked in a select with no cases: a failure nobody notices.
 *
 * In Go:  go api(); go admin(); select {}
 *
 * The API's listener dies and the API returns EPIPE, but nobody receives
 * that error: a goroutine's return value goes nowhere. The admin service
 * carries on as if all were well, and main, the bystander, watches nothing.
 * In a real server the admin port would keep the process alive, half dead,
 * for days. Here the admin's requests also dry up, so weft can see that
 * every goroutine is asleep and stops the program: "deadlock!", with main
 * in "select (no cases)". The EPIPE is still lost. tied.c is the cure.
 *
 *   ./build/weft run examples/services/bystander.c
 */
#include <errno.h>
#include <stdio.h>
#include <weft.h>

struct service {
  weft_chan *requests;               /* closed when its listener dies */
  int served;
};

/* The same service as tied.c's, minus the context: it can only fail. */
static void serve(void *arg) {
  struct service *s = arg;
  int request;
  while (weft_chan_recv(s->requests, &request)) s->served++;
  /* return EPIPE; -- to whom? */
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  static struct service api, admin;
  api.requests = weft_chan_make(sizeof(int), 8);
  admin.requests = weft_chan_make(sizeof(int), 8);
  for (int i = 0; i < 3; i++) weft_chan_send(api.requests, &i);
  weft_chan_close(api.requests);                    /* the API's listener dies */
  for (int i = 0; i < 2; i++) weft_chan_send(admin.requests, &i);

  weft_go(serve, &api);
  weft_go(serve, &admin);
  weft_select(NULL, 0);                             /* select {}: wait for ever */
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
