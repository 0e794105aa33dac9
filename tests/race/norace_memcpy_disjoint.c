/* Two goroutines copying into different halves of one buffer. */
#include "race_test.h"

static char buf[128], src[128];

static void copier(void *arg) {
  long half = (long)arg;
  for (int i = 0; i < 50; i++) memcpy(buf + half * 64, src + half * 64, 64);
  join_done();
}

static int app_main(int argc, char **argv) {
  memset(src, 3, sizeof src);
  weft_go(copier, (void *)0L);
  weft_go(copier, (void *)1L);
  join_wait(2);
  return buf[0] == 3 && buf[127] == 3 ? 0 : 1;
}

RACE_MAIN(app_main)
