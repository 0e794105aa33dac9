/* A send and a close with no order between them race (Go reports it). */
#include "race_test.h"

static weft_chan *c;

static void sender(void *arg) {
  int v = 1;
  weft_chan_send(c, &v);  /* buffered: does not block */
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 1);
  weft_go(sender, NULL);
  step_wait(1);
  weft_chan_close(c);
  join_wait(1);
  weft_chan_free(c);
  return 0;
}

RACE_MAIN(app_main)
