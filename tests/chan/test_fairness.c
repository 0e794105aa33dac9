/*
 * test_fairness.c - among ready cases, select chooses uniformly at random.
 *
 * Each test makes every case of a select ready on every iteration and
 * counts which case was chosen over N >= 100k selects (fewer under
 * sanitizers, never below 20k). With k cases each count is binomial with
 * mean N/k and standard deviation sqrt(N (1/k)(1 - 1/k)); the test accepts
 * counts within 20% of the mean, which at N = 20k and k = 4 is more than 11
 * standard deviations (probability of a false failure < 1e-28), while a
 * biased select (always the first ready case, or the first in lock order)
 * fails by a factor of k. The same bound is checked for the kinds of
 * readiness (buffered value, room to send, closed channel) mixed in one
 * select, for duplicate channels, and for weft_select_default.
 */
#include "chan_testing.h"

static long iterations(void) {
  long n = scaled(100000);
  return n < 20000 ? 20000 : n;
}

static void check_uniform(const long *counts, int k, long n, const char *what) {
  double mean = (double)n / k;
  for (int i = 0; i < k; i++) {
    if (counts[i] < mean * 0.8 || counts[i] > mean * 1.2) {
      fprintf(stderr, "%s: case %d chosen %ld times of %ld, want %.0f +- 20%%\n", what, i,
              counts[i], n, mean);
      check_failures++;
    }
  }
}

/* Four buffered channels, each always holding a value. */
static void test_four_ready_receives(void) {
  long n = iterations();
  weft_chan *c[4];
  int v = 0;
  weft_case cases[4];
  for (int i = 0; i < 4; i++) {
    c[i] = weft_chan_make(sizeof(int), 1);
    weft_chan_send(c[i], &i);
    cases[i] = WEFT_RECV(c[i], &v);
  }
  long counts[4] = {0};
  for (long it = 0; it < n; it++) {
    int k = weft_select(cases, 4);
    counts[k]++;
    CHECK(v == k);
    weft_chan_send(c[k], &k); /* refill */
  }
  check_uniform(counts, 4, n, "four receives");
  for (int i = 0; i < 4; i++) weft_chan_free(c[i]);
}

/* A ready receive, a ready send and a closed channel, plus a NULL case. */
static void test_mixed_readiness(void) {
  long n = iterations();
  weft_chan *has_value = weft_chan_make(sizeof(int), 1);
  weft_chan *has_room = weft_chan_make(sizeof(int), 1);
  weft_chan *closed = weft_chan_make(sizeof(int), 0);
  weft_chan_close(closed);
  int v = 0, out = 3;
  weft_chan_send(has_value, &v);
  weft_case cases[] = {WEFT_RECV(has_value, &v), WEFT_RECV(NULL, &v), WEFT_SEND(has_room, &out),
                       WEFT_RECV(closed, &v)};
  long counts[4] = {0};
  for (long it = 0; it < n; it++) {
    int k = weft_select(cases, 4);
    CHECK(k != 1);
    counts[k]++;
    if (k == 0) weft_chan_send(has_value, &v);
    if (k == 2) weft_chan_recv(has_room, NULL);
  }
  long live[3] = {counts[0], counts[2], counts[3]};
  check_uniform(live, 3, n, "mixed readiness");
  weft_chan_free(has_value);
  weft_chan_free(has_room);
  weft_chan_free(closed);
}

/* One channel listed three times: each listing is equally likely. */
static void test_duplicate_channel(void) {
  long n = iterations();
  weft_chan *c = weft_chan_make(sizeof(int), 1);
  weft_chan *other = weft_chan_make(sizeof(int), 1);
  int v = 0;
  weft_chan_send(c, &v);
  weft_chan_send(other, &v);
  weft_case cases[] = {WEFT_RECV(c, &v), WEFT_RECV(other, &v), WEFT_RECV(c, &v),
                       WEFT_RECV(c, &v)};
  long counts[4] = {0};
  for (long it = 0; it < n; it++) {
    int k = weft_select(cases, 4);
    counts[k]++;
    weft_chan_send(k == 1 ? other : c, &v);
  }
  check_uniform(counts, 4, n, "duplicate channel");
  weft_chan_free(c);
  weft_chan_free(other);
}

/* The non-blocking form is just as fair. */
static void test_default_fair(void) {
  long n = iterations();
  weft_chan *c[3];
  int v = 0;
  weft_case cases[3];
  for (int i = 0; i < 3; i++) {
    c[i] = weft_chan_make(sizeof(int), 1);
    weft_chan_send(c[i], &i);
    cases[i] = WEFT_RECV(c[i], &v);
  }
  long counts[3] = {0};
  for (long it = 0; it < n; it++) {
    int k = weft_select_default(cases, 3);
    CHECK(k >= 0);
    if (k < 0) break;
    counts[k]++;
    weft_chan_send(c[k], &k);
  }
  check_uniform(counts, 3, n, "select_default");
  for (int i = 0; i < 3; i++) weft_chan_free(c[i]);
}

/* Large selects use another sort; they are fair too (one in 20 ready). */
static void test_large_select_fair(void) {
  long n = iterations();
  enum { CASES = 40, READY = 4 };
  weft_chan *c[CASES];
  weft_case cases[CASES];
  int v = 0;
  for (int i = 0; i < CASES; i++) {
    c[i] = weft_chan_make(sizeof(int), 1);
    cases[i] = WEFT_RECV(c[i], &v);
  }
  int ready[READY] = {3, 17, 28, 39};
  for (int i = 0; i < READY; i++) weft_chan_send(c[ready[i]], &v);
  long counts[READY] = {0};
  for (long it = 0; it < n; it++) {
    int k = weft_select(cases, CASES);
    int slot = -1;
    for (int i = 0; i < READY; i++)
      if (ready[i] == k) slot = i;
    CHECK(slot >= 0);
    if (slot < 0) break;
    counts[slot]++;
    weft_chan_send(c[k], &v);
  }
  check_uniform(counts, READY, n, "large select");
  for (int i = 0; i < CASES; i++) weft_chan_free(c[i]);
}

/* From a goroutine as well as from this thread (per-thread random state). */
static void run_all(void *arg) {
  test_four_ready_receives();
  test_mixed_readiness();
}
static void test_in_goroutines(void) {
  struct runner r[2];
  runner_start(&r[0], false, run_all, NULL);
  runner_start(&r[1], false, run_all, NULL);
  runner_join(&r[0]);
  runner_join(&r[1]);
}

int main(void) {
  RUN(test_four_ready_receives);
  RUN(test_mixed_readiness);
  RUN(test_duplicate_channel);
  RUN(test_default_fair);
  RUN(test_large_select_fair);
  RUN(test_in_goroutines);
  return check_done();
}
