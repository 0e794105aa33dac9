/* Foreign threads: pthread_create's start edge and pthread_join's end edge. */
#include <pthread.h>
#include "race_test.h"

int data[4];

static void *worker(void *arg) {
  long i = (long)arg;
  data[i] += 10;
  return NULL;
}

int main(void) {
  pthread_t th[4];
  for (long i = 0; i < 4; i++) {
    data[i] = (int)i;
    pthread_create(&th[i], NULL, worker, (void *)i);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  int sum = 0;
  for (int i = 0; i < 4; i++) sum += data[i];
  return sum == 46 ? 0 : 1;
}
