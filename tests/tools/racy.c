/* tests/tools: two goroutines increment a counter without a lock:
 * `weft run -race` must report it and exit 66. main waits on an atomic
 * count of finished workers, which orders nothing between the workers.
 * (A waitgroup version went unreported now and then when built by clang;
 * see the report of issue 8.) */
#include <stdatomic.h>
#include <weft.h>

int counter;
static atomic_int done;

static void worker(void *arg) {
  for (int i = 0; i < 1000; i++)
    counter++;
  atomic_fetch_add(&done, 1);
}

static int app_main(int argc, char **argv) {
  weft_go(worker, NULL);
  weft_go(worker, NULL);
  while (atomic_load(&done) < 2)
    weft_yield();
  return 0;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
