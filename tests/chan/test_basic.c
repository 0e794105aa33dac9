/*
 * test_basic.c - channels carry values: unbuffered rendezvous, buffered
 * ring order, len/cap, element sizes from 0 (signal-only) to large
 * structs, NULL elem pointers (send zero / discard), and the one-case
 * non-blocking forms.
 */
#include "chan_testing.h"

/* ---- unbuffered ---------------------------------------------------------- */

struct sum_job {
  weft_chan *c;
  long n;
  long sum;
  long count;
};
static void summer(void *arg) {
  struct sum_job *j = arg;
  long v;
  for (long i = 0; i < j->n; i++) {
    CHECK(weft_chan_recv(j->c, &v));
    j->sum += v;
    j->count++;
  }
}
static void test_unbuffered_rendezvous(void) {
  for (int thread = 0; thread < 2; thread++) {
    struct sum_job j = {weft_chan_make(sizeof(long), 0), 1000, 0, 0};
    struct runner r;
    runner_start(&r, thread, summer, &j);
    for (long i = 1; i <= j.n; i++) weft_chan_send(j.c, &i);
    runner_join(&r);
    CHECK_EQ(j.count, 1000);
    CHECK_EQ(j.sum, 1000 * 1001 / 2);
    CHECK_EQ(weft_chan_len(j.c), 0);
    CHECK_EQ(weft_chan_cap(j.c), 0);
    weft_chan_free(j.c);
  }
}

/* An unbuffered send does not complete until a receiver took the value. */
static atomic_int sent_flag;
static void send_one(void *arg) {
  int v = 42;
  weft_chan_send(arg, &v);
  atomic_store(&sent_flag, 1);
}
static void test_unbuffered_send_waits_for_receiver(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  atomic_store(&sent_flag, 0);
  struct runner r;
  runner_start(&r, false, send_one, c);
  wait_queued(c, 0, 1);
  CHECK_EQ(atomic_load(&sent_flag), 0);
  int v = 0;
  CHECK(weft_chan_recv(c, &v));
  CHECK_EQ(v, 42);
  runner_join(&r);
  CHECK_EQ(atomic_load(&sent_flag), 1);
  weft_chan_free(c);
}

/* ---- buffered ------------------------------------------------------------- */

static void test_buffered_ring_order(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 3);
  CHECK_EQ(weft_chan_cap(c), 3);
  /* Go round the ring several times, at varying fill levels. */
  int next_send = 0, next_recv = 0;
  for (int round = 0; round < 20; round++) {
    int fill = 1 + round % 3;
    for (int i = 0; i < fill; i++) weft_chan_send(c, &(int){next_send++});
    CHECK_EQ(weft_chan_len(c), fill);
    for (int i = 0; i < fill; i++) {
      int v = -1;
      CHECK(weft_chan_recv(c, &v));
      CHECK_EQ(v, next_recv++);
    }
    CHECK_EQ(weft_chan_len(c), 0);
  }
  weft_chan_free(c);
}

/* ---- element sizes ---------------------------------------------------------- */

/* elem_size 0: elem pointers may be NULL. */
static void signal_sender(void *arg) {
  for (int i = 0; i < 100; i++) weft_chan_send(arg, NULL);
}
static void test_zero_size_elements(void) {
  weft_chan *u = weft_chan_make(0, 0);
  struct runner r;
  runner_start(&r, false, signal_sender, u);
  for (int i = 0; i < 100; i++) CHECK(weft_chan_recv(u, NULL));
  runner_join(&r);
  weft_chan_free(u);

  weft_chan *b = weft_chan_make(0, 5);
  for (int i = 0; i < 5; i++) weft_chan_send(b, NULL);
  CHECK_EQ(weft_chan_len(b), 5);
  CHECK_EQ(weft_select_default((weft_case[]){WEFT_SEND(b, NULL)}, 1), -1);
  for (int i = 0; i < 5; i++) CHECK(weft_chan_recv(b, NULL));
  CHECK_EQ(weft_chan_len(b), 0);
  weft_chan_close(b);
  CHECK(!weft_chan_recv(b, NULL));
  weft_chan_free(b);
}

