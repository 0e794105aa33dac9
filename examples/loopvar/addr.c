/*
 * addr.c - the loop variable passed by address.
 *
 * In Go before 1.22:  for i := 0; i < 3; i++ { go func() { print(i) }() }
 *
 * weft_go(print_id, &i) hands every goroutine the address of the same `i`,
 * which the loop goes on incrementing. A goroutine that reads it later sees
 * whatever value it holds then (often 3, three times), and the loop's
 * `i++` races with the goroutines' reads: the race detector reports it on
 * every run. The cure is weft_go_copy (addr_copy.c): each goroutine gets its
 * own copy of the value, taken at the moment it is started.
 *
 *   ./build/weft run -race examples/loopvar/addr.c
 */
#include <stdio.h>
#include <weft.h>

enum { WORKERS = 3 };

static weft_waitgroup wg;

static void print_id(void *arg) {
  int id = *(int *)arg;              /* BUG: reads main's `i`, now */
  printf("worker %d\n", id);
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  int i;                             /* (declared outside the loop so that it
                                         outlives it: still a bug, not worse) */
  weft_waitgroup_add(&wg, WORKERS);
  for (i = 0; i < WORKERS; i++) weft_go(print_id, &i);   /* every worker gets &i */
  weft_waitgroup_wait(&wg);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
