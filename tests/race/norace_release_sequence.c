/* Several goroutines release through fetch_add (RMWs continue a release
 * sequence); one acquire load sees them all. */
#include "race_test.h"

static int parts[4];
static atomic_int arrived;

static void worker(void *arg) {
  long i = (long)arg;
  parts[i] = (int)i + 1;
  atomic_fetch_add_explicit(&arrived, 1, memory_order_acq_rel);
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 4; i++) weft_go(worker, (void *)i);
  while (atomic_load_explicit(&arrived, memory_order_acquire) < 4) weft_yield();
  return parts[0] + parts[1] + parts[2] + parts[3] == 10 ? 0 : 1;
}

RACE_MAIN(app_main)
