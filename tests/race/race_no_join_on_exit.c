/* A goroutine's return is no edge: reading its result without a join. */
// expect: Read at 0x[0-9a-f]+ by main goroutine
#include "race_test.h"

int result;
static atomic_int finished;

static void worker(void *arg) {
  result = 42;
  atomic_store_explicit(&finished, 1, memory_order_relaxed);
}

static int app_main(int argc, char **argv) {
  weft_go(worker, NULL);
  while (!atomic_load_explicit(&finished, memory_order_relaxed)) weft_yield();
  pause_ms(1);
  return result == 42 ? 0 : 1;
}

RACE_MAIN(app_main)
