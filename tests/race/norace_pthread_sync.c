/* Semaphores, condition variables, rwlocks, barriers and once. */
#include <pthread.h>
#include <semaphore.h>
#include "race_test.h"

static sem_t sem;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t barrier;
static pthread_once_t once = PTHREAD_ONCE_INIT;
int by_sem, by_cond, ready, by_rw, by_barrier[2], by_once;

static void init_once(void) { by_once = 42; }

static void *worker(void *arg) {
  by_sem = 1;
  sem_post(&sem);
  pthread_mutex_lock(&mu);
  by_cond = 1;
  ready = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  pthread_rwlock_wrlock(&rw);
  by_rw++;
  pthread_rwlock_unlock(&rw);
  by_barrier[1] = 1;
  pthread_barrier_wait(&barrier);
  USE(by_barrier[0]);
  pthread_once(&once, init_once);
  USE(by_once);
  return NULL;
}

int main(void) {
  sem_init(&sem, 0, 0);
  pthread_barrier_init(&barrier, NULL, 2);
  pthread_t th;
  pthread_create(&th, NULL, worker, NULL);
  sem_wait(&sem);
  USE(by_sem);
  pthread_mutex_lock(&mu);
  while (!ready) pthread_cond_wait(&cv, &mu);
  USE(by_cond);
  pthread_mutex_unlock(&mu);
  pthread_rwlock_rdlock(&rw);
  USE(by_rw);
  pthread_rwlock_unlock(&rw);
  by_barrier[0] = 1;
  pthread_barrier_wait(&barrier);
  USE(by_barrier[1]);
  pthread_once(&once, init_once);
  USE(by_once);
  pthread_join(th, NULL);
  return 0;
}
