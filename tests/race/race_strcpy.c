/* strcpy and strlen are checked. */
#include "race_test.h"

char name[32] = "gopher";

static void renamer(void *arg) {
  strcpy(name, "weft");
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(renamer, NULL);
  step_wait(1);
  size_t n = strlen(name);
  USE(n);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
