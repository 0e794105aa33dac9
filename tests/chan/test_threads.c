/*
 * test_threads.c - channels work the same from goroutines and plain OS
 * threads, in any mix: ping-pong between every pair of kinds, producers
 * and consumers of both kinds sharing buffered and unbuffered channels,
 * and selects blocked in one kind woken by the other.
 */
#include "chan_testing.h"

/* ---- ping-pong ------------------------------------------------------------ */

struct pingpong {
  weft_chan *ping, *pong;
  long rounds;
};
static void ponger(void *arg) {
  struct pingpong *p = arg;
  long v;
  while (weft_chan_recv(p->ping, &v)) {
    v++;
    weft_chan_send(p->pong, &v);
  }
}
static void pinger(void *arg) {
  struct pingpong *p = arg;
  long v = 0;
  for (long i = 0; i < p->rounds; i++) {
    weft_chan_send(p->ping, &v);
    CHECK(weft_chan_recv(p->pong, &v));
  }
  CHECK_EQ(v, p->rounds);
  weft_chan_close(p->ping);
}
static void test_pingpong_all_pairs(void) {
  for (int a = 0; a < 2; a++) {
    for (int b = 0; b < 2; b++) {
      struct pingpong p = {weft_chan_make(sizeof(long), 0), weft_chan_make(sizeof(long), 0),
                           scaled(5000)};
      struct runner ra, rb;
      runner_start(&rb, b, ponger, &p);
      runner_start(&ra, a, pinger, &p);
      runner_join(&ra);
      runner_join(&rb);
      weft_chan_free(p.ping);
      weft_chan_free(p.pong);
    }
  }
}

/* ---- producers and consumers of both kinds ------------------------------------- */

#define KINDS 4   /* producers and consumers per kind */
struct work {
  weft_chan *c;
  long per_producer;
  _Atomic long sum, count;
  atomic_int producers_left;
};
static void producer(void *arg) {
  struct work *w = arg;
  for (long i = 1; i <= w->per_producer; i++) weft_chan_send(w->c, &i);
  if (atomic_fetch_sub(&w->producers_left, 1) == 1) weft_chan_close(w->c);
}
static void consumer(void *arg) {
  struct work *w = arg;
  long v, sum = 0, count = 0;
  while (weft_chan_recv(w->c, &v)) {
    sum += v;
    count++;
  }
  atomic_fetch_add(&w->sum, sum);
  atomic_fetch_add(&w->count, count);
}
static void mixed_producers_consumers(size_t cap) {
  struct work w = {weft_chan_make(sizeof(long), cap), scaled(5000), 0, 0, 2 * KINDS};
  struct runner r[4 * KINDS];
  int n = 0;
  for (int i = 0; i < KINDS; i++) {
    runner_start(&r[n++], false, consumer, &w);
    runner_start(&r[n++], true, consumer, &w);
    runner_start(&r[n++], false, producer, &w);
    runner_start(&r[n++], true, producer, &w);
  }
  for (int i = 0; i < n; i++) runner_join(&r[i]);
  long per = w.per_producer;
  CHECK_EQ(atomic_load(&w.count), 2 * KINDS * per);
  CHECK_EQ(atomic_load(&w.sum), 2 * KINDS * per * (per + 1) / 2);
  weft_chan_free(w.c);
}
static void test_mixed_unbuffered(void) { mixed_producers_consumers(0); }
static void test_mixed_buffered(void) { mixed_producers_consumers(16); }

/* ---- selects across kinds ----------------------------------------------------------- */

struct select_party {
  weft_chan *a, *b;
  long rounds;
  _Atomic long received;
};
/* Receives from a or b by select until both are closed. */
static void select_consumer(void *arg) {
  struct select_party *s = arg;
  long v;
  weft_chan *a = s->a, *b = s->b;
  while (a || b) {
    weft_case cases[] = {WEFT_RECV(a, &v), WEFT_RECV(b, &v)};
    int k = weft_select(cases, 2);
    if (!cases[k].ok) {
      if (k == 0) a = NULL;
      else b = NULL;
      continue;
    }
    atomic_fetch_add(&s->received, 1);
  }
}
/* Sends alternately on a and b with a select offering both. */
static void select_producer(void *arg) {
  struct select_party *s = arg;
  for (long i = 0; i < s->rounds; i++) {
    weft_case cases[] = {WEFT_SEND(s->a, &i), WEFT_SEND(s->b, &i)};
    weft_select(cases, 2);
  }
}
static void test_selects_across_kinds(void) {
  for (int pk = 0; pk < 2; pk++) {
    for (int ck = 0; ck < 2; ck++) {
      struct select_party s = {weft_chan_make(sizeof(long), 0), weft_chan_make(sizeof(long), 1),
                               scaled(5000), 0};
      struct runner p[2], c[2];
      runner_start(&c[0], ck, select_consumer, &s);
      runner_start(&c[1], !ck, select_consumer, &s);
      runner_start(&p[0], pk, select_producer, &s);
      runner_start(&p[1], pk, select_producer, &s);
      runner_join(&p[0]);
      runner_join(&p[1]);
      weft_chan_close(s.a);
      weft_chan_close(s.b);
      runner_join(&c[0]);
      runner_join(&c[1]);
      CHECK_EQ(atomic_load(&s.received), 2 * s.rounds);
      weft_chan_free(s.a);
      weft_chan_free(s.b);
    }
  }
}

/* The main thread itself (a foreign thread) blocks in a select that a
 * goroutine completes. */
static void late_sender(void *arg) {
  weft_chan *c = arg;
  wait_queued(c, 1, 0);
  weft_chan_send(c, &(long){5});
}
static void test_thread_select_woken_by_goroutine(void) {
  weft_chan *c = weft_chan_make(sizeof(long), 0);
  weft_chan *d = weft_chan_make(sizeof(long), 0);
  struct runner r;
  runner_start(&r, false, late_sender, c);
  long v = 0;
  weft_case cases[] = {WEFT_RECV(d, &v), WEFT_RECV(c, &v)};
  CHECK_EQ(weft_select(cases, 2), 1);
  CHECK_EQ(v, 5);
  runner_join(&r);
  weft_chan_free(c);
  weft_chan_free(d);
}

int main(void) {
  RUN(test_pingpong_all_pairs);
  RUN(test_mixed_unbuffered);
  RUN(test_mixed_buffered);
  RUN(test_selects_across_kinds);
  RUN(test_thread_select_woken_by_goroutine);
  return check_done();
}
