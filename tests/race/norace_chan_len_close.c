/* len makes no edge but does not race with close either (as in Go). */
#include "race_test.h"

static weft_chan *c;

static void closer(void *arg) {
  weft_chan_close(c);
  join_done();
}

static int app_main(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 4);
  weft_go(closer, NULL);
  for (int i = 0; i < 100; i++) USE(weft_chan_len(c));
  join_wait(1);
  weft_chan_free(c);
  return 0;
}

RACE_MAIN(app_main)
