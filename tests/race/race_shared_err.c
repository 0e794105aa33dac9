/* Go's shared err: every goroutine assigns the same error variable. */
// reports: 1
#include "race_test.h"

int err;

static int do_work(int i) { return i % 2 ? -1 : 0; }

static void worker(void *arg) {
  err = do_work((int)(long)arg);
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 4; i++) weft_go(worker, (void *)i);
  join_wait(4);
  return err == 5;
}

RACE_MAIN(app_main)
