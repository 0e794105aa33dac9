/* The element a receive writes races with a concurrent read of it. */
// needs: symbols
// expect: weft_chan_recv|receiver
#include "race_test.h"

static weft_chan *c;
long slot;

static void receiver(void *arg) {
  weft_chan_recv(c, &slot);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  c = weft_chan_make(sizeof(long), 1);
  long v = 7;
  weft_chan_send(c, &v);
  weft_go(receiver, NULL);
  step_wait(1);
  USE(slot);
  join_wait(1);
  weft_chan_free(c);
  return 0;
}

RACE_MAIN(app_main)
