/* A channel of capacity 1 as a lock: the k-th receive happens before the
 * (k+1)-th send completes, so the counter is never touched concurrently. */
#include "chan_race_test.h"

static int counter;
static weft_chan *sem;

static void worker(void *arg) {
  for (int i = 0; i < 100; i++) {
    weft_chan_send(sem, NULL);
    counter++;
    weft_chan_recv(sem, NULL);
  }
  join_done();
}

static int app(int argc, char **argv) {
  sem = weft_chan_make(0, 1);
  for (int i = 0; i < 4; i++) weft_go(worker, NULL);
  join_wait(4);
  if (counter != 400) abort();
  return 0;
}
RACE_MAIN(app)
