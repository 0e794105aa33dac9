/*
 * test_counter.c - the seed's first lesson as tests: a shared counter is
 * correct when a weft_mutex or a C11 atomic protects it.
 *
 * One test body (counter_suite) runs against both implementations through
 * a small interface of function pointers, as the seed's ICounter does:
 *   - one goroutine incrementing 3 times gives 3;
 *   - 1000 goroutines incrementing once each give 1000;
 *   - the same mixed with plain threads.
 */
#include <stdatomic.h>

#include "sync_testing.h"

/* The interface (the seed's ICounter). */
typedef struct counter_ops {
  const char *name;
  void *(*make)(void);
  void (*inc)(void *counter);
  long (*value)(void *counter);
  void (*destroy)(void *counter);
} counter_ops;

/* Mutex-protected counter. */
typedef struct mutex_counter {
  weft_mutex mu;
  long n;
} mutex_counter;
static void *mutex_counter_make(void) { return calloc(1, sizeof(mutex_counter)); }
static void mutex_counter_inc(void *p) {
  mutex_counter *c = p;
  weft_mutex_lock(&c->mu);
  c->n++;
  weft_mutex_unlock(&c->mu);
}
static long mutex_counter_value(void *p) {
  mutex_counter *c = p;
  weft_mutex_lock(&c->mu);
  long n = c->n;
  weft_mutex_unlock(&c->mu);
  return n;
}
static const counter_ops mutex_ops = {"mutex", mutex_counter_make, mutex_counter_inc,
                                      mutex_counter_value, free};

/* C11 atomic counter. */
typedef struct atomic_counter {
  atomic_long n;
} atomic_counter;
static void *atomic_counter_make(void) { return calloc(1, sizeof(atomic_counter)); }
static void atomic_counter_inc(void *p) { atomic_fetch_add(&((atomic_counter *)p)->n, 1); }
static long atomic_counter_value(void *p) { return atomic_load(&((atomic_counter *)p)->n); }
static const counter_ops atomic_ops = {"atomic", atomic_counter_make, atomic_counter_inc,
                                       atomic_counter_value, free};

/* ---- the shared test body ---------------------------------------------- */

struct job {
  const counter_ops *ops;
  void *counter;
  int times;
};
static void increment(void *arg) {
  const struct job *j = arg;
  for (int i = 0; i < j->times; i++) j->ops->inc(j->counter);
}
static void *increment_thread(void *arg) {
  increment(arg);
  return NULL;
}

static void counter_suite(const counter_ops *ops) {
  fprintf(stderr, "  counter: %s\n", ops->name);

  /* One goroutine, three increments. */
  void *c = ops->make();
  struct job one = {ops, c, 3};
  weft_waitgroup wg = {0};
  weft_waitgroup_go(&wg, increment, &one);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(ops->value(c), 3);
  ops->destroy(c);

  /* 1000 goroutines, one increment each. */
  c = ops->make();
  struct job each = {ops, c, 1};
  for (int i = 0; i < 1000; i++) weft_waitgroup_go(&wg, increment, &each);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(ops->value(c), 1000);
  ops->destroy(c);

  /* 1000 goroutines and 4 threads, 100 increments each. */
  c = ops->make();
  struct job many = {ops, c, 100};
  for (int i = 0; i < 4; i++) thread_go(&wg, increment_thread, &many);
  for (int i = 0; i < 1000; i++) weft_waitgroup_go(&wg, increment, &many);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(ops->value(c), 1004 * 100);
  ops->destroy(c);
}

static void test_mutex_counter(void) { counter_suite(&mutex_ops); }
static void test_atomic_counter(void) { counter_suite(&atomic_ops); }

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_mutex_counter);
  RUN(test_atomic_counter);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
