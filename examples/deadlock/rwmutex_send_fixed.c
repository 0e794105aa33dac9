/*
 * rwmutex_send_fixed.c - never block on a channel while holding a lock.
 *
 * Same three goroutines as rwmutex_send.c, but the publisher reads what it
 * needs under the read lock, unlocks, and only then sends. A lock guards
 * memory for a few instructions; a channel operation can wait for another
 * goroutine for ever, and whoever wants the lock meanwhile waits with it.
 * Prints "got 42" and exits 0.
 *
 *   ./build/weft run examples/deadlock/rwmutex_send_fixed.c
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
  int v = 42;                        /* read the shared state under the lock */
  weft_rwmutex_runlock(&rw);         /* FIX: unlock first... */
  weft_chan_send(updates, &v);       /* ...then wait for a receiver */
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
  weft_rwmutex_rlock(&rw);           /* may queue behind the writer: fine now */
  int v;
  weft_chan_recv(updates, &v);
  weft_rwmutex_runlock(&rw);
  printf("got %d\n", v);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
