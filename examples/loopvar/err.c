/*
 * err.c - two goroutines write one shared `err` variable.
 *
 * In Go:  var err error; go func() { err = a() }(); go func() { err = b() }()
 *
 * Both workers store their result in the same variable. Each store is fine
 * on its own, but nothing orders them: which error survives depends on the
 * schedule, one failure can silently overwrite the other, and the two
 * writes are a data race (reported on every run). Fix (err_fixed.c): one
 * variable per writer, or a group (weft_group_*) that keeps the first
 * error.
 *
 *   ./build/weft run -race examples/loopvar/err.c
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <weft.h>

static int err;                      /* BUG: written by both workers */
static weft_waitgroup wg;

static void fetch_users(void *arg) {
  (void)arg;
  err = ENOENT;                      /* "users: not found" */
  weft_waitgroup_done(&wg);
}

static void fetch_orders(void *arg) {
  (void)arg;
  err = ETIMEDOUT;                   /* "orders: timed out" */
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  weft_waitgroup_add(&wg, 2);
  weft_go(fetch_users, NULL);
  weft_go(fetch_orders, NULL);
  weft_waitgroup_wait(&wg);
  printf("err: %s (and the other one?)\n", strerror(err));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
