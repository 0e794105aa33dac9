/* weft_group: every task's work happens before weft_group_wait returns. */
#include "race_test.h"

int out[4];

static int task(weft_ctx *ctx, void *arg) {
  long i = (long)arg;
  out[i] = (int)i + 1;
  return 0;
}

static int app_main(int argc, char **argv) {
  weft_group *g = weft_group_new(weft_background());
  for (long i = 0; i < 4; i++) weft_group_go(g, task, (void *)i);
  int err = weft_group_wait(g);
  weft_group_free(g);
  return err == 0 && out[0] + out[1] + out[2] + out[3] == 10 ? 0 : 1;
}

RACE_MAIN(app_main)
