/*
 * addr_copy.c - the cure for the loop variable: weft_go_copy.
 *
 * weft_go_copy(fn, &i, sizeof i) copies the bytes of `i` into storage owned
 * by the new goroutine before it starts, and passes fn a pointer to that
 * copy (Go 1.22 gives each iteration its own variable for the same reason).
 * Each worker prints its own number, 0 to 2 in some order, and
 * `weft run -race` finds nothing.
 *
 *   ./build/weft run -race examples/loopvar/addr_copy.c
 */
#include <stdio.h>
#include <weft.h>

enum { WORKERS = 3 };

static weft_waitgroup wg;

static void print_id(void *arg) {
  int id = *(int *)arg;              /* our own copy: nobody else writes it */
  printf("worker %d\n", id);
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  weft_waitgroup_add(&wg, WORKERS);
  for (int i = 0; i < WORKERS; i++) weft_go_copy(print_id, &i, sizeof i);
  weft_waitgroup_wait(&wg);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
