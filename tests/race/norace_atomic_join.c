/* Writes before an atomic release, read after the matching acquire. */
#include <stdatomic.h>
#include <weft.h>

int data[4];
static atomic_int done;

static void worker(void *arg) {
  int i = (int)(long)arg;
  data[i] = i + 1;
  atomic_fetch_add_explicit(&done, 1, memory_order_release);
}

static int app_main(int argc, char **argv) {
  for (long i = 0; i < 4; i++) weft_go(worker, (void *)i);
  while (atomic_load_explicit(&done, memory_order_acquire) < 4) weft_yield();
  int sum = 0;
  for (int i = 0; i < 4; i++) sum += data[i];
  return sum == 10 ? 0 : 1;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
