/* WEFT_RACE=strip_path_prefix=/ removes the prefix from file names. */
// env: WEFT_RACE=strip_path_prefix=/
// needs: symbols
// expect: \n      [^/ \n][^\n]*race_opt_strip_path_prefix.c:[0-9]+ \+0x
// expect-not: \n      /[^\n]*race_opt_strip_path_prefix.c
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
  return 0;
}

RACE_MAIN(app_main)
