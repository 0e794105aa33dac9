/*
 * chan.c - `a = 1; b = 2` published through a channel.
 *
 * The writer stores a and b, then sends on a channel; the observer receives,
 * then reads b and a. A send happens before the receive that gets its
 * value, so both stores happen before both reads: the observer always sees
 * b=2 a=1, and `weft run -race` finds nothing. "Do not communicate by
 * sharing memory; share memory by communicating."
 *
 *   ./build/weft run -race examples/memory/chan.c
 */
#include <stdio.h>
#include <weft.h>

static int a, b;
static weft_chan *published;         /* unbuffered: the send waits for the receive */
static weft_waitgroup wg;

static void writer(void *arg) {
  (void)arg;
  a = 1;
  b = 2;
  weft_chan_send(published, NULL);   /* everything above happens before... */
  weft_waitgroup_done(&wg);
}

static void observer(void *arg) {
  int *seen = arg;
  weft_chan_recv(published, NULL);   /* ...everything below */
  seen[0] = b;
  seen[1] = a;
  weft_waitgroup_done(&wg);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  int seen[2];
  published = weft_chan_make(0, 0);
  weft_waitgroup_add(&wg, 2);
  weft_go(writer, NULL);
  weft_go(observer, seen);
  weft_waitgroup_wait(&wg);
  printf("observer saw b=%d a=%d\n", seen[0], seen[1]);
  weft_chan_free(published);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
