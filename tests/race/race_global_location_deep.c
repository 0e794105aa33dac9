/* Races deep inside large global arrays, and on a small global placed
 * between them: the report names each variable ("Location is global"),
 * however far the address is from the symbol's start and even when it
 * lies in the part of .bss beyond the file's last page (which the
 * debugging library does not count as part of the module). */
// reports: 3
// needs: symbols
// expect: Location is global 'big1' of size 48000 at 0x
// expect: Location is global 'mid' of size 4 at 0x
// expect: Location is global 'big2' of size 48000 at 0x
#include "race_test.h"

/* Not static (the compiler would drop stores nobody reads). Declared in
 * this order so that `mid` lies after one of the two arrays
 * whichever order the compiler lays statics out in. */
long big1[6000];
int mid;
long big2[6000];

static void writer(void *arg) {
  big1[5999] = 1;
  mid = 1;
  big2[5999] = 1;
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  big1[5999] = 2;
  mid = 2;
  big2[5999] = 2;
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
