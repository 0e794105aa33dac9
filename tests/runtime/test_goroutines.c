/*
 * test_goroutines.c - the goroutine API of SPEC section 2: spawn, ids,
 * weft_go_copy, yield, exit, counting, weft_main's status.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <weft.h>

#include "check.h"

static atomic_int counter;

static void bump(void *arg) { atomic_fetch_add(&counter, 1); }

static void wait_counter(int want) {
  while (atomic_load(&counter) < want) weft_yield();
}

/* Many goroutines all run, each exactly once. */
static void test_spawn_many(void) {
  atomic_store(&counter, 0);
  int n = (int)scaled(20000);
  for (int i = 0; i < n; i++) weft_go(bump, NULL);
  wait_counter(n);
  CHECK_EQ(atomic_load(&counter), n);
}

/* Ids are unique, main is 1, weft_self inside matches what weft_go returned. */
static _Atomic uint64_t seen_ids[64];
static void record_self(void *arg) {
  seen_ids[(intptr_t)arg] = weft_self();
  atomic_fetch_add(&counter, 1);
}
static void test_ids(void) {
  CHECK_EQ(weft_self(), 1);
  atomic_store(&counter, 0);
  uint64_t ids[64];
  for (intptr_t i = 0; i < 64; i++) ids[i] = weft_go(record_self, (void *)i);
  wait_counter(64);
  for (int i = 0; i < 64; i++) {
    CHECK_EQ(seen_ids[i], ids[i]);
    CHECK(ids[i] > 1);
    for (int j = 0; j < i; j++) CHECK(ids[i] != ids[j]);
  }
}

/* weft_go_copy gives each goroutine its own copy of the loop variable,
 * both for small (inline) and large (heap) arguments. */
static int got_small[100];
static void take_small(void *arg) {
  int i = *(int *)arg;
  got_small[i]++;
  atomic_fetch_add(&counter, 1);
}
struct big { int index; char pad[500]; int check; };
static int got_big[50];
static void take_big(void *arg) {
  struct big *b = arg;
  weft_yield(); /* the copy must survive the spawner moving on */
  if (b->check == b->index * 7) got_big[b->index]++;
  atomic_fetch_add(&counter, 1);
}
static void test_go_copy(void) {
  atomic_store(&counter, 0);
  for (int i = 0; i < 100; i++) weft_go_copy(take_small, &i, sizeof i);
  wait_counter(100);
  for (int i = 0; i < 100; i++) CHECK_EQ(got_small[i], 1);
  atomic_store(&counter, 0);
  struct big b;
  memset(&b, 0, sizeof b);
  for (int i = 0; i < 50; i++) {
    b.index = i;
    b.check = i * 7;
    weft_go_copy(take_big, &b, sizeof b);
  }
  b.index = -1;
  wait_counter(50);
  for (int i = 0; i < 50; i++) CHECK_EQ(got_big[i], 1);
}

/* weft_exit ends the goroutine where it is called. */
static atomic_int after_exit;
static void helper_exits(void) { weft_exit(); }
static void exiter(void *arg) {
  atomic_fetch_add(&counter, 1);
  helper_exits();
  atomic_fetch_add(&after_exit, 1); /* never reached */
}
static void test_exit(void) {
  atomic_store(&counter, 0);
  for (int i = 0; i < 100; i++) weft_go(exiter, NULL);
  wait_counter(100);
  while (weft_num_goroutines() > 1) weft_yield();
  CHECK_EQ(atomic_load(&after_exit), 0);
}

/* weft_num_goroutines counts live goroutines, main included. */
static atomic_bool release;
static void parked_until_release(void *arg) {
  while (!atomic_load(&release)) weft_sleep(WEFT_MILLISECOND);
  atomic_fetch_add(&counter, 1);
}
static void test_num_goroutines(void) {
  while (weft_num_goroutines() > 1) weft_yield();
  CHECK_EQ(weft_num_goroutines(), 1);
  atomic_store(&release, false);
  atomic_store(&counter, 0);
  for (int i = 0; i < 10; i++) weft_go(parked_until_release, NULL);
  CHECK_EQ(weft_num_goroutines(), 11);
  atomic_store(&release, true);
  wait_counter(10);
  while (weft_num_goroutines() > 1) weft_yield();
  CHECK_EQ(weft_num_goroutines(), 1);
}

/* Yield lets the others run on the same worker: with one goroutine
 * yielding in a loop, a second one still makes progress. */
static atomic_int progress;
static void spinner(void *arg) {
  while (atomic_load(&progress) < 1000) weft_yield();
}
static void stepper(void *arg) {
  for (int i = 0; i < 1000; i++) {
    atomic_fetch_add(&progress, 1);
    weft_yield();
  }
}
static void test_yield_progress(void) {
  weft_go(spinner, NULL);
  weft_go(stepper, NULL);
  while (atomic_load(&progress) < 1000) weft_yield();
  CHECK_EQ(atomic_load(&progress), 1000);
}

static void test_procs(void) {
  CHECK(weft_procs() >= 1);
  const char *env = getenv("WEFT_PROCS");
  if (env) CHECK_EQ(weft_procs(), atoi(env));
}

static int app(int argc, char **argv) {
  RUN(test_spawn_many);
  RUN(test_ids);
  RUN(test_go_copy);
  RUN(test_exit);
  RUN(test_num_goroutines);
  RUN(test_yield_progress);
  RUN(test_procs);
  return check_done();
}

/* weft_main returns the main function's status. */
static int returns_7(int argc, char **argv) { return 7; }
static void main_status_child(void *arg) { exit(weft_main(returns_7, 0, NULL)); }

int main(int argc, char **argv) {
  struct child_result r = check_child(main_status_child, NULL);
  CHECK_STATUS(r, 7);
  free(r.output);
  return weft_main(app, argc, argv);
}
