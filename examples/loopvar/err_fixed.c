/*
 * err_fixed.c - one error variable per writer.
 *
 * Each worker writes only its own slot; main reads both after the
 * WaitGroup, which orders every worker's writes before its return. No
 * error is lost, and `weft run -race` finds nothing. (When only the first
 * error matters and the others should stop early, use a group:
 * examples/services/tied.c.)
 *
 *   ./build/weft run -race examples/loopvar/err_fixed.c
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <weft.h>

static int users_err, orders_err;    /* FIX: one per writer */
static weft_waitgroup wg;

static void fetch_users(void *arg) {
  (void)arg;
  users_err = ENOENT;
  weft_waitgroup_done(&wg);
}

static void fetch_orders(void *arg) {
  (void)arg;
  orders_err = ETIMEDOUT;
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  weft_waitgroup_add(&wg, 2);
  weft_go(fetch_users, NULL);
  weft_go(fetch_orders, NULL);
  weft_waitgroup_wait(&wg);
  printf("users: %s\norders: %s\n", strerror(users_err), strerror(orders_err));
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
