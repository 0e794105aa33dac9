/*
 * test_cond.c - weft_cond behaviour users rely on:
 *   - WEFT_COND_INIT(&mu) works at file scope;
 *   - wait releases the mutex while parked and holds it again on return;
 *   - signal wakes exactly one waiter, the longest-waiting one; broadcast
 *     wakes all; signal/broadcast with nobody waiting are no-ops and are
 *     not remembered (no "lost signal" credit);
 *   - a producer/consumer queue works across goroutines and threads;
 *   - a parked waiter records "sync.Cond.Wait" with the cond as object.
 */
#include <stdatomic.h>

#include "sync_testing.h"

static weft_mutex mu;
static weft_cond cond = WEFT_COND_INIT(&mu);     /* file scope: a constant initialiser */

static int ready_count;        /* protected by mu */
static int woken_order[16];    /* protected by mu */
static int woken_count;        /* protected by mu */

static void ordered_waiter(void *arg) {
  int me = (int)(intptr_t)arg;
  weft_mutex_lock(&mu);
  ready_count++;
  weft_cond_wait(&cond);
  woken_order[woken_count++] = me;
  weft_mutex_unlock(&mu);
}

static void test_signal_wakes_one_in_fifo_order(void) {
  weft_waitgroup wg = {0};
  enum { N = 5 };
  for (int i = 0; i < N; i++) {
    weft_waitgroup_go(&wg, ordered_waiter, (void *)(intptr_t)i);
    wait_cond_parked(&cond, i + 1);   /* one at a time, so the order is known */
  }
  struct parked p = cond_snapshot(&cond);
  CHECK_EQ(p.count, N);
  CHECK_EQ(p.reason, WAIT_COND_WAIT);
  CHECK(p.obj == &cond);
  CHECK(strcmp(wait_reason_name(p.reason), "sync.Cond.Wait") == 0);
  weft_mutex_lock(&mu);               /* they released the mutex while parked */
  CHECK_EQ(ready_count, N);
  weft_mutex_unlock(&mu);

  for (int i = 0; i < N; i++) {
    weft_cond_signal(&cond);
    /* Exactly one left the queue and ran. */
    int64_t deadline = mono_ns() + 20 * (int64_t)1000000000;
    for (;;) {
      weft_mutex_lock(&mu);
      int n = woken_count;
      weft_mutex_unlock(&mu);
      if (n == i + 1 || mono_ns() > deadline) break;
      nap();
    }
    weft_mutex_lock(&mu);
    CHECK_EQ(woken_count, i + 1);
    weft_mutex_unlock(&mu);
    CHECK_EQ(cond_snapshot(&cond).count, N - 1 - i);
  }
  weft_waitgroup_wait(&wg);
  for (int i = 0; i < N; i++) CHECK_EQ(woken_order[i], i);
}

static void plain_waiter(void *arg) {
  weft_mutex_lock(&mu);
  weft_cond_wait(&cond);
  woken_count++;
  weft_mutex_unlock(&mu);
}
static void *plain_waiter_thread(void *arg) {
  plain_waiter(arg);
  return NULL;
}

static void test_broadcast_wakes_all_goroutines_and_threads(void) {
  weft_waitgroup wg = {0};
  weft_mutex_lock(&mu);
  woken_count = 0;
  weft_mutex_unlock(&mu);
  enum { G = 12, T = 3 };
  for (int i = 0; i < G; i++) weft_waitgroup_go(&wg, plain_waiter, NULL);
  for (int i = 0; i < T; i++) thread_go(&wg, plain_waiter_thread, NULL);
  struct parked p = wait_cond_parked(&cond, G + T);
  CHECK_EQ(p.count, G + T);
  weft_mutex_lock(&mu);
  weft_cond_broadcast(&cond);        /* broadcasting with the mutex held is fine */
  weft_mutex_unlock(&mu);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(woken_count, G + T);
  CHECK_EQ(cond_snapshot(&cond).count, 0);
}

