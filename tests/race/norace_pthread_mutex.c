/* pthread mutexes order the accesses they protect. */
#include <pthread.h>
#include "race_test.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
long counter;

static void *worker(void *arg) {
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int main(void) {
  pthread_t th[3];
  for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, worker, NULL);
  worker(NULL);
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  return counter == 4000 ? 0 : 1;
}
