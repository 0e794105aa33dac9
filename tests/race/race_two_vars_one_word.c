/* Two variables that share an 8-byte word are two locations: a writer
 * sets both, the main goroutine reads both without synchronisation, and
 * each race is reported (Go's detector prints two reports here too), while
 * the same racing pair met again (read_a twice) is still reported once. */
// reports: 2
// needs: symbols
// expect: Read at 0x[0-9a-f]+ by main goroutine:\n  read_a\(\)
// expect: Read at 0x[0-9a-f]+ by main goroutine:\n  read_b\(\)
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  write_a\(\)
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  write_b\(\)
#include "race_test.h"

struct {
  int a;
  int b;
} pair __attribute__((aligned(8)));

__attribute__((noinline)) static void write_a(void) { pair.a = 1; }
__attribute__((noinline)) static void write_b(void) { pair.b = 2; }
__attribute__((noinline)) static int read_a(void) { return pair.a; }
__attribute__((noinline)) static int read_b(void) { return pair.b; }

static void writer(void *arg) {
  write_a();
  write_b();
  step_to(1);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  step_wait(1);
  USE(read_b());
  USE(read_a());
  USE(read_a());
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
