/* At the end of weft_main the detector waits (atexit_sleep_ms, default
 * 1000) for goroutines still running, so a race they are about to make is
 * still reported. */
// needs: symbols
// expect: Write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  late\(\)
#include <time.h>
#include "race_test.h"

int x;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void late(void *arg) {
  int64_t until = now_ms() + 30;
  while (now_ms() < until) weft_yield(); /* running, not parked */
  x = 1;
}

static int app_main(int argc, char **argv) {
  weft_go(late, NULL);
  x = 2;
  return 0;
}

RACE_MAIN(app_main)
