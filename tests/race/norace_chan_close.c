/* close happens before a receive that observes it. */
#include "race_test.h"

int result;
static weft_chan *done;

static void worker(void *arg) {
  result = 42;
  weft_chan_close(done);
}

static int app_main(int argc, char **argv) {
  done = weft_chan_make(0, 0);
  weft_go(worker, NULL);
  weft_chan_recv(done, NULL);
  int r = result;
  weft_chan_free(done);
  return r == 42 ? 0 : 1;
}

RACE_MAIN(app_main)
