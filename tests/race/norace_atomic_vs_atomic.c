/* Atomic accesses never race with each other, whatever their order. */
#include "race_test.h"

static _Atomic long counter;
static _Atomic char flags[8];

static void worker(void *arg) {
  for (int i = 0; i < 1000; i++) {
    atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
    atomic_store_explicit(&flags[i & 7], 1, memory_order_relaxed);
    (void)atomic_load_explicit(&flags[(i + 1) & 7], memory_order_relaxed);
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(worker, NULL);
  join_wait(4);
  return atomic_load(&counter) == 4000 ? 0 : 1;
}

RACE_MAIN(app_main)
