/* An unbuffered send happens before the matching receive completes, and
 * the receive before the send completes (both directions). */
#include "race_test.h"

int to_main, to_worker;
static weft_chan *c;

static void worker(void *arg) {
  to_main = 1;
  int v = 1;
  weft_chan_send(c, &v);            /* main's receive sees to_main */
  weft_chan_send(c, &v);            /* completes after main's second receive */
  if (to_worker != 2) abort();      /* written by main before that receive */
  join_done();
}

static int app_main(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 0);
  weft_go(worker, NULL);
  int v;
  weft_chan_recv(c, &v);
  USE(to_main);
  to_worker = 2;
  weft_chan_recv(c, &v);
  join_wait(1);
  weft_chan_free(c);
  return 0;
}

RACE_MAIN(app_main)
