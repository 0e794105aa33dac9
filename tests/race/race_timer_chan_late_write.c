/* A write made after arming a channel timer is not ordered before the
 * receive of its value. */
// needs: symbols
// expect: Read at 0x[0-9a-f]+ by goroutine [0-9]+:\n  receiver\(\)
// expect: Previous write at 0x[0-9a-f]+ by main goroutine:\n  app_main\(\)
#include "race_test.h"

int prepared;

static void receiver(void *arg) {
  weft_timer *t = await_published();
  weft_time when;
  weft_chan_recv(weft_timer_chan(t), &when);
  step_wait(1);
  USE(prepared);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(receiver, NULL);
  weft_timer *t = weft_timer_new(WEFT_MILLISECOND);
  publish(t);
  prepared = 7;
  step_to(1);
  join_wait(1);
  weft_timer_free(t);
  return 0;
}

RACE_MAIN(app_main)
