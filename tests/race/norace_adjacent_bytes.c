/* Eight goroutines each write their own byte of one 8-byte word. */
#include "race_test.h"

_Alignas(8) char bytes[8];

static void writer(void *arg) {
  long i = (long)arg;
  for (int k = 0; k < 100; k++) bytes[i] = (char)(bytes[i] + 1);
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 8; i++) weft_go(writer, (void *)i);
  join_wait(8);
  for (int i = 0; i < 8; i++) if (bytes[i] != 100) return 1;
  return 0;
}

RACE_MAIN(app_main)
