/* The same semaphore with capacity 2 lets two goroutines in at once. */
// reports: 1
#include "race_test.h"

long counter;
static weft_chan *sem;
static atomic_int inside;

static void worker(void *arg) {
  weft_chan_send(sem, NULL);
  /* both inside together, deterministically */
  atomic_fetch_add_explicit(&inside, 1, memory_order_relaxed);
  while (atomic_load_explicit(&inside, memory_order_relaxed) < 2) weft_yield();
  if (arg) step_wait(1);
  counter++;
  if (!arg) step_to(1);
  weft_chan_recv(sem, NULL);
  join_done();
}

static int app_main(int argc, char **argv) {
  sem = weft_chan_make(0, 2);
  weft_go(worker, NULL);
  weft_go(worker, (void *)1);
  join_wait(2);
  weft_chan_free(sem);
  return 0;
}

RACE_MAIN(app_main)
