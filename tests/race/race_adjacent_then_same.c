/* Bytes 0 and 1 written by two goroutines (fine), then byte 0 read by the
 * main goroutine without a join: races with the first writer only. */
// reports: 1
// needs: symbols
// expect: Read at 0x[0-9a-f]+ by main goroutine
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  writer0\(\)
#include "race_test.h"

_Alignas(8) char bytes[8];
static atomic_int started;

static void writer0(void *arg) {
  bytes[0] = 1;
  atomic_fetch_add(&started, 1);
  join_done();
}

static void writer1(void *arg) {
  bytes[1] = 1;
  atomic_fetch_add(&started, 1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer0, NULL);
  weft_go(writer1, NULL);
  /* relaxed: wait until both wrote, without an edge */
  while (atomic_load_explicit(&started, memory_order_relaxed) < 2) weft_yield();
  USE(bytes[0]);
  join_wait(2);
  return 0;
}

RACE_MAIN(app_main)
