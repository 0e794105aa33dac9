/* A foreign thread spawns goroutines: its past happens before them. */
#include <pthread.h>
#include "race_test.h"

int prepared[8];

static void user(void *arg) {
  long i = (long)arg;
  if (prepared[i] != (int)i + 1) abort();
  join_done();
}

static void *spawner(void *arg) {
  for (long i = 0; i < 8; i++) {
    prepared[i] = (int)i + 1;
    weft_go(user, (void *)i);
  }
  return NULL;
}

static int app_main(int argc, char **argv) {
  pthread_t th;
  pthread_create(&th, NULL, spawner, NULL);
  join_wait(8);
  pthread_join(th, NULL);
  return 0;
}

RACE_MAIN(app_main)
