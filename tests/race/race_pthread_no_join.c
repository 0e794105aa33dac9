/* A program without weft_main: two threads write a global with no lock.
 * The exit status still becomes 66 (on_exit), and threads are named by
 * their thread id. */
// needs: symbols
// expect: (Write|Read) at 0x[0-9a-f]+ by (thread [0-9]+|main thread):
// expect: Thread [0-9]+ \((running|finished)\) created at:\n  main\(\)
#include <pthread.h>
#include "race_test.h"

int shared;
static atomic_int wrote;

static void *worker(void *arg) {
  shared = 1;
  atomic_store_explicit(&wrote, 1, memory_order_relaxed);
  return NULL;
}

int main(void) {
  pthread_t th;
  pthread_create(&th, NULL, worker, NULL);
  while (!atomic_load_explicit(&wrote, memory_order_relaxed)) sched_yield();
  shared = 2;
  pthread_join(th, NULL);
  return 0;
}
