/*
 * test_once.c - weft_once behaviour users rely on:
 *   - fn runs exactly once however many goroutines and threads race;
 *   - no caller returns before fn has finished, and every caller sees what
 *     fn wrote;
 *   - callers waiting for a running fn record "sync.Once.Do" with the once;
 *   - later calls with another fn do nothing;
 *   - the out-of-line function behaves like the inline fast path.
 */
#include <stdatomic.h>

#include "sync_testing.h"

static weft_once once;
static atomic_int calls;
static long table[64];           /* written by init, read by everyone after do */
static atomic_bool release_init;

static void init_table(void *arg) {
  atomic_fetch_add(&calls, 1);
  while (!atomic_load(&release_init)) nap();   /* slow: others must wait for us */
  for (int i = 0; i < 64; i++) table[i] = i * 3;
}

static atomic_int bad_reads;
static void user(void *arg) {
  weft_once_do(&once, init_table, NULL);
  for (int i = 0; i < 64; i++)
    if (table[i] != i * 3) atomic_fetch_add(&bad_reads, 1);
}
static void *user_thread(void *arg) {
  user(arg);
  return NULL;
}

static void first_caller(void *arg) { weft_once_do(&once, init_table, NULL); }

static void test_runs_once_others_wait(void) {
  weft_waitgroup wg = {0};
  weft_waitgroup_go(&wg, first_caller, NULL);
  while (atomic_load(&calls) == 0) nap();      /* init is running */
  enum { G = 20, T = 3 };
  for (int i = 0; i < G; i++) weft_waitgroup_go(&wg, user, NULL);
  for (int i = 0; i < T; i++) thread_go(&wg, user_thread, NULL);
  struct parked p = wait_parked(&once.mutex.sema, 1);
  CHECK(p.found);
  CHECK_EQ(p.reason, WAIT_ONCE);
  CHECK(p.obj == &once);
  CHECK(strcmp(wait_reason_name(p.reason), "sync.Once.Do") == 0);
  atomic_store(&release_init, true);
  weft_waitgroup_wait(&wg);
  CHECK_EQ(atomic_load(&calls), 1);
  CHECK_EQ(atomic_load(&bad_reads), 0);
}

static int other_calls;
static void other_fn(void *arg) { other_calls++; }
static void test_later_calls_do_nothing(void) {
  weft_once_do(&once, other_fn, NULL);
  void (*do_fn)(weft_once *, void (*)(void *), void *) = weft_once_do;
  do_fn(&once, other_fn, NULL);
  CHECK_EQ(other_calls, 0);
  CHECK_EQ(atomic_load(&calls), 1);
}

static void set_flag(void *arg) { *(int *)arg += 1; }
static void test_out_of_line_first_use(void) {
  weft_once o = {0};
  int flag = 0;
  void (*do_fn)(weft_once *, void (*)(void *), void *) = weft_once_do;
  do_fn(&o, set_flag, &flag);
  do_fn(&o, set_flag, &flag);
  weft_once_do(&o, set_flag, &flag);
  CHECK_EQ(flag, 1);
}

static int app(int argc, char **argv) {
  threads_keepalive_start();
  RUN(test_runs_once_others_wait);
  RUN(test_later_calls_do_nothing);
  RUN(test_out_of_line_first_use);
  threads_keepalive_stop();
  return check_done();
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
