/* Writes after the release are not covered by it. */
// needs: symbols
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  producer\(\)
#include "race_test.h"

int payload;
static atomic_int ready, wrote;

static void producer(void *arg) {
  atomic_store_explicit(&ready, 1, memory_order_release);
  payload = 1;
  atomic_store_explicit(&wrote, 1, memory_order_relaxed);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load_explicit(&ready, memory_order_acquire)) weft_yield();
  while (!atomic_load_explicit(&wrote, memory_order_relaxed)) weft_yield();
  USE(payload);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
