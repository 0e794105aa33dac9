/* A packed field straddling two words and the bytes just outside it. */
#include "race_test.h"

struct __attribute__((packed)) rec { char pad[6]; int32_t v; char after; } r __attribute__((aligned(8)));

static void writer(void *arg) {
  for (int i = 0; i < 100; i++) { r.pad[5] = (char)i; r.after = (char)i; }
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  for (int i = 0; i < 100; i++) r.v = i;
  join_wait(1);
  return r.v == 99 ? 0 : 1;
}

RACE_MAIN(app_main)
