/*
 * both.c - one test body, run against two counter implementations.
 *
 * Go would say `type Counter interface { Inc(); Value() int }`; in C an
 * interface is a struct of function pointers plus the object they act on.
 * The test below knows only the interface, so the same body checks the
 * mutex counter and the atomic counter (and would catch a racy third one:
 * under -race it reports the race; without it, it may see lost updates).
 *
 *   ./build/weft run -race examples/counter/both.c
 */
#include <stdatomic.h>
#include <stdio.h>
#include <weft.h>

/* ---- the interface ---- */
typedef struct counter {
  const char *name;
  void (*inc)(struct counter *c);
  int (*value)(struct counter *c);
} counter;

/* ---- implementation 1: a mutex around an int ---- */
typedef struct {
  counter iface;                     /* first member: a counter* is a mutex_counter* */
  weft_mutex mu;
  int n;
} mutex_counter;

static void mutex_inc(counter *c) {
  mutex_counter *m = (mutex_counter *)c;
  weft_mutex_lock(&m->mu);
  m->n++;
  weft_mutex_unlock(&m->mu);
}

static int mutex_value(counter *c) {
  mutex_counter *m = (mutex_counter *)c;
  weft_mutex_lock(&m->mu);
  int n = m->n;
  weft_mutex_unlock(&m->mu);
  return n;
}

/* ---- implementation 2: an atomic int ---- */
typedef struct {
  counter iface;
  atomic_int n;
} atomic_counter;

static void atomic_inc(counter *c) { atomic_fetch_add(&((atomic_counter *)c)->n, 1); }
static int atomic_value(counter *c) { return atomic_load(&((atomic_counter *)c)->n); }

/* ---- the test body: knows nothing but the interface ---- */
enum { GOROUTINES = 100, INCREMENTS = 100 };

static weft_waitgroup wg;

static void hammer(void *arg) {
  counter *c = arg;
  for (int i = 0; i < INCREMENTS; i++) c->inc(c);
  weft_waitgroup_done(&wg);
}

static int test_counter(counter *c) {
  for (int i = 0; i < GOROUTINES; i++) {
    weft_waitgroup_add(&wg, 1);
    weft_go(hammer, c);
  }
  weft_waitgroup_wait(&wg);
  int got = c->value(c), want = GOROUTINES * INCREMENTS;
  printf("%-6s %s: %d increments\n", got == want ? "PASS" : "FAIL", c->name, got);
  return got == want ? 0 : 1;
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  mutex_counter m = {{"mutex counter", mutex_inc, mutex_value}, {0}, 0};
  atomic_counter a = {{"atomic counter", atomic_inc, atomic_value}, 0};
  int failed = test_counter(&m.iface) + test_counter(&a.iface);
  return failed ? 1 : 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
