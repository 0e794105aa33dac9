/* Message passing through a release store and an acquire load. */
#include "race_test.h"

static int payload[8];
static atomic_int ready;

static void producer(void *arg) {
  for (int i = 0; i < 8; i++) payload[i] = i;
  atomic_store_explicit(&ready, 1, memory_order_release);
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load_explicit(&ready, memory_order_acquire)) weft_yield();
  int sum = 0;
  for (int i = 0; i < 8; i++) sum += payload[i];
  return sum == 28 ? 0 : 1;
}

RACE_MAIN(app_main)
