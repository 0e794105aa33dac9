/* A goroutine growing its own buffer. */
#include "race_test.h"

static void grower(void *arg) {
  int *v = NULL;
  for (int n = 1; n <= 1024; n *= 2) {
    v = realloc(v, (size_t)n * sizeof *v);
    for (int i = 0; i < n; i++) v[i] = i;
  }
  free(v);
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) weft_go(grower, NULL);
  join_wait(4);
  return 0;
}

RACE_MAIN(app_main)
