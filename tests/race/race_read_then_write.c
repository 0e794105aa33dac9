/* Many readers, then an unsynchronised writer. */
// reports: 1
#include "race_test.h"

long table[8];
static atomic_int reads;

static void reader(void *arg) {
  USE(table[3]);
  atomic_fetch_add_explicit(&reads, 1, memory_order_relaxed);
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 6; i++) weft_go(reader, NULL);
  while (atomic_load_explicit(&reads, memory_order_relaxed) < 6) weft_yield();
  table[3] = 1;
  join_wait(6);
  return 0;
}

RACE_MAIN(app_main)
