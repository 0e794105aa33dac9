/* 5000 goroutines alive at once (more than the 256 clock slots): each
 * writes its own element; slots are stolen and reused without false
 * reports. */
#include "race_test.h"

#define N 5000
static long vals[N];
static atomic_int go_on;

static void worker(void *arg) {
  long i = (long)arg;
  vals[i] = i;
  while (!atomic_load_explicit(&go_on, memory_order_acquire)) weft_yield();
  vals[i] += 1;
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < N; i++) weft_go(worker, (void *)i);
  atomic_store_explicit(&go_on, 1, memory_order_release);
  join_wait(N);
  long sum = 0;
  for (int i = 0; i < N; i++) sum += vals[i];
  return sum == (long)N * (N - 1) / 2 + N ? 0 : 1;
}

RACE_MAIN(app_main)
