/* A write made after a buffered send is not ordered before the receiver's
 * read: a race. */
#include "chan_race_test.h"

static int data;
static weft_chan *c;

static void writer(void *arg) {
  weft_chan_send(c, &(int){1});
  data = 1;
  join_done();
}

static int app(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 1);
  weft_go(writer, NULL);
  weft_chan_recv(c, NULL);
  int x = data;
  USE(x);
  join_wait(1);
  return 0;
}
RACE_MAIN(app)
