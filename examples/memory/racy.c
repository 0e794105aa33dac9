/*
 * racy.c - what another goroutine sees of `a = 1; b = 2` without sync.
 *
 * The writer stores a = 1, then b = 2. The observer reads b, then a. It is
 * tempting to reason "if it saw b == 2 it must see a == 1": wrong. Without
 * synchronisation the compiler may reorder or merge the stores, the CPU may
 * make them visible in another order (aarch64 does), and the observer may
 * see b == 2 and a == 0. The memory model's answer is simpler than any such
 * reasoning: the accesses are not ordered by happens-before, so this is a
 * data race and the program has no defined meaning. The race detector
 * reports it on every run, whatever values were seen.
 *
 *   ./build/weft run -race examples/memory/racy.c
 */
#include <stdio.h>
#include <weft.h>

static int a, b;
static weft_waitgroup wg;

static void writer(void *arg) {
  (void)arg;
  a = 1;
  b = 2;
  weft_waitgroup_done(&wg);
}

static void observer(void *arg) {
  int *seen = arg;
  seen[0] = b;                       /* BUG: nothing orders this after the writer */
  seen[1] = a;
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  int seen[2];
  weft_waitgroup_add(&wg, 2);
  weft_go(writer, NULL);
  weft_go(observer, seen);
  weft_waitgroup_wait(&wg);
  printf("observer saw b=%d a=%d\n", seen[0], seen[1]);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
