/* A channel timer: what the goroutine did before weft_timer_new happens
 * before the receive of the timer's value (Go: arming a timer releases,
 * its expiry acquires). The receiver was started before the write and
 * learns of the timer through a relaxed pointer, which orders nothing. */
#include "race_test.h"

int prepared;

static void receiver(void *arg) {
  weft_timer *t = await_published();
  weft_time when;
  weft_chan_recv(weft_timer_chan(t), &when);
  if (prepared != 7) abort();
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(receiver, NULL);
  prepared = 7;
  weft_timer *t = weft_timer_new(WEFT_MILLISECOND);
  publish(t);
  join_wait(1);
  weft_timer_free(t);
  return 0;
}

RACE_MAIN(app_main)
