/* Memory freed by one goroutine and allocated again by another that never
 * synchronised with it: the new owner starts clean. */
#include "race_test.h"

static void churn(void *arg) {
  for (int i = 0; i < 2000; i++) {
    long *p = malloc(48);
    for (int k = 0; k < 6; k++) p[k] = k + i;
    free(p);
    if (i % 50 == 0) weft_yield();
  }
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(churn, NULL);
  join_wait(4);
  return 0;
}

RACE_MAIN(app_main)
