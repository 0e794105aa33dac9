/*
 * atomic.c - the 1000-goroutine counter, fixed with a C11 atomic.
 *
 * atomic_fetch_add is one indivisible read-modify-write: no two goroutines
 * can load the same old value. Two atomic accesses never race, so
 * `weft run -race` prints "count 1000" and no report. Cheaper than a mutex
 * for a single word; a mutex is the tool as soon as several fields must
 * change together.
 *
 *   ./build/weft run -race examples/counter/atomic.c
 */
#include <stdatomic.h>
#include <stdio.h>
#include <weft.h>

enum { GOROUTINES = 1000 };

static atomic_int count;
static weft_waitgroup wg;

static void increment(void *arg) {
  (void)arg;
  atomic_fetch_add(&count, 1);       /* load, add and store as one step */
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  for (int i = 0; i < GOROUTINES; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(increment, NULL);
  }
  weft_waitgroup_wait(&wg);
  printf("count %d (want %d)\n", atomic_load(&count), GOROUTINES);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
