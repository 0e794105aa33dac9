/* Releases on one address accumulate: the acquirer sees every releaser. */
#include "race_test.h"

static int parts[4];
static char tag;
static atomic_int arrived;

static void worker(void *arg) {
  long i = (long)arg;
  parts[i] = 1;
  weft_race_release(&tag);
  atomic_fetch_add_explicit(&arrived, 1, memory_order_relaxed);
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 4; i++) weft_go(worker, (void *)i);
  while (atomic_load_explicit(&arrived, memory_order_relaxed) < 4) weft_yield();
  weft_race_acquire(&tag);
  return parts[0] + parts[1] + parts[2] + parts[3] == 4 ? 0 : 1;
}

RACE_MAIN(app_main)
