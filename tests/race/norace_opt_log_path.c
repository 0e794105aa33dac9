/* WEFT_RACE=log_path=<file>: the report goes to <file>.<pid>, not stderr.
 * The program reads its own log back and says so. */
// env: WEFT_RACE=log_path=race_opt_log
// exit: 66
// reports: 0
// expect: LOG OK
#include <unistd.h>
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
  char name[64];
  snprintf(name, sizeof name, "race_opt_log.%d", (int)getpid());
  FILE *f = fopen(name, "r");
  if (!f) return 1;
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  unlink(name);
  if (!strstr(buf, "WARNING: DATA RACE") || !strstr(buf, "Previous write at")) return 1;
  printf("LOG OK\n");
  return 0;
}

RACE_MAIN(app_main)
