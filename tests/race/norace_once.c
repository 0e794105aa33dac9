/* weft_once: the initialiser happens before every weft_once_do returns. */
#include "race_test.h"

static weft_once once;
int config;

static void init(void *arg) { config = 42; }

static void user(void *arg) {
  weft_once_do(&once, init, NULL);
  if (config != 42) abort();
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 8; i++) weft_go(user, NULL);
  join_wait(8);
  return 0;
}

RACE_MAIN(app_main)
