/* The same as race_opt_history_size with the default history (4096
 * events): the writer's stack is restored. */
// needs: symbols
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  writer\(\)
#include "race_test.h"

int x;
long noise[16];

__attribute__((noinline)) static void busy(int i) { noise[i & 15] += i; }

static void writer(void *arg) {
  x = 1;
  for (int i = 0; i < 500; i++) busy(i);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  x = 2;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
