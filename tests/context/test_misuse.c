/*
 * test_misuse.c - misuse of contexts and groups is loud: a panic naming
 * the mistake, the stack, exit status 2. Each case runs in a child process
 * (check_child); this process never starts the runtime itself.
 *
 *   panic: weft_cancel: context 0x... is not cancelable (it is weft_background())
 *   panic: weft_cancel: context 0x... is not cancelable (made by weft_with_value)
 *   panic: cannot create context from nil parent          (Go's words)
 *   panic: nil key                                        (Go's words)
 *   panic: weft_ctx_release: context 0x... released more times than retained
 *   panic: errgroup: modify limit while 1 goroutines in the group are still active  (Go's words)
 *   panic: weft_group_free: 1 goroutines of the group are still running ...
 *   panic: weft_signal_ctx: ...
 */
#include <signal.h>

#include "ctx_testing.h"

struct misuse {
  const char *name;
  void (*body)(void);
  const char *message;
};

static void (*child_body)(void);
static int child_main(int argc, char **argv) {
  child_body();
  printf("misuse went unnoticed\n");
  return 0;
}
static void child(void *arg) {
  const struct misuse *m = arg;
  child_body = m->body;
  exit(weft_main(child_main, 0, NULL));
}

static void expect(const struct misuse *m) {
  struct child_result r = check_child(child, (void *)m);
  if (r.status != 2 || !strstr(r.output, m->message)) fprintf(stderr, "case %s:\n", m->name);
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output, m->message);
  CHECK(strstr(r.output, "misuse went unnoticed") == NULL);
  free(r.output);
}

static void cancel_background(void) { weft_cancel(weft_background()); }

static void cancel_value(void) {
  static const char key;
  weft_ctx *v = weft_with_value(weft_with_cancel(weft_background()), &key, NULL);
  weft_cancel(v);
}

static void cancel_from_nil(void) { weft_with_cancel(NULL); }
static void timeout_from_nil(void) { weft_with_timeout(NULL, WEFT_SECOND); }
static void value_nil_key(void) { weft_with_value(weft_background(), NULL, NULL); }

static void nop(void *arg) {}
static void release_twice(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_stop *keep = weft_ctx_after_func(ctx, nop, NULL);  /* keeps the memory for the check */
  weft_ctx_release(ctx);
  weft_ctx_release(ctx);
  weft_stop_call(keep);
}

static int block(weft_ctx *ctx, void *arg) {
  weft_chan_recv(weft_ctx_done(ctx), NULL);
  return 0;
}
static void limit_while_active(void) {
  weft_group *g = weft_group_new(weft_background());
  weft_group_go(g, block, NULL);
  weft_group_set_limit(g, 4);
}
static void free_while_running(void) {
  weft_group *g = weft_group_new(weft_background());
  weft_group_go(g, block, NULL);
  weft_group_free(g);
}

static void signal_none(void) { weft_signal_ctx(weft_background(), NULL, 0); }
static void signal_kill(void) {
  int sigs[] = {SIGINT, SIGKILL};
  weft_signal_ctx(weft_background(), sigs, 2);
}
static void signal_bogus(void) {
  int sigs[] = {0};
  weft_signal_ctx(weft_background(), sigs, 1);
}

static const struct misuse cases[] = {
  {"cancel background", cancel_background,
   "is not cancelable (it is weft_background())"},
  {"cancel value", cancel_value, "is not cancelable (made by weft_with_value)"},
  {"with_cancel(NULL)", cancel_from_nil, "panic: cannot create context from nil parent\n"},
  {"with_timeout(NULL)", timeout_from_nil, "panic: cannot create context from nil parent\n"},
  {"nil key", value_nil_key, "panic: nil key\n"},
  {"release twice", release_twice, "released more times than retained"},
  {"set_limit while active", limit_while_active,
   "panic: errgroup: modify limit while 1 goroutines in the group are still active\n"},
  {"free while running", free_while_running,
   "panic: weft_group_free: 1 goroutines of the group are still running"},
  {"signal_ctx without signals", signal_none, "panic: weft_signal_ctx: no signals given"},
  {"signal_ctx SIGKILL", signal_kill, "panic: weft_signal_ctx: signal 9 (Killed) cannot be caught"},
  {"signal_ctx 0", signal_bogus, "panic: weft_signal_ctx: 0 is not a signal number"},
};

static void test_misuse_is_loud(void) {
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) expect(&cases[i]);
}

/* The panic names the context and says which call was wrong. */
static void test_cancel_panic_wording(void) {
  struct misuse m = {"wording", cancel_background, "panic: weft_cancel: context 0x"};
  expect(&m);
}

int main(void) {
  RUN(test_misuse_is_loud);
  RUN(test_cancel_panic_wording);
  return check_done();
}
