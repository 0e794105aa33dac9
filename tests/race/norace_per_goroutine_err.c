/* The fix for shared err: one slot per goroutine, read after the join. */
#include "race_test.h"

static int errs[4];

static int do_work(int i) { return i % 2 ? -1 : 0; }

static void worker(void *arg) {
  long i = (long)arg;
  errs[i] = do_work((int)i);
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 4; i++) weft_go(worker, (void *)i);
  join_wait(4);
  return errs[1] == -1 && errs[0] == 0 ? 0 : 1;
}

RACE_MAIN(app_main)
