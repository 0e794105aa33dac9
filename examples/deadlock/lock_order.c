/*
 * lock_order.c - two goroutines take two locks in opposite orders.
 *
 * transfer(a, b) locks a then b; transfer(b, a) locks b then a. If each
 * gets its first lock before the other gets its second, each waits forever
 * for the lock the other holds. Here a WaitGroup used as a barrier makes
 * sure both hold their first lock before either tries its second, so the
 * deadlock happens on every run instead of once a month in production.
 * The cure is one global order: every goroutine locks A before B
 * (lock_order_fixed.c).
 *
 *   ./build/weft run examples/deadlock/lock_order.c
 */
#include <stdio.h>
#include <weft.h>

struct account {
  const char *name;
  weft_mutex mu;
  int balance;
};

static struct account a = {"A", {0}, 100}, b = {"B", {0}, 100};
static weft_waitgroup both_hold_first, finished;

struct transfer { struct account *from, *to; };

static void transfer(void *arg) {
  struct transfer *t = arg;
  weft_mutex_lock(&t->from->mu);
  weft_waitgroup_done(&both_hold_first);
  weft_waitgroup_wait(&both_hold_first);   /* the unlucky timing, every time */
  weft_mutex_lock(&t->to->mu);             /* BUG: the other goroutine holds it */
  t->from->balance -= 10;
  t->to->balance += 10;
  weft_mutex_unlock(&t->to->mu);
  weft_mutex_unlock(&t->from->mu);
  weft_waitgroup_done(&finished);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  struct transfer ab = {&a, &b}, ba = {&b, &a};   /* A/B versus B/A */
  weft_waitgroup_add(&both_hold_first, 2);
  weft_waitgroup_add(&finished, 2);
  weft_go(transfer, &ab);
  weft_go(transfer, &ba);
  weft_waitgroup_wait(&finished);
  printf("A %d, B %d\n", a.balance, b.balance);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
