/*
 * racy.c - a timer callback that re-arms its own timer through a variable.
 *
 * In Go:   t = time.AfterFunc(d, func() { t.Reset(d) })
 *
 * weft_after_func runs the callback in a goroutine of its own once d has
 * passed. The callback reads `t` to re-arm the timer, but `t` is written by
 * the main goroutine only AFTER weft_after_func has returned, and nothing
 * orders that write before the callback's read: a data race. Usually the
 * write wins by a wide margin (d is 5 ms); on a loaded machine the callback
 * can run first and find t still NULL. The race detector does not wait for
 * the unlucky run: it reports the pair every time, naming both lines.
 *
 *   ./build/weft run -race examples/timer/racy.c
 */
#include <stdio.h>
#include <weft.h>

enum { FIRES = 3 };
static const weft_duration period = 5 * WEFT_MILLISECOND;

static weft_timer *t;                /* BUG: written by main, read by tick */
static weft_chan *done;              /* tick -> main: "fired FIRES times" */

static void tick(void *arg) {
  int *fires = arg;                  /* only tick touches it, one firing at a time */
  weft_timer *self = t;              /* the racy read */
  if (++*fires < FIRES && self != NULL) {
    weft_timer_reset(self, period);  /* fire again in `period` */
    return;
  }
  weft_chan_send(done, NULL);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  static int fires;
  done = weft_chan_make(0, 1);
  t = weft_after_func(period, tick, &fires);   /* the racy write */
  weft_chan_recv(done, NULL);
  printf("fired %d times\n", fires);
  weft_timer_free(t);
  weft_chan_free(done);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
