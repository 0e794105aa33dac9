/*
 * test_select.c - select's semantics (fairness has its own file):
 *
 *   - it performs the one ready case, send or receive, and reports .ok;
 *   - it blocks until a case becomes ready, for receives and for sends,
 *     and leaves no waiter behind on the channels it did not choose;
 *   - weft_select_default returns -1 and changes nothing when no case is
 *     ready, with any number of cases;
 *   - the same channel may appear in several cases, including a send and a
 *     receive on one unbuffered channel (which never match each other);
 *   - large selects (more cases than fit on the stack) work;
 *   - selects over the same channels listed in opposite orders do not
 *     deadlock each other (lock ordering).
 */
#include "chan_testing.h"

static void test_one_ready_case(void) {
  weft_chan *empty = weft_chan_make(sizeof(int), 1);
  weft_chan *full = weft_chan_make(sizeof(int), 1);
  weft_chan *ready = weft_chan_make(sizeof(int), 1);
  weft_chan *room = weft_chan_make(sizeof(int), 1);
  weft_chan_send(full, &(int){1});
  weft_chan_send(ready, &(int){42});
  int in = 0, out = 7;
  weft_case cases[] = {WEFT_RECV(empty, &in), WEFT_SEND(full, &out), WEFT_RECV(ready, &in)};
  CHECK_EQ(weft_select(cases, 3), 2);
  CHECK(cases[2].ok);
  CHECK_EQ(in, 42);
  weft_case sends[] = {WEFT_RECV(empty, &in), WEFT_SEND(full, &out), WEFT_SEND(room, &out)};
  CHECK_EQ(weft_select(sends, 3), 2);
  CHECK_EQ(weft_chan_len(room), 1);
  int v = 0;
  CHECK(weft_chan_recv(room, &v));
  CHECK_EQ(v, 7);
  CHECK_EQ(weft_chan_len(full), 1);
  CHECK_EQ(weft_chan_len(empty), 0);
  weft_chan_free(empty);
  weft_chan_free(full);
  weft_chan_free(ready);
  weft_chan_free(room);
}

static void test_default_changes_nothing(void) {
  weft_chan *u = weft_chan_make(sizeof(int), 0);
  weft_chan *full = weft_chan_make(sizeof(int), 2);
  weft_chan_send(full, &(int){1});
  weft_chan_send(full, &(int){2});
  int v = 5;
  weft_case cases[] = {WEFT_RECV(u, &v), WEFT_SEND(u, &v), WEFT_SEND(full, &v),
                       WEFT_RECV(NULL, &v)};
  for (int i = 0; i < 100; i++) CHECK_EQ(weft_select_default(cases, 4), -1);
  CHECK_EQ(v, 5);
  CHECK_EQ(weft_chan_len(full), 2);
  struct queued q = chan_queued(u);
  CHECK_EQ(q.recv + q.send, 0);
  q = chan_queued(full);
  CHECK_EQ(q.recv + q.send, 0);
  weft_chan_free(u);
  weft_chan_free(full);
}

/* ---- blocking ------------------------------------------------------------- */

struct blocked_select {
  weft_chan *a, *b, *c;
  int chosen;
  long got;
  bool ok;
  long send_value;
};
/* recv a, send b, recv c */
static void select_three(void *arg) {
  struct blocked_select *s = arg;
  weft_case cases[] = {WEFT_RECV(s->a, &s->got), WEFT_SEND(s->b, &s->send_value),
                       WEFT_RECV(s->c, &s->got)};
  s->chosen = weft_select(cases, 3);
  s->ok = cases[s->chosen].ok;
}

static void check_no_waiters(weft_chan *c) {
  struct queued q = chan_queued(c);
  CHECK_EQ(q.recv, 0);
  CHECK_EQ(q.send, 0);
}

