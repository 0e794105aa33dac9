/* Go's classic: the loop variable's address given to each goroutine,
 * while the loop goes on changing it. */
// needs: symbols
// expect: (Read at 0x[0-9a-f]+ by goroutine [0-9]+:\n  worker\(\)|Write at 0x[0-9a-f]+ by main goroutine:\n  app_main\(\))
// expect: (Previous write at 0x[0-9a-f]+ by main goroutine:\n  app_main\(\)|Previous read at 0x[0-9a-f]+ by goroutine [0-9]+:\n  worker\(\))
#include "race_test.h"

long seen[4];

static void worker(void *arg) {
  int i = *(int *)arg;
  seen[i & 3] = i;
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(worker, &i);
  join_wait(4);
  return 0;
}

RACE_MAIN(app_main)
