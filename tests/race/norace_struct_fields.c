/* Different fields of one struct: different memory locations, no race. */
#include "race_test.h"

struct point { int x, y; char a, b; short s; } pt;

static void writer(void *arg) {
  for (int i = 0; i < 1000; i++) { pt.y = i; pt.b = (char)i; }
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  for (int i = 0; i < 1000; i++) { pt.x = i; pt.a = (char)i; pt.s = (short)i; }
  join_wait(1);
  return pt.x + pt.y == 1998 ? 0 : 1;
}

RACE_MAIN(app_main)