static void blocked_then(int which, bool thread, size_t cap) {
  struct blocked_select s = {weft_chan_make(sizeof(long), cap), weft_chan_make(sizeof(long), cap),
                             weft_chan_make(sizeof(long), cap), -1, -1, false, 1234};
  if (cap) {
    /* b must be full for its send case to block. */
    for (size_t i = 0; i < cap; i++) weft_chan_send(s.b, &(long){-1});
  }
  struct runner r;
  runner_start(&r, thread, select_three, &s);
  wait_queued(s.a, 1, 0);
  wait_queued(s.b, 0, 1);
  wait_queued(s.c, 1, 0);
  long v = -5;
  switch (which) {
  case 0: weft_chan_send(s.a, &(long){100}); break;
  case 1:
    CHECK(weft_chan_recv(s.b, &v));
    if (cap) {
      /* Took the buffered head; the select's value moved into the ring. */
      CHECK_EQ(v, -1);
    } else {
      CHECK_EQ(v, 1234);
    }
    break;
  case 2: weft_chan_send(s.c, &(long){300}); break;
  }
  runner_join(&r);
  CHECK_EQ(s.chosen, which);
  if (which == 0) CHECK(s.ok && s.got == 100);
  if (which == 2) CHECK(s.ok && s.got == 300);
  check_no_waiters(s.a);
  check_no_waiters(s.b);
  check_no_waiters(s.c);
  if (cap && which == 1) {
    /* The ring now ends with the select's value. */
    for (size_t i = 1; i < cap; i++) CHECK(weft_chan_recv(s.b, &v) && v == -1);
    CHECK(weft_chan_recv(s.b, &v));
    CHECK_EQ(v, 1234);
  }
  weft_chan_free(s.a);
  weft_chan_free(s.b);
  weft_chan_free(s.c);
}

static void test_blocks_until_ready(void) {
  for (int which = 0; which < 3; which++)
    for (int thread = 0; thread < 2; thread++)
      for (size_t cap = 0; cap <= 2; cap += 2) blocked_then(which, thread, cap);
}

/* The select's wait reason is "select". */
static void test_select_wait_reason(void) {
  struct blocked_select s = {weft_chan_make(sizeof(long), 0), weft_chan_make(sizeof(long), 0),
                             weft_chan_make(sizeof(long), 0), -1, -1, false, 1};
  struct runner r;
  runner_start(&r, false, select_three, &s);
  wait_queued(s.c, 1, 0);
  CHECK_EQ(chan_queued(s.a).first_recv_reason, WAIT_SELECT);
  weft_chan_send(s.c, &(long){1});
  runner_join(&r);
  weft_chan_free(s.a);
  weft_chan_free(s.b);
  weft_chan_free(s.c);
}

/* ---- the same channel in several cases --------------------------------------------- */

static void test_same_channel_ready(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 4);
  int v = 0;
  int seen[3] = {0, 0, 0};
  for (int i = 0; i < 300; i++) {
    weft_chan_send(c, &i);
    weft_case cases[] = {WEFT_RECV(c, &v), WEFT_RECV(c, &v), WEFT_RECV(c, &v)};
    int k = weft_select(cases, 3);
    CHECK(k >= 0 && k < 3);
    if (k >= 0 && k < 3) seen[k]++;
    CHECK_EQ(v, i);
  }
  /* Each duplicate is chosen sometimes (P(miss) = (2/3)^300). */
  CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
  weft_chan_free(c);
}

struct same {
  weft_chan *c;
  int chosen;
  long got, send_value;
  bool ok;
};
static void select_send_recv_same(void *arg) {
  struct same *s = arg;
  weft_case cases[] = {WEFT_SEND(s->c, &s->send_value), WEFT_RECV(s->c, &s->got),
                       WEFT_RECV(s->c, &s->got)};
  s->chosen = weft_select(cases, 3);
  s->ok = cases[s->chosen].ok;
}

/* Send and receive on one unbuffered channel in one select: it does not
 * rendezvous with itself, and a partner completes either side. */
static void test_send_and_recv_same_unbuffered(void) {
  for (int side = 0; side < 2; side++) {
    for (int thread = 0; thread < 2; thread++) {
      struct same s = {weft_chan_make(sizeof(long), 0), -1, -1, 555, false};
      struct runner r;
      runner_start(&r, thread, select_send_recv_same, &s);
      wait_queued(s.c, 2, 1);
      /* It is still waiting: it did not match itself. */
      CHECK_EQ(s.chosen, -1);
      long v = 0;
      if (side == 0) {
        CHECK(weft_chan_recv(s.c, &v)); /* takes the select's send */
        CHECK_EQ(v, 555);
      } else {
        weft_chan_send(s.c, &(long){777}); /* completes one of its receives */
      }
      runner_join(&r);
      if (side == 0) {
        CHECK_EQ(s.chosen, 0);
      } else {
        CHECK(s.chosen == 1 || s.chosen == 2);
        CHECK(s.ok);
        CHECK_EQ(s.got, 777);
      }
      check_no_waiters(s.c);
      weft_chan_free(s.c);
    }
  }
}

/* Two selects, each offering send and receive on one unbuffered channel,
 * do rendezvous with each other. */
