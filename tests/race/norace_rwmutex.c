/* weft_rwmutex: a writer's unlock happens before later readers; every
 * reader's runlock before the next writer. */
#include "race_test.h"

static weft_rwmutex rw;
long table[8];

static void reader(void *arg) {
  for (int i = 0; i < 100; i++) {
    weft_rwmutex_rlock(&rw);
    long s = 0;
    for (int k = 0; k < 8; k++) s += table[k];
    USE(s);
    weft_rwmutex_runlock(&rw);
  }
  join_done();
}

static void writer(void *arg) {
  for (int i = 0; i < 100; i++) {
    weft_rwmutex_lock(&rw);
    table[i & 7]++;
    weft_rwmutex_unlock(&rw);
    if (i % 4 == 0) weft_yield();
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 3; i++) weft_go(reader, NULL);
  weft_go(writer, NULL);
  join_wait(4);
  return 0;
}

RACE_MAIN(app_main)
