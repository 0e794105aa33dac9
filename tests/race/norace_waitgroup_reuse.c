/* A waitgroup reused round after round, with several goroutines waiting
 * in each round and the adds made before the goroutines start: Go's model
 * of the first add (a read) and the first blocking wait (a write) reports
 * nothing for correct use. */
#include "race_test.h"

#define ROUNDS 20
#define WORKERS 4
#define WAITERS 3

static weft_waitgroup wg, waiters_wg;
int cells[WORKERS];
static atomic_int seen;

static void worker(void *arg) {
  long i = (long)arg;
  cells[i]++;
  weft_yield();
  weft_waitgroup_done(&wg);
}

static void waiter(void *arg) {
  weft_waitgroup_wait(&wg);
  int s = 0;
  for (int i = 0; i < WORKERS; i++) s += cells[i];
  atomic_fetch_add(&seen, s);
  weft_waitgroup_done(&waiters_wg);
}

static int app_main(int argc, char **argv) {
  for (int r = 0; r < ROUNDS; r++) {
    weft_waitgroup_add(&wg, WORKERS);
    weft_waitgroup_add(&waiters_wg, WAITERS);
    for (long w = 0; w < WAITERS; w++) weft_go(waiter, NULL);
    for (long i = 0; i < WORKERS; i++) weft_go(worker, (void *)i);
    weft_waitgroup_wait(&wg);
    weft_waitgroup_wait(&waiters_wg);   /* every wait of the round has returned */
  }
  return atomic_load(&seen) > 0 ? 0 : 1;
}

RACE_MAIN(app_main)
