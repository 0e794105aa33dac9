/*
 * test_foreign.c - weft driven from plain pthreads (SPEC section 2: every
 * call works from any thread; blocking calls block the OS thread).
 *
 * No weft_main here: the runtime starts on first use from whichever thread
 * calls first, and the main thread is itself a foreign thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <weft.h>

#include "check.h"
#include "runtime/runtime.h"

static atomic_int ran;
static void bump(void *arg) { atomic_fetch_add(&ran, 1); }

/* A one-shot event built on rt_park/rt_ready, so that this test does not
 * depend on channels: waiter may be a goroutine or a foreign thread. */
struct event {
  rt_lock lock;
  bool set;
  struct weft_g *waiter;
};
static bool event_commit(struct weft_g *g, void *arg) {
  rt_lock_release(&((struct event *)arg)->lock);
  return true;
}
static void event_wait(struct event *e) {
  rt_lock_acquire(&e->lock);
  if (e->set) {
    rt_lock_release(&e->lock);
    return;
  }
  e->waiter = rt_current();
  rt_park(WAIT_CHAN_RECV, e, event_commit, e);
}
static void event_set(struct event *e) {
  rt_lock_acquire(&e->lock);
  e->set = true;
  struct weft_g *w = e->waiter;
  e->waiter = NULL;
  rt_lock_release(&e->lock);
  if (w) rt_ready(w);
}

/* Threads spawn goroutines concurrently; all run. */
static void *spawner(void *arg) {
  for (int i = 0; i < 1000; i++) weft_go(bump, NULL);
  return NULL;
}
static void test_spawn_from_threads(void) {
  atomic_store(&ran, 0);
  pthread_t th[4];
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, spawner, NULL);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  while (atomic_load(&ran) < 4000) weft_sleep(WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&ran), 4000);
  CHECK_EQ(weft_self(), 0); /* not a goroutine */
}

/* A goroutine wakes a blocked thread, and a thread wakes a blocked goroutine. */
static struct event to_thread, to_goroutine, goroutine_done;
static void waits_for_thread(void *arg) {
  event_wait(&to_goroutine);
  event_set(&goroutine_done);
}
static void wakes_thread(void *arg) {
  weft_sleep(5 * WEFT_MILLISECOND);
  event_set(&to_thread);
}
static void test_cross_wakeups(void) {
  weft_go(waits_for_thread, NULL);
  weft_go(wakes_thread, NULL);
  event_wait(&to_thread); /* blocks this OS thread until the goroutine sets it */
  CHECK(to_thread.set);
  event_set(&to_goroutine);
  event_wait(&goroutine_done);
  CHECK(goroutine_done.set);
}

/* Many threads and goroutines ping-pong through events. */
#define PAIRS 8
static struct event pings[PAIRS][64], pongs[PAIRS][64];
static void ponger(void *arg) {
  intptr_t p = (intptr_t)arg;
  for (int i = 0; i < 64; i++) {
    event_wait(&pings[p][i]);
    event_set(&pongs[p][i]);
  }
}
static void *pinger(void *arg) {
  intptr_t p = (intptr_t)arg;
  weft_go(ponger, (void *)p);
  for (int i = 0; i < 64; i++) {
    event_set(&pings[p][i]);
    event_wait(&pongs[p][i]);
  }
  return NULL;
}
static void test_thread_goroutine_pingpong(void) {
  pthread_t th[PAIRS];
  for (intptr_t i = 0; i < PAIRS; i++) pthread_create(&th[i], NULL, pinger, (void *)i);
  for (int i = 0; i < PAIRS; i++) pthread_join(th[i], NULL);
  for (int p = 0; p < PAIRS; p++) CHECK(pongs[p][63].set);
}

/* Sleep and yield work on a thread too. */
static void test_thread_sleep_yield(void) {
  int64_t t0 = weft_now();
  weft_sleep(2 * WEFT_MILLISECOND);
  weft_yield();
  CHECK(weft_now() - t0 >= 2 * WEFT_MILLISECOND);
}

int main(void) {
  RUN(test_spawn_from_threads);
  RUN(test_cross_wakeups);
  RUN(test_thread_goroutine_pingpong);
  RUN(test_thread_sleep_yield);
  return check_done();
}
