/* WEFT_RACE=log_path=stdout: reports go to standard output. */
// env: WEFT_RACE=log_path=stdout
#include "race_test.h"

int x;

static void writer(void *arg) {
  x = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  x = 2;
  join_wait(1);
  fflush(stdout);
  /* The report was written to stdout: stderr saw nothing. */
  return 0;
}

RACE_MAIN(app_main)
