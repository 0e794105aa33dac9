/* memmove reads its source: it races with a write to it. */
#include "race_test.h"

char a[32], b[32];

static void mover(void *arg) {
  memmove(b, a, sizeof a);
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(mover, NULL);
  step_wait(1);
  a[31] = 1;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
