/*
 * test_fifo.c - blocked senders and blocked receivers are served first
 * come, first served, on unbuffered and buffered channels, whether they
 * are goroutines or OS threads.
 *
 * Each waiter is started only after the previous one is seen queued on the
 * channel, so the arrival order is known; then the test releases them one
 * value at a time and checks the order in which they were served.
 */
#include "chan_testing.h"

#define WAITERS 8

struct waiter {
  weft_chan *c;
  int index;
  int value;           /* receiver: what it got */
  bool ok;
};

static void receive_one(void *arg) {
  struct waiter *w = arg;
  w->ok = weft_chan_recv(w->c, &w->value);
}

static void send_one(void *arg) {
  struct waiter *w = arg;
  weft_chan_send(w->c, &w->index);
}

/* Thread or goroutine, alternating, so both kinds share one queue. */
static bool as_thread(int i) { return i % 3 == 1; }

static void receivers_fifo(size_t cap) {
  weft_chan *c = weft_chan_make(sizeof(int), cap);
  struct waiter w[WAITERS];
  struct runner r[WAITERS];
  for (int i = 0; i < WAITERS; i++) {
    w[i] = (struct waiter){c, i, -1, false};
    runner_start(&r[i], as_thread(i), receive_one, &w[i]);
    wait_queued(c, i + 1, 0);
  }
  for (int i = 0; i < WAITERS; i++) weft_chan_send(c, &(int){100 + i});
  for (int i = 0; i < WAITERS; i++) {
    runner_join(&r[i]);
    CHECK(w[i].ok);
    CHECK_EQ(w[i].value, 100 + i);
  }
  weft_chan_free(c);
}

static void test_receivers_fifo_unbuffered(void) { receivers_fifo(0); }
static void test_receivers_fifo_buffered(void) { receivers_fifo(4); }

static void senders_fifo(size_t cap) {
  weft_chan *c = weft_chan_make(sizeof(int), cap);
  /* Fill the buffer first, so that the senders must wait. */
  for (size_t i = 0; i < cap; i++) weft_chan_send(c, &(int){-100 + (int)i});
  struct waiter w[WAITERS];
  struct runner r[WAITERS];
  for (int i = 0; i < WAITERS; i++) {
    w[i] = (struct waiter){c, i, -1, false};
    runner_start(&r[i], as_thread(i), send_one, &w[i]);
    wait_queued(c, 0, i + 1);
  }
  /* The buffered values come first, then the senders' in arrival order. */
  for (size_t i = 0; i < cap; i++) {
    int v = 0;
    CHECK(weft_chan_recv(c, &v));
    CHECK_EQ(v, -100 + (int)i);
  }
  for (int i = 0; i < WAITERS; i++) {
    int v = -1;
    CHECK(weft_chan_recv(c, &v));
    CHECK_EQ(v, i);
  }
  for (int i = 0; i < WAITERS; i++) runner_join(&r[i]);
  CHECK_EQ(weft_chan_len(c), 0);
  weft_chan_free(c);
}

static void test_senders_fifo_unbuffered(void) { senders_fifo(0); }
static void test_senders_fifo_buffered(void) { senders_fifo(3); }

/* The queue records who waits and why: chan send / chan receive. */
static void test_wait_reasons(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  struct waiter w = {c, 5, -1, false};
  struct runner r;
  runner_start(&r, false, send_one, &w);
  wait_queued(c, 0, 1);
  struct queued q = chan_queued(c);
  CHECK_EQ(q.first_send_reason, WAIT_CHAN_SEND);
  CHECK(!q.first_send_foreign);
  CHECK(weft_chan_recv(c, NULL));
  runner_join(&r);

  runner_start(&r, true, receive_one, &w);
  wait_queued(c, 1, 0);
  q = chan_queued(c);
  CHECK_EQ(q.first_recv_reason, WAIT_CHAN_RECV);
  CHECK(q.first_recv_foreign);
  weft_chan_send(c, &(int){1});
  runner_join(&r);
  weft_chan_free(c);
}

int main(void) {
  RUN(test_receivers_fifo_unbuffered);
  RUN(test_receivers_fifo_buffered);
  RUN(test_senders_fifo_unbuffered);
  RUN(test_senders_fifo_buffered);
  RUN(test_wait_reasons);
  return check_done();
}
