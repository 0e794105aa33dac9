/* tests/tools: two goroutines increment a counter without a lock:
 * `weft run -race` must report it and exit 66. */
#include <weft.h>

int counter;

static void worker(void *arg) {
  for (int i = 0; i < 1000; i++)
    counter++;
  weft_waitgroup_done(arg);
}

static int app_main(int argc, char **argv) {
  weft_waitgroup wg = {0};
  weft_waitgroup_add(&wg, 2);
  weft_go(worker, &wg);
  weft_go(worker, &wg);
  weft_waitgroup_wait(&wg);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
