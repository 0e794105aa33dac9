/* weft_race_write_range reports like an instrumented write. */
// needs: symbols
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  filler\(\)|Write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  filler\(\)
#include "race_test.h"

char buf[64];

static void filler(void *arg) {
  weft_race_write_range(buf, sizeof buf);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(filler, NULL);
  step_wait(1);
  weft_race_read_range(buf + 8, 8);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
