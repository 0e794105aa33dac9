/* realloc reads the old block: it races with a concurrent write. */
#include "race_test.h"

static atomic_int wrote;

static void writer(void *arg) {
  ((char *)arg)[3] = 1;
  atomic_store_explicit(&wrote, 1, memory_order_relaxed);
  join_done();
}

static int app_main(int argc, char **argv) {
  char *p = calloc(1, 16);
  weft_go(writer, p);
  while (!atomic_load_explicit(&wrote, memory_order_relaxed)) weft_yield();
  p = realloc(p, 4096);
  join_wait(1);
  free(p);
  return 0;
}

RACE_MAIN(app_main)
