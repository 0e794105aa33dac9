/*
 * counter.c - two goroutines, 100000 increments each, one shared counter.
 *
 * The classic: run it several times without -race and the final count
 * changes from run to run (lost updates), rarely 200000. With -race the
 * program also prints one report (the same pair of lines races 200000
 * times, reported once), "Found 1 data race(s)", and exits with status 66
 * instead of 0. The tour then runs it again under each WEFT_RACE option
 * (see README.md).
 *
 *   ./build/weft run -race examples/raceopts/counter.c
 */
#include <stdio.h>
#include <weft.h>

enum { INCREMENTS = 100000 };

static int count;                    /* BUG: shared without synchronisation */
static weft_waitgroup wg;
static weft_chan *start;             /* closed once both goroutines exist */

/* A function of its own, as Go's `count++` in a closure: the compiler
 * cannot fold the loop below into one `count += 100000`. */
__attribute__((noinline)) static void increment(void) { count++; }

static void add(void *arg) {
  (void)arg;
  weft_chan_recv(start, NULL);       /* both begin together: more overlap */
  for (int i = 0; i < INCREMENTS; i++) increment();
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  start = weft_chan_make(0, 0);
  weft_waitgroup_add(&wg, 2);
  weft_go(add, NULL);
  weft_go(add, NULL);
  weft_chan_close(start);            /* go! (orders nothing between the two) */
  weft_waitgroup_wait(&wg);
  printf("count %d (want %d)\n", count, 2 * INCREMENTS);
  weft_chan_free(start);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
