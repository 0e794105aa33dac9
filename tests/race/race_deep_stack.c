/* The previous access's stack is restored through nested calls, after the
 * writer went on to do other things. */
// needs: symbols
// expect: Previous write at 0x[0-9a-f]+ by goroutine [0-9]+:\n  level3\(\)\n      .*race_deep_stack.c:[0-9]+ \+0x[0-9a-f]+\n  level2\(\)\n      .*\n  level1\(\)\n      .*\n  writer\(\)\n
// expect: Read at 0x[0-9a-f]+ by main goroutine:\n  app_main\(\)
#include "race_test.h"

int shared;
static atomic_int wrote;
long noise[64];

__attribute__((noinline)) static void level3(void) { shared = 1; }
__attribute__((noinline)) static void level2(void) { level3(); USE(0); }
__attribute__((noinline)) static void level1(void) { level2(); USE(0); }
__attribute__((noinline)) static void other(int i) { noise[i & 63] += i; }

static void writer(void *arg) {
  level1();
  for (int i = 0; i < 200; i++) other(i);
  atomic_store_explicit(&wrote, 1, memory_order_relaxed);
  join_done();
}

static int app_main(int argc, char **argv) {
  weft_go(writer, NULL);
  while (!atomic_load_explicit(&wrote, memory_order_relaxed)) weft_yield();
  USE(shared);
  join_wait(1);
  return 0;
}

RACE_MAIN(app_main)
