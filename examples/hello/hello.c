/*
 * hello.c - the first weft program: goroutines, a WaitGroup, sleep.
 *
 * Ten workers each sleep a little and add their number to a total that a
 * mutex protects; main waits for all of them with a WaitGroup, as in Go:
 *
 *   var wg sync.WaitGroup
 *   for i := 0; i < 10; i++ { wg.Go(func() { ... }) }
 *   wg.Wait()
 *
 * Run it:  ./build/examples/hello
 */
#include <stdio.h>
#include <weft.h>

static weft_mutex mu;      /* zero value: an unlocked mutex */
static weft_waitgroup wg;  /* zero value: an empty WaitGroup */
static int total;

static void worker(void *arg) {
  int n = *(int *)arg;                       /* our own copy: see weft_go_copy */
  weft_sleep((10 - n) * WEFT_MILLISECOND);   /* later workers finish first */
  weft_mutex_lock(&mu);
  total += n;
  weft_mutex_unlock(&mu);
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  for (int i = 1; i <= 10; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go_copy(worker, &i, sizeof i);      /* copies i: no loop-variable bug */
  }
  weft_waitgroup_wait(&wg);
  printf("10 goroutines on %d workers: total %d (want 55)\n", weft_procs(), total);
  return total == 55 ? 0 : 1;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
