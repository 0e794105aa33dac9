/* Hundreds of thousands of releases exhaust slots' epochs and force world
 * resets; synchronised accesses stay quiet across them. */
#include "race_test.h"

static long data[4];
static atomic_int lock;

static void worker(void *arg) {
  long i = (long)arg;
  for (int k = 0; k < 300000; k++) {
    int e = 0;
    while (!atomic_compare_exchange_weak_explicit(&lock, &e, 1, memory_order_acquire,
                                                  memory_order_relaxed)) {
      e = 0;
      weft_yield();
    }
    data[(k + i) & 3]++;
    atomic_store_explicit(&lock, 0, memory_order_release);
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 4; i++) weft_go(worker, (void *)i);
  join_wait(4);
  return data[0] + data[1] + data[2] + data[3] == 1200000 ? 0 : 1;
}

RACE_MAIN(app_main)
