/* Acquiring a different atomic than the one released gives no edge. */
#include "race_test.h"

int payload;
static atomic_int ready, other;

static void producer(void *arg) {
  payload = 1;
  atomic_store_explicit(&ready, 1, memory_order_release);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load_explicit(&ready, memory_order_relaxed)) weft_yield();
  (void)atomic_load_explicit(&other, memory_order_acquire);
  USE(payload);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
