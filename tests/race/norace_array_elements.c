/* Each goroutine writes its own element. */
#include "race_test.h"

long arr[64];

static void writer(void *arg) {
  long i = (long)arg;
  for (int k = 0; k < 100; k++) arr[i] += i;
  join_done();
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 64; i++) weft_go(writer, (void *)i);
  join_wait(64);
  long sum = 0;
  for (int i = 0; i < 64; i++) sum += arr[i];
  return sum == 100L * 63 * 64 / 2 ? 0 : 1;
}

RACE_MAIN(app_main)
