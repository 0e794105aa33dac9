/*
 * racy.c - 1000 goroutines increment one counter: updates are lost.
 *
 * `count++` is three steps (load, add, store). Two goroutines that load the
 * same value both store value+1, and one increment vanishes. Nothing orders
 * the goroutines' accesses (a WaitGroup orders each of them before main's
 * final read, not before each other), so this is a data race, and the race
 * detector reports it on every run, whether or not an update was lost this
 * time: it looks at the happens-before order, not at the final value.
 *
 *   ./build/weft run -race examples/counter/racy.c    -> DATA RACE, exit 66
 *   ./build/weft run examples/counter/racy.c          -> often "count 996"...
 */
#include <stdio.h>
#include <weft.h>

enum { GOROUTINES = 1000 };

static int count;                    /* shared, and nothing protects it */
static weft_waitgroup wg;

static void increment(void *arg) {
  (void)arg;
  count++;                           /* BUG: unsynchronised read-modify-write */
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  for (int i = 0; i < GOROUTINES; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(increment, NULL);
  }
  weft_waitgroup_wait(&wg);          /* every goroutine's work happens before this */
  printf("count %d (want %d, lost %d)\n", count, GOROUTINES, GOROUTINES - count);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
