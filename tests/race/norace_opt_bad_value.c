/* A bad value stops the program at start-up, naming option and range. */
// env: WEFT_RACE=exitcode=300
// exit: 2
// expect: weft: WEFT_RACE: bad value '300' for exitcode \(want an integer in \[0, 255\]\)
// expect-not: STARTED
#include "race_test.h"

static int app_main(int argc, char **argv) {
  printf("STARTED\n");
  return 0;
}

RACE_MAIN(app_main)
