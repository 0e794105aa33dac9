/*
 * test_leak.c - the end-of-program leak report (WEFT_DEBUG=leakcheck=1):
 * the HTTP-handler leak (a handler goroutine waiting for ever on a channel
 * nobody sends on) is reported with its wait reason, how long, the object,
 * the stack and the spawning line, and the exit status becomes 2; a
 * program that already failed keeps its status; nothing is reported
 * without the option or without leaks; "held by goroutine N" for a lock.
 */
#include <stdatomic.h>
#include <weft.h>

#include "debug/debug_private.h"
#include "debug_test.h"
#include "runtime/runtime.h"

struct lines {
  int spawn_handler, wait_body, spawn_holder, spawn_locker, lock;
};
static struct lines *at;

static void child_debug(const char *debug) {
  if (debug) setenv("WEFT_DEBUG", debug, 1);
  else unsetenv("WEFT_DEBUG");
  unsetenv("WEFT_TRACEBACK");
  debug_options_init();
  alarm(60);
}

/* ---- the HTTP-handler leak --------------------------------------------- */

/* A request's handler waits for the body, which the "client" was supposed
 * to send on req->body; the client gave up and returned instead. */
struct request {
  weft_chan *body;
  weft_chan *done;
};

static void handler(void *arg) {
  struct request *req = arg;
  int body;
  AT(at->wait_body, weft_chan_recv(req->body, &body));
  weft_chan_send(req->done, &body);
}

static int serve_one(int status) {
  struct request *req = malloc(sizeof *req);
  req->body = weft_chan_make(sizeof(int), 0);
  req->done = weft_chan_make(sizeof(int), 1);
  AT(at->spawn_handler, weft_go(handler, req));
  /* The client times out without sending: the handler is left behind. */
  weft_yield();
  printf("body channel %p\n", (void *)req->body);
  return status;
}

static int serve_ok(int argc, char **argv) { return serve_one(0); }
static int serve_failing(int argc, char **argv) { return serve_one(3); }

static void leak_child(void *arg) {
  child_debug(arg);
  exit(weft_main(serve_ok, 0, NULL));
}
static void failing_child(void *arg) {
  child_debug("leakcheck=1");
  exit(weft_main(serve_failing, 0, NULL));
}

static void test_handler_leak_reported(void) {
  struct child_result r = check_child(leak_child, "leakcheck=1");
  CHECK_EQ(r.status, 2);
  void *body = NULL;
  const char *line = strstr(r.output, "body channel ");
  CHECK(line && sscanf(line, "body channel %p", &body) == 1);
  struct expect e = {0};
  expect_add(&e, "weft: goroutine leak: 1 goroutine still alive when the main function returned");
  expect_add(&e, "");
  expect_add(&e, "goroutine {num} [chan receive, {any}, on %p]:", body);
  PARKED_FRAME(&e, "handler", at->wait_body);
  CREATED_BY(&e, "serve_one", 1, at->spawn_handler);
  CHECK_BLOCK(r.output, &e);
  free(r.output);
}

static void test_failed_status_kept(void) {
  struct child_result r = check_child(failing_child, NULL);
  CHECK_EQ(r.status, 3);
  CHECK_CONTAINS(r.output, "weft: goroutine leak: 1 goroutine still alive");
  free(r.output);
}

static void test_no_report_without_option(void) {
  struct child_result r = check_child(leak_child, NULL);
  CHECK_EQ(r.status, 0);
  CHECK(strstr(r.output, "leak") == NULL);
  free(r.output);
}

/* ---- a clean program -------------------------------------------------- */

static void quick(void *arg) { weft_chan_send(arg, &(int){1}); }
static int clean_app(int argc, char **argv) {
  weft_chan *c = weft_chan_make(sizeof(int), 0);
  for (int i = 0; i < 10; i++) weft_go(quick, c);
  for (int i = 0; i < 10; i++) weft_chan_recv(c, NULL);
  return 0;
}
static void clean_child(void *arg) {
  child_debug("leakcheck=1");
  exit(weft_main(clean_app, 0, NULL));
}

static void test_no_leak_no_report(void) {
  struct child_result r = check_child(clean_child, NULL);
  CHECK_EQ(r.status, 0);
  CHECK(strstr(r.output, "leak") == NULL);
  free(r.output);
}

/* ---- who holds the lock ------------------------------------------------- */

static weft_mutex mu;
static atomic_int locked;
static void holder(void *arg) {
  weft_mutex_lock(&mu);
  atomic_store(&locked, 1);
  weft_sleep(WEFT_HOUR); /* forgets to unlock, and leaks itself */
}
static void locker(void *arg) {
  AT(at->lock, weft_mutex_lock(&mu));
  weft_mutex_unlock(&mu);
}
static int lock_app(int argc, char **argv) {
  uint64_t h = AT(at->spawn_holder, weft_go(holder, NULL));
  while (!atomic_load(&locked)) weft_sleep(WEFT_MILLISECOND);
  AT(at->spawn_locker, weft_go(locker, NULL));
  printf("holder %llu mutex %p\n", (unsigned long long)h, (void *)&mu);
  return 0;
}
static void lock_child(void *arg) {
  child_debug("leakcheck=1");
  exit(weft_main(lock_app, 0, NULL));
}

static void test_lock_holder_named(void) {
  struct child_result r = check_child(lock_child, NULL);
  CHECK_EQ(r.status, 2);
  unsigned long long h = 0;
  void *m = NULL;
  const char *line = strstr(r.output, "holder ");
  CHECK(line && sscanf(line, "holder %llu mutex %p", &h, &m) == 2);
  CHECK_CONTAINS(r.output, "weft: goroutine leak: 2 goroutines still alive");
  struct expect e = {0};
  expect_add(&e, "goroutine {num} [sync.Mutex.Lock, {any}, on %p, held by goroutine %llu]:", m, h);
  PARKED_FRAME(&e, "locker", at->lock);
  CREATED_BY(&e, "lock_app", 1, at->spawn_locker);
  CHECK_BLOCK(r.output, &e);
  free(r.output);
}

int main(void) {
  at = shared_page(sizeof *at);
  have_lines = debug_have_libdw();
  RUN(test_handler_leak_reported);
  RUN(test_failed_status_kept);
  RUN(test_no_report_without_option);
  RUN(test_no_leak_no_report);
  RUN(test_lock_holder_named);
  return check_done();
}
