/* atexit_sleep_ms=0: the program ends at once; the late goroutine's race
 * is never made. */
// env: WEFT_RACE=atexit_sleep_ms=0
#include <time.h>
#include "race_test.h"

int x;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void late(void *arg) {
  int64_t until = now_ms() + 500;
  while (now_ms() < until) weft_yield();
  x = 1;
}

static int app_main(int argc, char **argv) {
  weft_go(late, NULL);
  x = 2;
  return 0;
}

RACE_MAIN(app_main)