struct big {
  unsigned char bytes[4093];   /* odd size on purpose */
};
static void fill_big(struct big *b, int seed) {
  for (size_t i = 0; i < sizeof b->bytes; i++) b->bytes[i] = (unsigned char)(seed * 31 + i * 7);
}
static bool big_ok(const struct big *b, int seed) {
  for (size_t i = 0; i < sizeof b->bytes; i++)
    if (b->bytes[i] != (unsigned char)(seed * 31 + i * 7)) return false;
  return true;
}
static void big_sender(void *arg) {
  struct big b;
  for (int i = 0; i < 50; i++) {
    fill_big(&b, i);
    weft_chan_send(arg, &b);
  }
}
static void test_large_elements(void) {
  for (size_t cap = 0; cap <= 4; cap += 4) {
    weft_chan *c = weft_chan_make(sizeof(struct big), cap);
    struct runner r;
    runner_start(&r, false, big_sender, c);
    struct big b;
    for (int i = 0; i < 50; i++) {
      memset(&b, 0, sizeof b);
      CHECK(weft_chan_recv(c, &b));
      CHECK(big_ok(&b, i));
    }
    runner_join(&r);
    weft_chan_free(c);
  }
}

/* Odd small sizes go through the generic copy. */
static void test_odd_sizes(void) {
  for (size_t size = 1; size <= 24; size++) {
    weft_chan *c = weft_chan_make(size, 2);
    unsigned char in[24], out[24];
    for (int k = 0; k < 5; k++) {
      for (size_t i = 0; i < size; i++) in[i] = (unsigned char)(k + i + size);
      weft_chan_send(c, in);
      memset(out, 0xee, sizeof out);
      CHECK(weft_chan_recv(c, out));
      CHECK(memcmp(in, out, size) == 0);
      CHECK_EQ(out[size < 24 ? size : 23], size < 24 ? 0xee : in[23]); /* no overrun */
    }
    weft_chan_free(c);
  }
}

/* ---- NULL elem pointers --------------------------------------------------------- */

static void test_null_elem(void) {
  weft_chan *c = weft_chan_make(sizeof(long), 4);
  weft_chan_send(c, NULL);          /* sends a zero */
  weft_chan_send(c, &(long){7});
  weft_chan_send(c, &(long){8});
  long v = -1;
  CHECK(weft_chan_recv(c, &v));
  CHECK_EQ(v, 0);
  CHECK(weft_chan_recv(c, NULL));   /* discards the 7 */
  CHECK(weft_chan_recv(c, &v));
  CHECK_EQ(v, 8);
  weft_chan_free(c);
}

/* ---- NULL channel len/cap, one-case non-blocking ------------------------------------ */

static void test_len_cap_null(void) {
  CHECK_EQ(weft_chan_len(NULL), 0);
  CHECK_EQ(weft_chan_cap(NULL), 0);
  weft_chan_free(NULL);
}

static void test_nonblocking_one_case(void) {
  weft_chan *u = weft_chan_make(sizeof(int), 0);
  weft_chan *b = weft_chan_make(sizeof(int), 1);
  int v = 5;
  weft_case recv_u[] = {WEFT_RECV(u, &v)};
  weft_case send_u[] = {WEFT_SEND(u, &v)};
  weft_case recv_b[] = {WEFT_RECV(b, &v)};
  weft_case send_b[] = {WEFT_SEND(b, &v)};
  CHECK_EQ(weft_select_default(recv_u, 1), -1); /* nobody sending */
  CHECK_EQ(weft_select_default(send_u, 1), -1); /* nobody receiving */
  CHECK_EQ(weft_select_default(recv_b, 1), -1); /* empty */
  CHECK_EQ(weft_select_default(send_b, 1), 0);  /* room */
  CHECK_EQ(weft_select_default(send_b, 1), -1); /* full */
  v = 0;
  CHECK_EQ(weft_select_default(recv_b, 1), 0);
  CHECK(recv_b[0].ok);
  CHECK_EQ(v, 5);
  CHECK_EQ(weft_select_default(NULL, 0), -1);
  weft_chan_free(u);
  weft_chan_free(b);
}

/* A non-blocking send completes with a parked receiver (unbuffered). */
static void recv_into(void *arg) {
  int v = 0;
  CHECK(weft_chan_recv(arg, &v));
  CHECK_EQ(v, 99);
}
static void test_nonblocking_with_partner(void) {
  weft_chan *u = weft_chan_make(sizeof(int), 0);
  struct runner r;
  runner_start(&r, false, recv_into, u);
  wait_queued(u, 1, 0);
  int v = 99;
  CHECK_EQ(weft_select_default((weft_case[]){WEFT_SEND(u, &v)}, 1), 0);
  runner_join(&r);
  weft_chan_free(u);
}

int main(void) {
  RUN(test_unbuffered_rendezvous);
  RUN(test_unbuffered_send_waits_for_receiver);
  RUN(test_buffered_ring_order);
  RUN(test_zero_size_elements);
  RUN(test_large_elements);
  RUN(test_odd_sizes);
  RUN(test_null_elem);
  RUN(test_len_cap_null);
  RUN(test_nonblocking_one_case);
  RUN(test_nonblocking_with_partner);
  return check_done();
}
