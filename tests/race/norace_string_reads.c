/* Concurrent reads of a shared string (strlen, strcmp, memcmp). */
#include "race_test.h"

static char text[64] = "the quick brown fox";

static void reader(void *arg) {
  for (int i = 0; i < 100; i++) {
    if (strlen(text) != 19) abort();
    if (strcmp(text, "the quick brown fox") != 0) abort();
    if (memcmp(text, "the", 3) != 0) abort();
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(reader, NULL);
  join_wait(4);
  return 0;
}

RACE_MAIN(app_main)
