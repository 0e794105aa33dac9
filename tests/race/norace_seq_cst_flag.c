/* Sequentially consistent atomics synchronise too. */
#include "race_test.h"

static long payload;
static atomic_long ready;

static void producer(void *arg) {
  payload = 99;
  atomic_store(&ready, 1);
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load(&ready)) weft_yield();
  return payload == 99 ? 0 : 1;
}

RACE_MAIN(app_main)
