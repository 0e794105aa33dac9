/* memcpy called from instrumented code is checked. */
// needs: symbols
// expect: (Write|write) at 0x[0-9a-f]+ by goroutine [0-9]+:\n  copier\(\)
#include "race_test.h"

char dst[64], src[64];

static void copier(void *arg) {
  memcpy(dst, src, sizeof dst);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(copier, NULL);
  step_wait(1);
  dst[10] = 1;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
