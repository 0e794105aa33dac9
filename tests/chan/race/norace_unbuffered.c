/* What the sender did before an unbuffered send happens before the receive
 * returns. */
#include "chan_race_test.h"

static int data;
static weft_chan *c;

static void writer(void *arg) {
  data = 42;
  weft_chan_send(c, &(int){1});
}

static int app(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 0);
  weft_go(writer, NULL);
  int v;
  weft_chan_recv(c, &v);
  if (data != 42) abort();
  return 0;
}
RACE_MAIN(app)
