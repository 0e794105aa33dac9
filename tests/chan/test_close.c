/*
 * test_close.c - what close does (its panics are in test_panics.c):
 *
 *   - a receive on a closed channel first drains the buffer, in order,
 *     then returns false at once with the element zeroed, every time;
 *   - close wakes every blocked receiver, goroutines and threads alike,
 *     and each returns false with a zeroed element;
 *   - close wakes a blocked select, whose receive case reports ok=false;
 *   - a non-blocking receive and a select see a closed channel as ready.
 */
#include "chan_testing.h"

static void test_recv_drains_then_false(void) {
  weft_chan *c = weft_chan_make(sizeof(long), 4);
  for (long i = 1; i <= 3; i++) weft_chan_send(c, &i);
  weft_chan_close(c);
  CHECK_EQ(weft_chan_len(c), 3);
  for (long i = 1; i <= 3; i++) {
    long v = -1;
    CHECK(weft_chan_recv(c, &v));
    CHECK_EQ(v, i);
  }
  for (int k = 0; k < 3; k++) {
    long v = -1;
    CHECK(!weft_chan_recv(c, &v));
    CHECK_EQ(v, 0);
    CHECK(!weft_chan_recv(c, NULL));
  }
  weft_chan_free(c);

  weft_chan *u = weft_chan_make(sizeof(long), 0);
  weft_chan_close(u);
  long v = -1;
  CHECK(!weft_chan_recv(u, &v));
  CHECK_EQ(v, 0);
  weft_chan_free(u);
}

/* A large element is zeroed entirely. */
static void test_recv_closed_zeroes_large(void) {
  char buf[300];
  weft_chan *c = weft_chan_make(sizeof buf, 1);
  weft_chan_close(c);
  memset(buf, 0x5a, sizeof buf);
  CHECK(!weft_chan_recv(c, buf));
  bool zero = true;
  for (size_t i = 0; i < sizeof buf; i++) zero &= buf[i] == 0;
  CHECK(zero);
  weft_chan_free(c);
}

#define RECEIVERS 7
struct receiver {
  weft_chan *c;
  long value;
  bool ok;
};
static void receive(void *arg) {
  struct receiver *r = arg;
  r->value = -1;
  r->ok = weft_chan_recv(r->c, &r->value);
}

static void close_wakes_receivers(size_t cap) {
  weft_chan *c = weft_chan_make(sizeof(long), cap);
  struct receiver rec[RECEIVERS];
  struct runner run[RECEIVERS];
  for (int i = 0; i < RECEIVERS; i++) {
    rec[i] = (struct receiver){c, 0, true};
    runner_start(&run[i], i % 2 == 1, receive, &rec[i]);
  }
  wait_queued(c, RECEIVERS, 0);
  weft_chan_close(c);
  for (int i = 0; i < RECEIVERS; i++) {
    runner_join(&run[i]);
    CHECK(!rec[i].ok);
    CHECK_EQ(rec[i].value, 0);
  }
  CHECK_EQ(chan_queued(c).recv, 0);
  weft_chan_free(c);
}
static void test_close_wakes_receivers_unbuffered(void) { close_wakes_receivers(0); }
static void test_close_wakes_receivers_buffered(void) { close_wakes_receivers(2); }

/* A select blocked on several channels is woken by the close of one. */
struct selector {
  weft_chan *a, *b;
  int chosen;
  bool ok;
  long value;
};
static void select_two(void *arg) {
  struct selector *s = arg;
  s->value = -1;
  weft_case cases[] = {WEFT_RECV(s->a, &s->value), WEFT_RECV(s->b, &s->value)};
  s->chosen = weft_select(cases, 2);
  s->ok = cases[s->chosen].ok;
}
static void test_close_wakes_select(void) {
  for (int thread = 0; thread < 2; thread++) {
    struct selector s = {weft_chan_make(sizeof(long), 0), weft_chan_make(sizeof(long), 3), -2,
                         true, 0};
    struct runner r;
    runner_start(&r, thread, select_two, &s);
    wait_queued(s.b, 1, 0);
    weft_chan_close(s.b);
    runner_join(&r);
    CHECK_EQ(s.chosen, 1);
    CHECK(!s.ok);
    CHECK_EQ(s.value, 0);
    /* The select took its other sudog off a. */
    CHECK_EQ(chan_queued(s.a).recv, 0);
    weft_chan_free(s.a);
    weft_chan_free(s.b);
  }
}

static void test_closed_is_ready(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  weft_chan *never = weft_chan_make(sizeof(int), 0);
  weft_chan_close(c);
  int v = 9;
  weft_case one[] = {WEFT_RECV(c, &v)};
  CHECK_EQ(weft_select_default(one, 1), 0);
  CHECK(!one[0].ok);
  CHECK_EQ(v, 0);
  v = 9;
  weft_case two[] = {WEFT_RECV(never, &v), WEFT_RECV(c, &v)};
  CHECK_EQ(weft_select_default(two, 2), 1);
  CHECK(!two[1].ok);
  CHECK_EQ(v, 0);
  two[1].ok = true;
  CHECK_EQ(weft_select(two, 2), 1);
  CHECK(!two[1].ok);
  weft_chan_free(c);
  weft_chan_free(never);
}

/* Values buffered before close are still delivered to a select. */
static void test_select_drains_closed_buffer(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 2);
  weft_chan_send(c, &(int){1});
  weft_chan_send(c, &(int){2});
  weft_chan_close(c);
  int v = 0;
  weft_case cases[] = {WEFT_RECV(c, &v), WEFT_RECV(NULL, &v)};
  CHECK_EQ(weft_select(cases, 2), 0);
  CHECK(cases[0].ok);
  CHECK_EQ(v, 1);
  CHECK_EQ(weft_select_default(cases, 2), 0);
  CHECK(cases[0].ok);
  CHECK_EQ(v, 2);
  CHECK_EQ(weft_select(cases, 2), 0);
  CHECK(!cases[0].ok);
  CHECK_EQ(v, 0);
  weft_chan_free(c);
}

int main(void) {
  RUN(test_recv_drains_then_false);
  RUN(test_recv_closed_zeroes_large);
  RUN(test_close_wakes_receivers_unbuffered);
  RUN(test_close_wakes_receivers_buffered);
  RUN(test_close_wakes_select);
  RUN(test_closed_is_ready);
  RUN(test_select_drains_closed_buffer);
  return check_done();
}
