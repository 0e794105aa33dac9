/*
 * once.c - weft_once, Go's sync.Once.
 *
 * `done` becomes 1 (release) after fn has returned; the fast path is one
 * acquire load of it (inlined by weft/sync.h, plus the copy check's load).
 * Until then callers serialise on the embedded mutex: the first one runs
 * fn, the others wait on the mutex (wait reason "sync.Once.Do", the wait
 * object being the weft_once) and find done set when they get it.
 *
 * Why not a CAS on done that lets the loser return at once: Do must not
 * return before fn has finished (callers rely on the initialisation being
 * complete), so losers have to wait somewhere; the mutex is that place.
 *
 * Recursion (fn calling weft_once_do on the same once) deadlocks on the
 * mutex, as in Go. If fn ends its goroutine (weft_exit) the mutex is never
 * released and done never set: C has no defer; later callers block.
 */
#include "sync/sync_private.h"

static const char once_type[] = "weft_once";

void weft_once_do_slow_(weft_once *o, void (*fn)(void *), void *arg) {
  sync_copy_check(&o->self, o, once_type);
  if (__atomic_load_n(&o->done, ACQUIRE)) {
    SYNC_RACE_ACQUIRE(o);
    return;
  }
  mutex_lock_for(&o->mutex, WAIT_ONCE, o);
  if (!__atomic_load_n(&o->done, RELAXED)) {
    fn(arg);
    SYNC_RACE_RELEASE(o);
    __atomic_store_n(&o->done, 1, RELEASE);
  }
  mutex_unlock_raw(&o->mutex);
  SYNC_RACE_ACQUIRE(o);
}

void weft_once_do(weft_once *o, void (*fn)(void *), void *arg) {
  weft_once_do_slow_(o, fn, arg);
}
