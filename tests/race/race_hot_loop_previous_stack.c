/* A goroutine increments a counter 100000 times in a function of its own
 * (200000 function entries and exits, far more than the history keeps),
 * then the main goroutine reads it without synchronisation. Every
 * increment after the first is a repeat the shadow already holds; the
 * report must still show where the previous write was made, as Go's does
 * (the history re-logs hot accesses now and then: src/race/history.c). */
// reports: 1
// needs: symbols
// expect: Read at 0x[0-9a-f]+ by main goroutine:
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  increment\(\)\n[^\n]*race_hot_loop_previous_stack.c:[0-9]+[^\n]*\n  writer\(\)
// expect-not: failed to restore
#include "race_test.h"

enum { INCREMENTS = 100000 };

int count __attribute__((aligned(64)));

__attribute__((noinline)) static void increment(void) { count++; }

static void writer(void *arg) {
  for (int i = 0; i < INCREMENTS; i++) increment();
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  USE(count);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
