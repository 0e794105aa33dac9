/* weft_waitgroup: every done happens before wait returns. */
#include "race_test.h"

static weft_waitgroup wg;
int results[8];

static void worker(void *arg) {
  long i = (long)arg;
  results[i] = (int)i * 2;
  weft_waitgroup_done(&wg);
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 8; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(worker, (void *)i);
  }
  weft_waitgroup_wait(&wg);
  int s = 0;
  for (int i = 0; i < 8; i++) s += results[i];
  return s == 56 ? 0 : 1;
}

RACE_MAIN(app_main)
