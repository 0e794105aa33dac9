/* weft_waitgroup_go: the goroutines' work happens before wait returns. */
#include "race_test.h"

static weft_waitgroup wg;
long parts[16];

static void work(void *arg) { parts[(long)arg] = (long)arg; }

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 16; i++) weft_waitgroup_go(&wg, work, (void *)i);
  weft_waitgroup_wait(&wg);
  long s = 0;
  for (int i = 0; i < 16; i++) s += parts[i];
  return s == 120 ? 0 : 1;
}

RACE_MAIN(app_main)
