/* On an unbuffered channel the receive also happens before the send
 * completes. */
#include "chan_race_test.h"

static int data;
static weft_chan *c;

static void receiver(void *arg) {
  data = 7;
  weft_chan_recv(c, NULL);
  join_done();
}

static int app(int argc, char **argv) {
  c = weft_chan_make(0, 0);
  weft_go(receiver, NULL);
  weft_chan_send(c, NULL);
  if (data != 7) abort();
  join_wait(1);
  return 0;
}
RACE_MAIN(app)
