/* Concurrent reads never race. */
#include "race_test.h"

static long table[64];

static void reader(void *arg) {
  long s = 0;
  for (int k = 0; k < 100; k++)
    for (int i = 0; i < 64; i++) s += table[i];
  USE(s);
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 64; i++) table[i] = i;
  for (int i = 0; i < 8; i++) weft_go(reader, NULL);
  join_wait(8);
  return 0;
}

RACE_MAIN(app_main)
