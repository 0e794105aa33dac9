/* The seed's counter: goroutines increment a global without a lock.
 * Reported once (equal stacks and addresses are suppressed). */
// reports: 1
// needs: symbols
// expect: WARNING: DATA RACE
// expect: (Read|Write) at 0x[0-9a-f]+ by goroutine [0-9]+:\n  worker\(\)\n      .*race_counter.c:[0-9]+ \+0x
// expect: Previous write at 0x[0-9a-f]+ by (goroutine [0-9]+|main goroutine):
// expect: Location is global 'counter'
// expect: Goroutine [0-9]+ \((running|finished)\) created at:\n  app_main\(\)\n      .*race_counter.c:[0-9]+
#include <stdatomic.h>
#include <weft.h>

int counter;
static atomic_int done;

static void worker(void *arg) {
  for (int i = 0; i < 100; i++) counter++;
  atomic_fetch_add(&done, 1);
}

static int app_main(int argc, char **argv) {
  for (int i = 0; i < 8; i++) weft_go(worker, NULL);
  while (atomic_load(&done) < 8) weft_yield();
  return 0;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
