/*
 * test_waitgroup.c - weft_waitgroup behaviour users rely on:
 *   - wait on a zero group returns at once; add/done balance; wait returns
 *     only after every done, and sees everything the workers wrote;
 *   - weft_waitgroup_go (Go 1.25's WaitGroup.Go) from goroutines and
 *     threads;
 *   - many waiters (goroutines and threads) are all released;
 *   - a group may be reused for a new round once the waits have returned;
 *   - a parked waiter records "sync.WaitGroup.Wait" with the group.
 */
#include <stdatomic.h>

#include "sync_testing.h"

static void test_zero_group_wait_returns(void) {
  weft_waitgroup wg = {0};
  weft_waitgroup_wait(&wg);
  weft_waitgroup_add(&wg, 3);
  weft_waitgroup_done(&wg);
  weft_waitgroup_add(&wg, -2);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(wg.state, 0);
}

struct work {
  weft_waitgroup *wg;
  long *slot;
};
static void work_item(void *arg) {
  struct work *w = arg;
  weft_sleep((weft_duration)(rng_next(&(uint64_t){(uint64_t)(uintptr_t)w->slot | 1}) % 200) *
             WEFT_MICROSECOND);
  *w->slot = 42;              /* plain write; wait must make it visible */
  weft_waitgroup_done(w->wg);
}

static void test_wait_sees_all_done(void) {
  enum { N = 200 };
  static long slots[N];
  static struct work works[N];
  weft_waitgroup wg = {0};
  weft_waitgroup_add(&wg, N);
  for (int i = 0; i < N; i++) {
    works[i] = (struct work){&wg, &slots[i]};
    weft_go(work_item, &works[i]);
  }
  weft_waitgroup_wait(&wg);
  for (int i = 0; i < N; i++) CHECK_EQ(slots[i], 42);
}

static atomic_long ran;
static void count_run(void *arg) { atomic_fetch_add(&ran, (long)(intptr_t)arg); }

static void *go_from_thread(void *arg) {
  weft_waitgroup *wg = arg;
  for (int i = 0; i < 50; i++) weft_waitgroup_go(wg, count_run, (void *)(intptr_t)1);
  return NULL;
}

static void test_go(void) {
  weft_waitgroup wg = {0};
  atomic_store(&ran, 0);
  for (int i = 0; i < 100; i++) weft_waitgroup_go(&wg, count_run, (void *)(intptr_t)1);
  thread_go(&wg, go_from_thread, &wg);   /* the thread's own count covers its adds */
  weft_waitgroup_wait(&wg);
  CHECK_EQ(atomic_load(&ran), 150);
}

/* ---- many waiters, reason, reuse --------------------------------------- */

static weft_waitgroup gate;
static atomic_int released;
static void gate_waiter(void *arg) {
  weft_waitgroup_wait(&gate);
  atomic_fetch_add(&released, 1);
}
static void *gate_waiter_thread(void *arg) {
  gate_waiter(arg);
  return NULL;
}

static void test_many_waiters_released_and_reuse(void) {
  for (int round = 0; round < 3; round++) {
    weft_waitgroup outer = {0};
    atomic_store(&released, 0);
    weft_waitgroup_add(&gate, 2);
    enum { G = 16, T = 2 };
    for (int i = 0; i < G; i++) weft_waitgroup_go(&outer, gate_waiter, NULL);
    for (int i = 0; i < T; i++) thread_go(&outer, gate_waiter_thread, NULL);
    struct parked p = wait_parked(&gate.sema, G + T);
    CHECK_EQ(p.count, G + T);
    CHECK_EQ(p.reason, WAIT_WAITGROUP_WAIT);
    CHECK(p.obj == &gate);
    CHECK(!p.holder_known);
    CHECK(strcmp(wait_reason_name(p.reason), "sync.WaitGroup.Wait") == 0);
    CHECK_EQ((uint32_t)__atomic_load_n(&gate.state, __ATOMIC_RELAXED), G + T);  /* waiters counted */
    weft_waitgroup_done(&gate);
    CHECK_EQ(atomic_load(&released), 0);
    weft_waitgroup_done(&gate);
    weft_waitgroup_wait(&outer);
    CHECK_EQ(atomic_load(&released), G + T);
    CHECK_EQ(gate.state, 0);        /* reset: ready for the next round */
  }
}

/* A thread waits for goroutines and goroutines for a thread. */
static weft_waitgroup cross;
static void *thread_does_work(void *arg) {
  weft_sleep(WEFT_MILLISECOND);
  weft_waitgroup_done(&cross);
  return NULL;
}
static void test_threads_and_goroutines_mixed(void) {
  weft_waitgroup joined = {0};
  weft_waitgroup_add(&cross, 2);
  thread_go(&joined, thread_does_work, NULL);
  thread_go(&joined, thread_does_work, NULL);
  weft_waitgroup_wait(&cross);       /* a goroutine waits for threads */
  weft_waitgroup_wait(&joined);
  CHECK_EQ(cross.state, 0);
}

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_zero_group_wait_returns);
  RUN(test_wait_sees_all_done);
  RUN(test_go);
  RUN(test_many_waiters_released_and_reuse);
  RUN(test_threads_and_goroutines_mixed);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) {
  /* Before the runtime: the main thread is a foreign thread waiting for
   * goroutines. */
  weft_waitgroup wg = {0};
  atomic_store(&ran, 0);
  for (int i = 0; i < 10; i++) weft_waitgroup_go(&wg, count_run, (void *)(intptr_t)1);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(atomic_load(&ran), 10);
  return weft_main(app, argc, argv);
}
