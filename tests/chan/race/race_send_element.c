/* A send reads its element: another goroutine writing that element at the
 * same time is a race. */
#include "chan_race_test.h"

static long value;
static weft_chan *c;

static void mutator(void *arg) {
  value = 99;
  join_done();
}

static int app(int argc, char **argv) {
  c = weft_chan_make(sizeof(long), 1);
  weft_go(mutator, NULL);
  weft_chan_send(c, &value);
  join_wait(1);
  return 0;
}
RACE_MAIN(app)
