/* A goroutine reads a block after another freed it, with no edge. */
// needs: symbols
// expect: Previous write at 0x[0-9a-f]+ by main goroutine:\n  free\(\)\n  app_main\(\)
// expect: Location is freed heap block of size 32
#include "race_test.h"

static atomic_int freed;

static void reader(void *arg) {
  while (!atomic_load_explicit(&freed, memory_order_relaxed)) weft_yield();
  USE(((volatile int *)arg)[2]);
  join_done();
}

static int app_main(int argc, char **argv) {
  int *p = malloc(32);
  p[2] = 0;
  /* p stays alive (nothing else allocates 32 bytes here). */
  void *keep = malloc(32);
  weft_go(reader, p);
  free(p);
  atomic_store_explicit(&freed, 1, memory_order_relaxed);
  join_wait(1);
  free(keep);
  return 0;
}

RACE_MAIN(app_main)
