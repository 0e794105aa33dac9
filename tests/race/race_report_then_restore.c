/* The first report is printed by the writer itself (its write of b races
 * with an earlier read); then the main goroutine reads a, which the
 * writer wrote just before b. The second report must restore that write's
 * stack: the locks the symbolizer takes while the first report is printed
 * are the detector's own, and must not fill the writer's history with
 * thousands of epochs (src/race/pthread.c). */
// reports: 2
// needs: symbols
// expect: Write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  write_b\(\)
// expect: Read at 0x[0-9a-f]+ by main goroutine:\n  read_a\(\)
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  write_a\(\)
// expect-not: failed to restore
#include "race_test.h"

int a __attribute__((aligned(64)));
int b __attribute__((aligned(64)));

__attribute__((noinline)) static void write_a(void) { a = 1; }
__attribute__((noinline)) static void write_b(void) { b = 1; }
__attribute__((noinline)) static int read_a(void) { return a; }
__attribute__((noinline)) static int read_b(void) { return b; }

static void writer(void *arg) {
  step_wait(1);
  write_a();
  write_b();
  step_to(2);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  USE(read_b());
  step_to(1);
  step_wait(2);
  USE(read_a());
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
