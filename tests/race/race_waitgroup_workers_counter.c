/* The seed's counter with a waitgroup: workers increment a global without
 * a lock, and main joins them with weft_waitgroup_wait. The waitgroup
 * orders each worker before main's read, but not the workers among
 * themselves. The first worker waits until the second has incremented
 * too, so that both run whatever the scheduling. */
// needs: symbols
// expect: (Read|Write) at 0x[0-9a-f]+ by goroutine [0-9]+:\n  worker\(\)
// expect: Location is global 'counter'
#include "race_test.h"

static weft_waitgroup wg;
int counter;
static atomic_int incremented;

static void worker(void *arg) {
  counter++;
  atomic_fetch_add_explicit(&incremented, 1, memory_order_relaxed);
  while (atomic_load_explicit(&incremented, memory_order_relaxed) < 2) weft_yield();
  weft_waitgroup_done(&wg);
}

static int app_main(int argc, char **argv) {
  weft_waitgroup_add(&wg, 2);
  weft_go(worker, NULL);
  weft_go(worker, NULL);
  weft_waitgroup_wait(&wg);
  USE(counter);                 /* ordered after both (no report); the value may be 1 */
  return 0;
}

RACE_MAIN(app_main)
