/* A buffered channel of capacity 1 as a lock: the k-th receive happens
 * before the (k+1)-th send completes, so the counter is protected. */
#include "race_test.h"

long counter;
static weft_chan *sem;

static void worker(void *arg) {
  for (int i = 0; i < 100; i++) {
    weft_chan_send(sem, NULL);   /* acquire */
    counter++;
    weft_chan_recv(sem, NULL);   /* release */
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  sem = weft_chan_make(0, 1);
  for (int i = 0; i < 4; i++) weft_go(worker, NULL);
  join_wait(4);
  weft_chan_free(sem);
  return counter == 400 ? 0 : 1;
}

RACE_MAIN(app_main)
