/* Goroutines come and go, their stacks are recycled by the runtime; the
 * next goroutine on a stack does not inherit the previous one's accesses. */
#include "race_test.h"

__attribute__((noinline)) static long fill(volatile long *buf, int n, long seed) {
  long s = 0;
  for (int i = 0; i < n; i++) buf[i] = seed + i;
  for (int i = 0; i < n; i++) s += buf[i];
  return s;
}

static void worker(void *arg) {
  long local[256];
  USE(fill(local, 256, (long)arg));
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 3000; i++) {
    weft_go(worker, (void *)i);
    if (i % 8 == 0) weft_yield();
  }
  join_wait(3000);
  return 0;
}

RACE_MAIN(app_main)
