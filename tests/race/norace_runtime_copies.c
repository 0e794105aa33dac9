/* weft_go_copy's argument copies (made by the uninstrumented runtime,
 * with memcpy) are not the program's accesses. */
#include "race_test.h"

struct big { long v[16]; };

static void user(void *arg) {
  struct big *b = arg;
  long s = 0;
  for (int i = 0; i < 16; i++) s += b->v[i];
  if (s != 16 * b->v[0]) abort();
  join_done();
}

static int app_main(int argc, char **argv) {
  for (int n = 0; n < 500; n++) {
    struct big b;
    for (int i = 0; i < 16; i++) b.v[i] = n;
    weft_go_copy(user, &b, sizeof b);
    if (n % 16 == 0) weft_yield();
  }
  join_wait(500);
  return 0;
}

RACE_MAIN(app_main)