static void test_signal_without_waiters_is_not_remembered(void) {
  weft_cond_signal(&cond);
  weft_cond_broadcast(&cond);
  weft_waitgroup wg = {0};
  weft_mutex_lock(&mu);
  woken_count = 0;
  weft_mutex_unlock(&mu);
  weft_waitgroup_go(&wg, plain_waiter, NULL);
  struct parked p = wait_cond_parked(&cond, 1);   /* it parks: no credit was kept */
  CHECK_EQ(p.count, 1);
  weft_cond_signal(&cond);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(woken_count, 1);
}

static void test_zero_cond_signal_broadcast_are_noops(void) {
  weft_cond zero = {0};
  weft_cond_signal(&zero);
  weft_cond_broadcast(&zero);
  CHECK(zero.mutex == NULL);
}

/* ---- producer/consumer ------------------------------------------------- */

struct queue {
  weft_mutex mu;
  weft_cond nonempty;
  weft_cond nonfull;
  int items[8];
  int head, len;
  long produced_sum, consumed_sum;
  long per_producer;
  int producers_left;
};

static void produce(struct queue *q) {
  for (long i = 1; i <= q->per_producer; i++) {
    weft_mutex_lock(&q->mu);
    while (q->len == 8) weft_cond_wait(&q->nonfull);
    q->items[(q->head + q->len++) % 8] = (int)i;
    q->produced_sum += i;
    weft_cond_signal(&q->nonempty);
    weft_mutex_unlock(&q->mu);
  }
  weft_mutex_lock(&q->mu);
  if (--q->producers_left == 0) weft_cond_broadcast(&q->nonempty);
  weft_mutex_unlock(&q->mu);
}
static void consume(struct queue *q) {
  weft_mutex_lock(&q->mu);
  for (;;) {
    while (q->len == 0 && q->producers_left > 0) weft_cond_wait(&q->nonempty);
    if (q->len == 0) break;
    q->consumed_sum += q->items[q->head];
    q->head = (q->head + 1) % 8;
    q->len--;
    weft_cond_signal(&q->nonfull);
  }
  weft_mutex_unlock(&q->mu);
}
static void producer_goroutine(void *arg) { produce(arg); }
static void consumer_goroutine(void *arg) { consume(arg); }
static void *producer_thread(void *arg) {
  produce(arg);
  return NULL;
}
static void *consumer_thread(void *arg) {
  consume(arg);
  return NULL;
}

static void test_producer_consumer(void) {
  static struct queue q;
  q.nonempty = (weft_cond)WEFT_COND_INIT(&q.mu);
  q.nonfull = (weft_cond)WEFT_COND_INIT(&q.mu);   /* copying before first use is fine */
  q.per_producer = scaled(5000);
  enum { PG = 4, PT = 2, CG = 4, CT = 2 };
  q.producers_left = PG + PT;
  weft_waitgroup wg = {0};
  for (int i = 0; i < PG; i++) weft_waitgroup_go(&wg, producer_goroutine, &q);
  for (int i = 0; i < CG; i++) weft_waitgroup_go(&wg, consumer_goroutine, &q);
  for (int i = 0; i < PT; i++) thread_go(&wg, producer_thread, &q);
  for (int i = 0; i < CT; i++) thread_go(&wg, consumer_thread, &q);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(q.produced_sum, (long)(PG + PT) * q.per_producer * (q.per_producer + 1) / 2);
  CHECK_EQ(q.consumed_sum, q.produced_sum);
  CHECK_EQ(q.len, 0);
}

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_signal_wakes_one_in_fifo_order);
  RUN(test_broadcast_wakes_all_goroutines_and_threads);
  RUN(test_signal_without_waiters_is_not_remembered);
  RUN(test_zero_cond_signal_broadcast_are_noops);
  RUN(test_producer_consumer);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
