/*
 * mutex.c - the 1000-goroutine counter, fixed with a mutex.
 *
 * Each increment takes the lock: the unlock by one goroutine happens before
 * the next goroutine's lock, so the increments are ordered one after the
 * other and none is lost. `weft run -race` prints "count 1000" and no report.
 *
 *   ./build/weft run -race examples/counter/mutex.c
 */
#include <stdio.h>
#include <weft.h>

enum { GOROUTINES = 1000 };

static weft_mutex mu;                /* zero value: unlocked, ready to use */
static int count;                    /* guarded by mu */
static weft_waitgroup wg;

static void increment(void *arg) {
  (void)arg;
  weft_mutex_lock(&mu);
  count++;                           /* one goroutine at a time */
  weft_mutex_unlock(&mu);
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  for (int i = 0; i < GOROUTINES; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(increment, NULL);
  }
  weft_waitgroup_wait(&wg);
  printf("count %d (want %d)\n", count, GOROUTINES);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
