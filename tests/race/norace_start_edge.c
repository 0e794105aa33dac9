/* Everything before weft_go happens before the new goroutine. */
#include "race_test.h"

static int data[100];

static void reader(void *arg) {
  int sum = 0;
  for (int i = 0; i < 100; i++) sum += data[i];
  if (sum != 4950) abort();
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 100; i++) data[i] = i;
  weft_go(reader, NULL);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
