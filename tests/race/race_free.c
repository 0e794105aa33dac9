/* A goroutine writes a block that the main goroutine frees without
 * synchronising with it. */
// needs: symbols
// expect: (Write at 0x[0-9a-f]+ by main goroutine:\n  free\(\)|Previous write at 0x[0-9a-f]+ by main goroutine:\n  free\(\))
#include "race_test.h"

static atomic_int wrote;

static void writer(void *arg) {
  int *p = arg;
  *p = 1;
  atomic_store_explicit(&wrote, 1, memory_order_relaxed);
  join_done();
}

static int app_main(int argc, char **argv) {
  int *p = malloc(64);
  weft_go(writer, p);
  while (!atomic_load_explicit(&wrote, memory_order_relaxed)) weft_yield();
  free(p);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
