/* A close happens before a receive that returns false because of it. */
#include "chan_race_test.h"

static int data;
static weft_chan *c;

static void closer(void *arg) {
  data = 5;
  weft_chan_close(c);
}

static int app(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 0);
  weft_go(closer, NULL);
  if (weft_chan_recv(c, NULL)) abort();
  if (data != 5) abort();
  return 0;
}
RACE_MAIN(app)
