/* An 8-byte write and a 1-byte read of its fourth byte. */
// needs: symbols
// expect: Previous read at 0x[0-9a-f]+ by goroutine [0-9]+:\n  reader\(\)
#include "race_test.h"

_Alignas(8) union { int64_t whole; char part[8]; } u;

static void reader(void *arg) {
  USE(u.part[3]);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(reader, NULL);
  step_wait(1);
  u.whole = 42;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
