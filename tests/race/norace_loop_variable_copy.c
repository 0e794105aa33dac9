/* The fix: each goroutine gets its own copy (weft_go_copy). */
#include "race_test.h"

static long seen[4];

static void worker(void *arg) {
  int i = *(int *)arg;
  seen[i] = i;
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go_copy(worker, &i, sizeof i);
  join_wait(4);
  return seen[3] == 3 ? 0 : 1;
}

RACE_MAIN(app_main)
