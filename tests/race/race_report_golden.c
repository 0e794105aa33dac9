/* The report, line by line: functions, file:line, goroutine numbers,
 * states, location. (Line numbers below refer to this file; keep them in
 * step when editing.) */
// reports: 1
// needs: symbols
// expect: ==================\nWARNING: DATA RACE\nRead at 0x[0-9a-f]+ by main goroutine:\n  reader\(\)\n      [^\n]*/race_report_golden.c:21 \+0x[0-9a-f]+\n  app_main\(\)\n      [^\n]*/race_report_golden.c:26 \+0x[0-9a-f]+\n\nPrevious write at 0x[0-9a-f]+ by goroutine 2:\n  writer\(\)\n      [^\n]*/race_report_golden.c:14 \+0x[0-9a-f]+\n\nLocation is global 'golden' of size 8 at 0x[0-9a-f]+\n\nGoroutine 2 \(finished\) created at:\n  app_main\(\)\n      [^\n]*/race_report_golden.c:25 \+0x[0-9a-f]+\n==================\n
// expect: Found 1 data race\(s\)
#include "race_test.h"

long golden;
static atomic_int finished;

__attribute__((noinline)) static void writer(void *arg) {
  golden = 42;
  atomic_store_explicit(&finished, 1, memory_order_relaxed);
}

__attribute__((noinline)) static long reader(void) {
  while (!atomic_load_explicit(&finished, memory_order_relaxed)) weft_yield();
  while (weft_num_goroutines() > 1) weft_yield(); /* writer gone: "(finished)" */
  return golden;
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  long v = reader();
  USE(v);
  return 0;
}

RACE_MAIN(app_main)
