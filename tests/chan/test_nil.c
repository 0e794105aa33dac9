/*
 * test_nil.c - a NULL channel blocks forever, and select skips it.
 *
 *   - send and receive on NULL park forever with Go's wait reasons
 *     "chan send (nil chan)" / "chan receive (nil chan)", in goroutines and
 *     in OS threads;
 *   - a blocking select whose cases all have NULL channels (or no cases)
 *     parks forever with "select (no cases)";
 *   - in a select, a NULL case is never chosen, even when nothing else is
 *     ready (the default is taken), and a select with NULL cases still
 *     waits for its live ones.
 * (Closing NULL is a panic: test_panics.c.)
 */
#include <sys/syscall.h>

#include "chan_testing.h"

static atomic_int returned;   /* bumped if a "forever" call ever returns */

static void send_nil(void *arg) {
  weft_chan_send(NULL, &(int){1});
  atomic_fetch_add(&returned, 1);
}
static void recv_nil(void *arg) {
  weft_chan_recv(NULL, NULL);
  atomic_fetch_add(&returned, 1);
}
static void select_all_nil(void *arg) {
  int v;
  weft_case cases[] = {WEFT_RECV(NULL, &v), WEFT_SEND(NULL, &v)};
  weft_select(cases, 2);
  atomic_fetch_add(&returned, 1);
}
static void select_no_cases(void *arg) {
  weft_select(NULL, 0);
  atomic_fetch_add(&returned, 1);
}
static void select_one_nil(void *arg) {
  weft_select((weft_case[]){WEFT_RECV(NULL, NULL)}, 1);
  atomic_fetch_add(&returned, 1);
}

static void check_blocks_in_goroutine(void (*fn)(void *), wait_reason want) {
  uint64_t id = weft_go(fn, NULL);
  wait_reason got = parked_reason(id, false);
#if !defined(WEFT_TSAN_FIBERS)
  CHECK_EQ(got, want);
#else
  (void)got, (void)want;
#endif
}

static void test_nil_goroutines_block_forever(void) {
  atomic_store(&returned, 0);
  check_blocks_in_goroutine(send_nil, WAIT_CHAN_SEND_NIL);
  check_blocks_in_goroutine(recv_nil, WAIT_CHAN_RECV_NIL);
  check_blocks_in_goroutine(select_all_nil, WAIT_SELECT_NO_CASES);
  check_blocks_in_goroutine(select_no_cases, WAIT_SELECT_NO_CASES);
  check_blocks_in_goroutine(select_one_nil, WAIT_SELECT_NO_CASES);
  weft_sleep(10 * WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&returned), 0);
}

/* A thread blocked on a NULL channel stays blocked (its stand-in g says
 * why). The threads are left blocked; the process exit ends them. */
static _Atomic uint64_t thread_tid;
static void *thread_send_nil(void *arg) {
  atomic_store(&thread_tid, (uint64_t)syscall(SYS_gettid));
  send_nil(NULL);
  return NULL;
}
static void *thread_recv_nil(void *arg) {
  atomic_store(&thread_tid, (uint64_t)syscall(SYS_gettid));
  recv_nil(NULL);
  return NULL;
}
static void check_blocks_in_thread(void *(*fn)(void *), wait_reason want) {
  atomic_store(&thread_tid, 0);
  pthread_t th;
  pthread_create(&th, NULL, fn, NULL);
  pthread_detach(th);
  while (atomic_load(&thread_tid) == 0) nap();
  wait_reason got = parked_reason(atomic_load(&thread_tid), true);
#if !defined(WEFT_TSAN_FIBERS)
  CHECK_EQ(got, want);
#else
  (void)got, (void)want;
#endif
}
static void test_nil_threads_block_forever(void) {
  atomic_store(&returned, 0);
  check_blocks_in_thread(thread_send_nil, WAIT_CHAN_SEND_NIL);
  check_blocks_in_thread(thread_recv_nil, WAIT_CHAN_RECV_NIL);
  weft_sleep(10 * WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&returned), 0);
}

/* NULL cases are never chosen. */
static void test_select_skips_nil(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 1);
  int v = 0;
  for (int i = 0; i < 1000; i++) {
    weft_chan_send(c, &i);
    weft_case cases[] = {WEFT_RECV(NULL, &v), WEFT_SEND(NULL, &v), WEFT_RECV(c, &v),
                         WEFT_RECV(NULL, &v)};
    CHECK_EQ(weft_select(cases, 4), 2);
    CHECK(cases[2].ok);
    CHECK_EQ(v, i);
  }
  weft_case all_nil[] = {WEFT_RECV(NULL, &v), WEFT_SEND(NULL, &v)};
  CHECK_EQ(weft_select_default(all_nil, 2), -1);
  CHECK_EQ(weft_select_default(all_nil, 1), -1);
  CHECK_EQ(weft_select_default(all_nil + 1, 1), -1);
  /* A NULL case with any op (even garbage) is simply off. */
  weft_case off = {NULL, 12345, NULL, false};
  CHECK_EQ(weft_select_default(&off, 1), -1);
  weft_chan_free(c);
}

/* A select with NULL cases still waits for, and takes, its live case. */
static void late_send(void *arg) {
  weft_chan *c = arg;
  wait_queued(c, 1, 0);
  weft_chan_send(c, &(int){77});
}
static void test_select_waits_past_nil(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  struct runner r;
  runner_start(&r, false, late_send, c);
  int v = 0;
  weft_case cases[] = {WEFT_RECV(NULL, &v), WEFT_RECV(c, &v), WEFT_SEND(NULL, &v)};
  CHECK_EQ(weft_select(cases, 3), 1);
  CHECK(cases[1].ok);
  CHECK_EQ(v, 77);
  runner_join(&r);
  weft_chan_free(c);
}

int main(void) {
  RUN(test_select_skips_nil);
  RUN(test_select_waits_past_nil);
  RUN(test_nil_goroutines_block_forever);
  RUN(test_nil_threads_block_forever);
  return check_done();
}
