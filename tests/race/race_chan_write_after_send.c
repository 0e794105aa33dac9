/* What the sender does after the send is not ordered before the receiver. */
// needs: symbols
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  sender\(\)
#include "race_test.h"

int data;
static weft_chan *c;

static void sender(void *arg) {
  int v = 1;
  weft_chan_send(c, &v);
  data = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 1);
  weft_go(sender, NULL);
  int v;
  weft_chan_recv(c, &v);
  step_wait(1);
  USE(data);
  join_wait(1);
  weft_chan_free(c);
  return 0;
}

RACE_MAIN(app_main)
