/*
 * fresh.c - the self-re-arming timer, fixed by not re-arming at all.
 *
 * The callback needed `t` only to re-arm the timer that called it. Instead,
 * each firing schedules a fresh timer with weft_after_func: nothing has to
 * be read back from a variable that someone else writes, so there is
 * nothing to race on. What a firing needs travels in its argument, which is
 * ready before the timer that carries it is created.
 *
 * Each weft_after_func returns a timer that its caller owns and frees; the
 * firings keep them in `timers`. Careful: a firing stores the timer it made
 * AFTER weft_after_func returns, so the next firing's start does not order
 * that store before anything (the very bug this example fixes). So every
 * firing also says "fired" on a channel, and main frees the timers only
 * after receiving all FIRES messages: a send happens before the receive
 * that gets it, so each store is ordered before main's reads.
 *
 *   ./build/weft run -race examples/timer/fresh.c
 */
#include <stdio.h>
#include <weft.h>

enum { FIRES = 3 };
static const weft_duration period = 5 * WEFT_MILLISECOND;

struct ticks {
  int fires;                         /* touched by one firing at a time */
  weft_timer *timers[FIRES];         /* to free at the end */
  weft_chan *fired;                  /* one message per firing */
};

static void tick(void *arg) {
  struct ticks *k = arg;
  int n = ++k->fires;
  if (n < FIRES) k->timers[n] = weft_after_func(period, tick, k);   /* a fresh timer */
  weft_chan_send(k->fired, NULL);    /* buffered for all FIRES: never blocks */
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  struct ticks k = {.fired = weft_chan_make(0, FIRES)};
  k.timers[0] = weft_after_func(period, tick, &k);
  for (int i = 0; i < FIRES; i++) weft_chan_recv(k.fired, NULL);
  printf("fired %d times\n", k.fires);
  for (int i = 0; i < FIRES; i++) weft_timer_free(k.timers[i]);
  weft_chan_free(k.fired);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
