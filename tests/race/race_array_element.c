/* A goroutine and the main goroutine write the same array element. */
#include "race_test.h"

int arr[16];

static void writer(void *arg) {
  arr[(long)arg] = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, (void *)5L);
  step_wait(1);
  arr[5] = 2;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
