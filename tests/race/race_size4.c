/* Two goroutines write a 4-byte global without synchronisation. */
// reports: 1
// expect: Write at 0x[0-9a-f]+ by (goroutine [0-9]+|main goroutine):
// expect: Previous write at
#include "race_test.h"

int32_t shared __attribute__((aligned(16)));

static void writer(void *arg) {
  shared = (int32_t)1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  shared = (int32_t)2;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
