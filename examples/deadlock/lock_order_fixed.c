/*
 * lock_order_fixed.c - two locks, one order.
 *
 * Same transfers as lock_order.c, but transfer() always locks the account
 * that comes first in a global order (here: A before B, by address), whichever
 * direction the money goes. A goroutine holding the first lock can then only
 * wait for a goroutine that also got past the first lock, which is impossible:
 * no cycle, no deadlock. Prints "A 100, B 100" and exits 0.
 *
 *   ./build/weft run examples/deadlock/lock_order_fixed.c
 */
#include <stdio.h>
#include <weft.h>

struct account {
  const char *name;
  weft_mutex mu;
  int balance;
};

static struct account a = {"A", {0}, 100}, b = {"B", {0}, 100};
static weft_waitgroup finished;

struct transfer { struct account *from, *to; };

static void transfer(void *arg) {
  struct transfer *t = arg;
  /* FIX: the lower address first, whatever the direction */
  struct account *first = t->from < t->to ? t->from : t->to;
  struct account *second = first == t->from ? t->to : t->from;
  weft_mutex_lock(&first->mu);
  weft_mutex_lock(&second->mu);
  t->from->balance -= 10;
  t->to->balance += 10;
  weft_mutex_unlock(&second->mu);
  weft_mutex_unlock(&first->mu);
  weft_waitgroup_done(&finished);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  struct transfer ab = {&a, &b}, ba = {&b, &a};   /* A/B versus B/A */
  weft_waitgroup_add(&finished, 2);
  weft_go(transfer, &ab);
  weft_go(transfer, &ba);
  weft_waitgroup_wait(&finished);
  printf("A %d, B %d\n", a.balance, b.balance);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