static void test_two_selects_pair_up(void) {
  for (int round = 0; round < 50; round++) {
    weft_chan *c = weft_chan_make(sizeof(long), 0);
    struct same a = {c, -1, -1, 1, false}, b = {c, -1, -1, 2, false};
    struct runner ra, rb;
    runner_start(&ra, round % 2, select_send_recv_same, &a);
    runner_start(&rb, false, select_send_recv_same, &b);
    runner_join(&ra);
    runner_join(&rb);
    /* One sent, the other received its value. */
    bool a_sent = a.chosen == 0, b_sent = b.chosen == 0;
    CHECK(a_sent != b_sent);
    if (a_sent && !b_sent) CHECK(b.ok && b.got == 1);
    if (b_sent && !a_sent) CHECK(a.ok && a.got == 2);
    check_no_waiters(c);
    weft_chan_free(c);
  }
}

/* ---- many cases --------------------------------------------------------------------- */

#define MANY 40
struct many {
  weft_chan *chans[MANY];
  int chosen;
  int got;
};
static void select_many(void *arg) {
  struct many *m = arg;
  weft_case cases[MANY];
  for (int i = 0; i < MANY; i++) cases[i] = WEFT_RECV(m->chans[i], &m->got);
  m->chosen = weft_select(cases, MANY);
}
static void test_many_cases(void) {
  struct many m;
  for (int i = 0; i < MANY; i++) m.chans[i] = weft_chan_make(sizeof(int), i % 2);
  /* Ready: exactly one. */
  weft_chan_send(m.chans[37], &(int){37});
  select_many(&m);
  CHECK_EQ(m.chosen, 37);
  CHECK_EQ(m.got, 37);
  /* Blocking: woken through one of them. */
  for (int k = 0; k < MANY; k += 7) {
    m.chosen = -1;
    struct runner r;
    runner_start(&r, false, select_many, &m);
    for (int i = 0; i < MANY; i++) wait_queued(m.chans[i], 1, 0);
    weft_chan_send(m.chans[k], &k);
    runner_join(&r);
    CHECK_EQ(m.chosen, k);
    CHECK_EQ(m.got, k);
    for (int i = 0; i < MANY; i++) check_no_waiters(m.chans[i]);
  }
  for (int i = 0; i < MANY; i++) weft_chan_free(m.chans[i]);
}

/* ---- lock order ------------------------------------------------------------------------- */

struct crossing {
  weft_chan *x, *y, *stop;
  bool reverse;
  atomic_int *reached;     /* selectors that have done their rounds */
  long rounds;
};
/* Offers send on one channel and receive on the other until stop closes
 * (it keeps going after its own quota so the others can finish theirs). */
static void crossing_selector(void *arg) {
  struct crossing *c = arg;
  long v = 0, done = 0;
  for (;;) {
    weft_case cases[] = {WEFT_SEND(c->reverse ? c->y : c->x, &v),
                         WEFT_RECV(c->reverse ? c->x : c->y, &v), WEFT_RECV(c->stop, NULL)};
    int k = (done & 1) ? weft_select_default(cases, 3) : weft_select(cases, 3);
    if (k == 2) return;
    if (k < 0) {
      weft_yield();
      continue;
    }
    if (++done == c->rounds) atomic_fetch_add(c->reached, 1);
  }
}
static void test_opposite_orders_no_deadlock(void) {
  long rounds = scaled(20000);
  atomic_int reached = 0;
  weft_chan *x = weft_chan_make(sizeof(long), 1), *y = weft_chan_make(sizeof(long), 1);
  weft_chan *stop = weft_chan_make(0, 0);
  struct crossing c[4];
  struct runner r[4];
  for (int i = 0; i < 4; i++) {
    c[i] = (struct crossing){x, y, stop, i % 2 == 1, &reached, rounds};
    runner_start(&r[i], i >= 2, crossing_selector, &c[i]);
  }
  wait_count(&reached, 4);
  weft_chan_close(stop);
  for (int i = 0; i < 4; i++) runner_join(&r[i]);
  weft_chan_free(x);
  weft_chan_free(y);
  weft_chan_free(stop);
}

int main(void) {
  RUN(test_one_ready_case);
  RUN(test_default_changes_nothing);
  RUN(test_blocks_until_ready);
  RUN(test_select_wait_reason);
  RUN(test_same_channel_ready);
  RUN(test_send_and_recv_same_unbuffered);
  RUN(test_two_selects_pair_up);
  RUN(test_many_cases);
  RUN(test_opposite_orders_no_deadlock);
  return check_done();
}
