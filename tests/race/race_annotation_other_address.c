/* Acquiring a different address than the one released: no edge. */
#include "race_test.h"

int payload;
static atomic_int ready;
char tag_a, tag_b;

static void producer(void *arg) {
  payload = 3;
  weft_race_release(&tag_a);
  atomic_store_explicit(&ready, 1, memory_order_relaxed);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load_explicit(&ready, memory_order_relaxed)) weft_yield();
  weft_race_acquire(&tag_b);
  USE(payload);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
