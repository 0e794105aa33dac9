/* weft_ticker_reset arms the ticker: the caller's past happens before the
 * receive of the next tick. */
#include "race_test.h"

int prepared;

static void receiver(void *arg) {
  weft_ticker *k = await_published();
  weft_time when;
  weft_chan_recv(weft_ticker_chan(k), &when);
  if (prepared != 4) abort();
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(receiver, NULL);
  weft_ticker *k = weft_ticker_new(3600 * WEFT_SECOND);
  publish(k);
  prepared = 4;
  weft_ticker_reset(k, WEFT_MILLISECOND);
  join_wait(1);
  weft_ticker_free(k);
  return 0;
}

RACE_MAIN(app_main)
