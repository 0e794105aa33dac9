/* posix_memalign / aligned_alloc blocks handed over properly. */
#include "race_test.h"

static void user(void *arg) {
  memset(arg, 7, 256);
  join_done();
}

static int app_main(int argc, char **argv) {
  void *a = NULL;
  if (posix_memalign(&a, 64, 256) != 0) return 1;
  void *b = aligned_alloc(128, 256);
  memset(a, 0, 256);
  memset(b, 0, 256);
  weft_go(user, a);
  weft_go(user, b);
  join_wait(2);
  int ok = ((char *)a)[255] == 7 && ((char *)b)[0] == 7;
  free(a);
  free(b);
  return ok ? 0 : 1;
}

RACE_MAIN(app_main)
