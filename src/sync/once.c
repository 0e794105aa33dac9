/*
 * once.c - weft_once, Go's sync.Once.
 *
 * `done` becomes the once's own address (release) after fn has returned.
 * The fast path, inlined by weft/sync.h, is one acquire load of it compared
 * with the address it is called on: equal means "done, and not copied",
 * so the copy check costs nothing extra (Go's fast path is the same load
 * and test). A copy of a finished once carries the original's address and
 * takes the slow path, which reports it. Until fn has returned, callers
 * serialise on the embedded mutex: the first one runs fn, the others wait
 * on the mutex (wait reason "sync.Once.Do", the wait object being the
 * weft_once) and find done set when they get it.
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

/* Defensive: every copy made after first use has been caught by the copy
 * check already (self is set before done). A done word naming another
 * once can only come from writing the private fields by hand. */
static void once_check_done(weft_once *o, uintptr_t done) {
  if (done != 0 && done != (uintptr_t)o)
    rt_fatal("sync: %s copied after first use (in use at %p, original at %p)", once_type,
             (void *)o, (void *)done);
}

SYNC_API void weft_once_do_slow_(weft_once *o, void (*fn)(void *), void *arg) {
  sync_copy_check(&o->self, o, once_type);
  uintptr_t done = __atomic_load_n(&o->done, ACQUIRE);
  if (done == (uintptr_t)o) {
    SYNC_RACE_ACQUIRE(o);
    return;
  }
  once_check_done(o, done);
  mutex_lock_for(&o->mutex, WAIT_ONCE, o);
  if (!__atomic_load_n(&o->done, RELAXED)) {
    fn(arg);
    SYNC_RACE_RELEASE(o);
    __atomic_store_n(&o->done, (uintptr_t)o, RELEASE);
  }
  mutex_unlock_raw(&o->mutex);
  SYNC_RACE_ACQUIRE(o);
}

SYNC_API void weft_once_do(weft_once *o, void (*fn)(void *), void *arg) {
  weft_once_do_slow_(o, fn, arg);
}
