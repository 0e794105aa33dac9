/* WEFT_RACE=help lists the options and exits 0. */
// env: WEFT_RACE=help
// expect: WEFT_RACE options
// expect: log_path +\(default "stderr"\)
// expect: exitcode +\(default 66\)
// expect-not: STARTED
#include "race_test.h"

static int app_main(int argc, char **argv) {
  printf("STARTED\n");
  return 0;
}

RACE_MAIN(app_main)
