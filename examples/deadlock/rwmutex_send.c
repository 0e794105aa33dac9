/*
 * rwmutex_send.c - a read lock held across an unbuffered send: a hidden
 * deadlock.
 *
 * Three goroutines, each innocent on its own:
 *   publisher  takes the read lock, then sends on an unbuffered channel
 *              (an unbuffered send waits for a receiver) before unlocking;
 *   writer     wants the write lock, so it waits for the publisher's read
 *              lock, and, being a waiting writer, holds back NEW readers
 *              (writer preference, as in Go, so writers cannot starve);
 *   main       wants a read lock before receiving: it queues behind the
 *              writer, so it never gets to the receive.
 * The publisher waits for main, main for the writer, the writer for the
 * publisher. Without the writer it "works", which is why such bugs survive
 * testing. weft notices that every goroutine is blocked and says so, with
 * what each one waits in.
 *
 *   ./build/weft run examples/deadlock/rwmutex_send.c
 */
#include <stdio.h>
#include <weft.h>

static weft_rwmutex rw;
static weft_chan *updates;           /* unbuffered */
static weft_chan *has_read_lock;     /* publisher -> main: "I hold it now" */

static void publisher(void *arg) {
  (void)arg;
  weft_rwmutex_rlock(&rw);
  weft_chan_send(has_read_lock, NULL);
  int v = 42;
  weft_chan_send(updates, &v);       /* BUG: blocks while holding the read lock */
  weft_rwmutex_runlock(&rw);
}

static void writer(void *arg) {
  (void)arg;
  weft_rwmutex_lock(&rw);            /* waits for the publisher's read lock */
  weft_rwmutex_unlock(&rw);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  updates = weft_chan_make(sizeof(int), 0);
  has_read_lock = weft_chan_make(0, 1);
  weft_go(publisher, NULL);
  weft_chan_recv(has_read_lock, NULL);
  weft_go(writer, NULL);
  /* Wait until the writer is queued (a read lock is refused from then on),
   * so that the demo deadlocks on every run, not only on unlucky ones. */
  while (weft_rwmutex_tryrlock(&rw)) {
    weft_rwmutex_runlock(&rw);
    weft_yield();
  }
  weft_rwmutex_rlock(&rw);           /* queues behind the writer: never returns */
  int v;
  weft_chan_recv(updates, &v);
  weft_rwmutex_runlock(&rw);
  printf("got %d\n", v);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
