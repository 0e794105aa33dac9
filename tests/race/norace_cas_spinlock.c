/* A spin lock: CAS with acquire, store with release. */
#include "race_test.h"

static atomic_int lock;
static long counter;

static void worker(void *arg) {
  for (int i = 0; i < 200; i++) {
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&lock, &expected, 1, memory_order_acquire,
                                                  memory_order_relaxed)) {
      expected = 0;
      weft_yield();
    }
    counter++;
    atomic_store_explicit(&lock, 0, memory_order_release);
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(worker, NULL);
  join_wait(4);
  return counter == 800 ? 0 : 1;
}

RACE_MAIN(app_main)
