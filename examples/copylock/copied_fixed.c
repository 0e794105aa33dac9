/*
 * copied_fixed.c - share a struct that holds a lock by pointer, never by value.
 *
 * Same program as copied.c, but record() takes a pointer: there is one
 * mutex, and every caller locks that one. Prints "hits 2" and exits 0.
 *
 *   ./build/weft run examples/copylock/copied_fixed.c
 */
#include <stdio.h>
#include <weft.h>

struct stats {
  weft_mutex mu;
  int hits;                          /* guarded by mu */
};

/* FIX: a pointer to the one and only struct stats. */
static void record(struct stats *s) {
  weft_mutex_lock(&s->mu);
  s->hits++;
  weft_mutex_unlock(&s->mu);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  struct stats st = {{0}, 0};
  weft_mutex_lock(&st.mu);           /* first use: the mutex is bound to &st.mu */
  st.hits++;
  weft_mutex_unlock(&st.mu);
  record(&st);
  printf("hits %d\n", st.hits);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
