/*
 * mutex.c - the self-re-arming timer, fixed with a mutex.
 *
 * The main goroutine writes `t` while holding mu, and the callback reads it
 * while holding mu: whichever comes second sees the other's work (an unlock
 * happens before the next lock). If the timer fires before main has stored
 * `t`, the callback simply waits for the lock, and then finds `t` set.
 *
 *   ./build/weft run -race examples/timer/mutex.c
 */
#include <stdio.h>
#include <weft.h>

enum { FIRES = 3 };
static const weft_duration period = 5 * WEFT_MILLISECOND;

static weft_mutex mu;
static weft_timer *t;                /* guarded by mu */
static int fires;                    /* guarded by mu */
static weft_chan *done;

static void tick(void *arg) {
  (void)arg;
  weft_mutex_lock(&mu);
  if (++fires < FIRES)
    weft_timer_reset(t, period);
  else
    weft_chan_send(done, NULL);      /* buffered: never blocks under the lock */
  weft_mutex_unlock(&mu);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  done = weft_chan_make(0, 1);
  weft_mutex_lock(&mu);
  t = weft_after_func(period, tick, NULL);
  weft_mutex_unlock(&mu);
  weft_chan_recv(done, NULL);
  weft_mutex_lock(&mu);
  printf("fired %d times\n", fires);
  weft_timer_free(t);
  weft_mutex_unlock(&mu);
  weft_chan_free(done);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
