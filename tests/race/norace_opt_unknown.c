/* An unknown WEFT_RACE option stops the program at start-up, naming it. */
// env: WEFT_RACE=exitcode=3 bogus=1
// exit: 2
// expect: weft: WEFT_RACE: unknown option 'bogus'
// expect: history_size
// expect-not: STARTED
#include "race_test.h"

static int app_main(int argc, char **argv) {
  printf("STARTED\n");
  return 0;
}

RACE_MAIN(app_main)
