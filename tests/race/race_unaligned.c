/* A packed 4-byte field straddling two words, against a byte write in the
 * second word. */
#include "race_test.h"

struct __attribute__((packed)) rec { char pad[6]; int32_t v; } r __attribute__((aligned(8)));

static void writer(void *arg) {
  ((volatile char *)&r)[9] = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  r.v = 7;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
