/* weft_race_release/acquire order accesses the detector cannot see
 * ordered otherwise (here: a relaxed flag). */
#include "race_test.h"

static int payload;
static atomic_int ready;

static void producer(void *arg) {
  payload = 3;
  weft_race_release(&ready);
  atomic_store_explicit(&ready, 1, memory_order_relaxed);
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load_explicit(&ready, memory_order_relaxed)) weft_yield();
  weft_race_acquire(&ready);
  return payload == 3 ? 0 : 1;
}

RACE_MAIN(app_main)
