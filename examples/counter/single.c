/*
 * single.c - the counter, before any goroutine: three increments make 3.
 *
 * The starting point of the counter lesson. One goroutine (the main one)
 * increments a counter three times and prints it. Nothing is shared, so
 * nothing can go wrong: `weft run -race` prints "count 3" and no report.
 *
 *   ./build/weft run -race examples/counter/single.c
 */
#include <stdio.h>
#include <weft.h>

static int count;

static void increment(void) { count++; }

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  increment();
  increment();
  increment();
  printf("count %d\n", count);      /* always 3 */
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
