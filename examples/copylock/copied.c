/*
 * copied.c - a mutex copied by value after its first use.
 *
 * C copies structs silently: passing one by value, returning it, or
 * assigning it copies every byte, the mutex's state included. The copy is a
 * different lock: locking it excludes nobody who locks the original. Go's
 * `go vet` catches this at compile time; weft catches it at run time: a
 * primitive remembers its own address when first used, and the next call
 * on a copy finds a different address. The program stops with a fatal
 * error and exit status 2. The fix: pass a pointer (copied_fixed.c).
 *
 *   ./build/weft run examples/copylock/copied.c
 */
#include <stdio.h>
#include <weft.h>

struct stats {
  weft_mutex mu;
  int hits;                          /* guarded by mu */
};

/* BUG: `s` is a copy of the caller's struct, mutex and all. */
static void record(struct stats s) {
  weft_mutex_lock(&s.mu);            /* fatal error: copied after first use */
  s.hits++;                          /* (and this would update the copy only) */
  weft_mutex_unlock(&s.mu);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  struct stats st = {{0}, 0};
  weft_mutex_lock(&st.mu);           /* first use: the mutex is bound to &st.mu */
  st.hits++;
  weft_mutex_unlock(&st.mu);
  record(st);
  printf("hits %d\n", st.hits);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
