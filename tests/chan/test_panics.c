/*
 * test_panics.c - channel misuse dies loudly with Go's words and exit
 * status 2, from goroutines and from plain threads:
 *
 *   panic: send on closed channel      (send, select send, non-blocking
 *                                       send, and blocked senders woken by
 *                                       close, including a blocked select)
 *   panic: close of closed channel
 *   panic: close of nil channel
 *   panic: makechan: size out of range
 *   fatal error: weft_chan_free: channel 0x... (elem size E, cap C) has
 *                blocked goroutines
 *   panic: non-positive interval for NewTicker / Ticker.Reset
 *   and the C-only misuses: a bad select op, closing or freeing the channel
 *   of a timer.
 *
 * Every case runs in a forked child; this program never starts the
 * runtime itself, so each child starts from a clean process.
 */
#include <stdint.h>

#define CHAN_TESTING_FORKS 1 /* this program forks: no runtime in the parent */
#include "chan_testing.h"

struct expect {
  const char *name;
  void (*child)(void *);
  const char *output;        /* must appear in the child's output */
  int status;
};

static void expect(const struct expect *e) {
  struct child_result r = check_child(e->child, NULL);
  if (r.status != e->status || !strstr(r.output, e->output)) {
    fprintf(stderr, "%s: status %d (want %d), output lacks \"%s\"; output was:\n%s\n", e->name,
            r.status, e->status, e->output, r.output);
    check_failures++;
  }
  free(r.output);
}

/* Runs fn as the main goroutine of weft_main in the child. */
static void (*scenario)(void);
static int scenario_main(int argc, char **argv) {
  scenario();
  return 0;
}
static void in_goroutine(void *arg) {
  chan_testing_start();
  exit(weft_main(scenario_main, 0, NULL));
}
static void in_thread(void *arg) {
  chan_testing_start();
  scenario();
  exit(0);
}

#define EXPECT_IN(where, fn, out, st)                                \
  do {                                                               \
    scenario = (fn);                                                 \
    struct expect e_ = {#fn " (" #where ")", where, (out), (st)};    \
    expect(&e_);                                                     \
  } while (0)
#define EXPECT_BOTH(fn, out)                   \
  do {                                         \
    EXPECT_IN(in_goroutine, fn, out, 2);       \
    EXPECT_IN(in_thread, fn, out, 2);          \
  } while (0)

/* ---- scenarios ------------------------------------------------------------------ */

static void send_on_closed(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 1);
  weft_chan_close(c);
  weft_chan_send(c, &(int){1});
}
static void select_send_on_closed(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 1);
  weft_chan *other = weft_chan_make(sizeof(int), 0);
  weft_chan_close(c);
  int v = 0;
  weft_case cases[] = {WEFT_RECV(other, &v), WEFT_SEND(c, &v)};
  weft_select(cases, 2);
}
static void select_default_send_on_closed(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  weft_chan_close(c);
  weft_select_default((weft_case[]){WEFT_SEND(c, &(int){1})}, 1);
}
static void select_default2_send_on_closed(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  weft_chan_close(c);
  int v = 0;
  weft_case cases[] = {WEFT_SEND(c, &v), WEFT_RECV(NULL, &v)};
  weft_select_default(cases, 2);
}
static void close_closed(void) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  weft_chan_close(c);
  weft_chan_close(c);
}
static void close_nil(void) { weft_chan_close(NULL); }
static void make_too_big(void) { weft_chan_make(SIZE_MAX / 4, 8); }

/* A sender (goroutine or thread) blocks, then the channel is closed. */
static weft_chan *blocked_chan;
static void blocked_sender(void *arg) {
  weft_chan_send(blocked_chan, &(int){1});
  printf("sender returned\n");
}
static void blocked_select_sender(void *arg) {
  int v = 0;
  weft_case cases[] = {WEFT_RECV(NULL, &v), WEFT_SEND(blocked_chan, &v),
                       WEFT_RECV(weft_chan_make(0, 0), NULL)};
  weft_select(cases, 3);
  printf("select returned\n");
}
static void close_under(void (*sender)(void *), bool thread) {
  blocked_chan = weft_chan_make(sizeof(int), 0);
  struct runner r;
  runner_start(&r, thread, sender, NULL);
  wait_queued(blocked_chan, 0, 1);
  weft_chan_close(blocked_chan);
  runner_join(&r);   /* never returns: the sender's panic ends the process */
}
static void close_wakes_sender_goroutine(void) { close_under(blocked_sender, false); }
static void close_wakes_sender_thread(void) { close_under(blocked_sender, true); }
static void close_wakes_select_goroutine(void) { close_under(blocked_select_sender, false); }
static void close_wakes_select_thread(void) { close_under(blocked_select_sender, true); }

