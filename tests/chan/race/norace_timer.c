/* Receiving a timer's value (sent by the runtime's timer thread) reports
 * nothing. */
#include "chan_race_test.h"

static int app(int argc, char **argv) {
  weft_timer *t = weft_timer_new(WEFT_MILLISECOND);
  weft_time v = 0;
  weft_chan_recv(weft_timer_chan(t), &v);
  if (v <= 0) abort();
  weft_timer_free(t);
  return 0;
}
RACE_MAIN(app)
