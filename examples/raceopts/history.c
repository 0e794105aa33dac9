/*
 * history.c - a race whose first access is far in the past: history_size.
 *
 * To print the "Previous write" stack, the detector replays the writing
 * goroutine's recent history (function entries and exits, first accesses).
 * Here the writer sets `flag`, then writes 6000 other words before telling
 * the reader (with a relaxed atomic, which orders nothing) that it may
 * look. By then the write is about 6000 events back. With WEFT_RACE=history_size=0
 * (1024 events kept) the report says "[failed to restore the stack]"; the
 * default (2: 4096 events) is not enough either; history_size=3 (8192) gets
 * the line back. The race itself is found with any setting.
 *
 *   WEFT_RACE=history_size=3 ./build/weft run -race examples/raceopts/history.c
 */
#include <stdatomic.h>
#include <stdio.h>
#include <weft.h>

enum { WORDS = 6000 };

static int flag;                     /* BUG: written and read without sync */
static atomic_int may_look;          /* relaxed: no happens-before */
static weft_waitgroup wg;

static long scratch[WORDS];          /* the writer's own busy work */

static void writer(void *arg) {
  (void)arg;
  flag = 1;                          /* the write the report must find */
  for (int i = 0; i < WORDS; i++) scratch[i] = i;  /* one history event each */
  atomic_store_explicit(&may_look, 1, memory_order_relaxed);
  weft_waitgroup_done(&wg);
}

static void reader(void *arg) {
  int *seen = arg;
  while (!atomic_load_explicit(&may_look, memory_order_relaxed)) weft_yield();
  *seen = flag;                      /* races with the write, long ago */
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  int seen = 0;
  weft_waitgroup_add(&wg, 2);
  weft_go(writer, NULL);
  weft_go(reader, &seen);
  weft_waitgroup_wait(&wg);
  printf("reader saw flag=%d; writer wrote %ld words\n", seen, scratch[WORDS - 1] + 1);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