/* weft_chan_free with a waiter: the message names the channel. */
static void receiver_forever(void *arg) { weft_chan_recv(blocked_chan, NULL); }
static void free_busy(bool thread) {
  blocked_chan = weft_chan_make(8, 0);
  printf("channel at %p\n", (void *)blocked_chan);
  fflush(stdout);
  struct runner r;
  runner_start(&r, thread, receiver_forever, NULL);
  wait_queued(blocked_chan, 1, 0);
  weft_chan_free(blocked_chan);
}
static void free_busy_goroutine(void) { free_busy(false); }
static void free_busy_thread(void) { free_busy(true); }

static void check_free_busy(void (*fn)(void), void (*where)(void *)) {
  scenario = fn;
  struct child_result r = check_child(where, NULL);
  CHECK_EQ(r.status, 2);
  void *addr = NULL;
  const char *at = strstr(r.output, "channel at ");
  if (at) sscanf(at, "channel at %p", &addr);
  char want[200];
  snprintf(want, sizeof want,
           "fatal error: weft_chan_free: channel %p (elem size 8, cap 0) has blocked goroutines",
           addr);
  CHECK(addr != NULL);
  CHECK_CONTAINS(r.output, want);
  free(r.output);
}

static void bad_op(void) {
  weft_chan *c = weft_chan_make(0, 1);
  weft_case cases[] = {{c, 3, NULL, false}, WEFT_RECV(c, NULL)};
  weft_select(cases, 2);
}
static void close_timer_chan(void) { weft_chan_close(weft_timer_chan(weft_timer_new(WEFT_HOUR))); }
static void free_timer_chan(void) { weft_chan_free(weft_timer_chan(weft_timer_new(WEFT_HOUR))); }
static void ticker_zero(void) { weft_ticker_new(0); }
static void ticker_reset_negative(void) {
  weft_ticker_reset(weft_ticker_new(WEFT_HOUR), -WEFT_SECOND);
}

int main(void) {
  EXPECT_BOTH(send_on_closed, "panic: send on closed channel\n");
  EXPECT_BOTH(select_send_on_closed, "panic: send on closed channel\n");
  EXPECT_BOTH(select_default_send_on_closed, "panic: send on closed channel\n");
  EXPECT_BOTH(select_default2_send_on_closed, "panic: send on closed channel\n");
  EXPECT_BOTH(close_closed, "panic: close of closed channel\n");
  EXPECT_BOTH(close_nil, "panic: close of nil channel\n");
  EXPECT_BOTH(make_too_big, "panic: makechan: size out of range\n");

  EXPECT_BOTH(close_wakes_sender_goroutine, "panic: send on closed channel\n");
  EXPECT_BOTH(close_wakes_sender_thread, "panic: send on closed channel\n");
  EXPECT_BOTH(close_wakes_select_goroutine, "panic: send on closed channel\n");
  EXPECT_BOTH(close_wakes_select_thread, "panic: send on closed channel\n");

  check_free_busy(free_busy_goroutine, in_goroutine);
  check_free_busy(free_busy_goroutine, in_thread);
  check_free_busy(free_busy_thread, in_goroutine);
  check_free_busy(free_busy_thread, in_thread);

  EXPECT_IN(in_goroutine, bad_op, "panic: weft_select: case 0 has op 3", 2);
  EXPECT_IN(in_goroutine, close_timer_chan, "panic: close of the channel of a timer or ticker", 2);
  EXPECT_IN(in_goroutine, free_timer_chan, "belongs to a timer or ticker", 2);
  EXPECT_BOTH(ticker_zero, "panic: non-positive interval for NewTicker\n");
  EXPECT_BOTH(ticker_reset_negative, "panic: non-positive interval for Ticker.Reset\n");

  fprintf(stderr, "%s test_panics\n", check_failures ? "FAIL" : "ok  ");
  return check_done();
}
