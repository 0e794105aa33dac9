/*
 * rwmutex.c - weft_rwmutex, Go's sync.RWMutex.
 *
 * Words:
 *   readers          readers holding the lock (or queued behind a pending
 *                    writer); a pending or active writer subtracts
 *                    RW_MAX_READERS, so "readers < 0" means "a writer is
 *                    here: do not enter".
 *   readers_leaving  how many of the readers that were inside when the
 *                    writer announced itself have yet to leave.
 *   writer           a weft_mutex that writers take first, so only one
 *                    writer at a time is pending or active.
 *   writer_sem       the pending writer parks here until readers_leaving
 *                    reaches zero.
 *   reader_sem       readers that arrived after the writer park here.
 *
 * rlock: readers += 1; if the result is negative a writer is pending or
 * active: park on reader_sem (the writer's unlock releases it once per
 * queued reader). Uncontended: one atomic add (inlined by weft/sync.h).
 *
 * runlock: readers -= 1; negative means a writer is pending: this reader
 * is one it waits for, so decrement readers_leaving and wake the writer
 * when it reaches zero. Uncontended: one atomic subtract.
 *
 * lock: take `writer`, then readers -= RW_MAX_READERS. The value before
 * the subtraction is how many readers are inside; add that to
 * readers_leaving and park unless it is already zero (those readers may
 * have left between the two steps, driving readers_leaving negative first:
 * the sum is then exact).
 *
 * unlock: readers += RW_MAX_READERS; what remains above the bias is the
 * number of readers that queued meanwhile: release reader_sem that many
 * times, then unlock `writer`.
 *
 * Writer preference follows: once a writer has subtracted the bias, every
 * new reader queues, so readers cannot starve a writer. And so does the
 * documented deadlock of recursive read locking: a reader that holds the
 * lock and calls rlock again while a writer is pending queues behind the
 * writer, who waits for that reader. weft, like Go, does not special-case
 * it (it cannot tell a recursive reader from a new one without per-reader
 * bookkeeping that would slow every rlock).
 *
 * Misuse: runlock finding readers+1 == 0 (nobody read-locked) or
 * == -RW_MAX_READERS (only a writer) is "fatal error: sync: RUnlock of
 * unlocked RWMutex"; unlock finding readers >= RW_MAX_READERS after adding
 * the bias back (no writer had subtracted it) is "fatal error: sync: Unlock
 * of unlocked RWMutex".
 *
 * Wait reasons: readers park as "sync.RWMutex.RLock"; a writer parks as
 * "sync.RWMutex.Lock" both while waiting for `writer` and for readers; the
 * wait object is the weft_rwmutex itself in every case. The writer's
 * holder record is the one in `writer`.
 *
 * Race hooks follow Go: readers acquire what the last writer released
 * (reader_sem's clock), a runlock releases-merges into writer_sem's clock
 * which the next writer acquires.
 */
#include "sync/sync_private.h"

#define RW_MAX_READERS (1 << 30)

static const char rwmutex_type[] = "weft_rwmutex";

/* ---- read side --------------------------------------------------------- */

SYNC_API void weft_rwmutex_rlock_slow_(weft_rwmutex *rw) {
  /* A writer is pending or active; it releases us when it unlocks. */
  sema_acquire(&rw->reader_sem, false, WAIT_RWMUTEX_RLOCK, rw);
  SYNC_RACE_ACQUIRE(&rw->reader_sem);
}

SYNC_API void weft_rwmutex_rlock(weft_rwmutex *rw) {
  sync_copy_check(&rw->self, rw, rwmutex_type);
  if (unlikely(__atomic_add_fetch(&rw->readers, 1, ACQUIRE) < 0)) {
    weft_rwmutex_rlock_slow_(rw);
    return;
  }
  SYNC_RACE_ACQUIRE(&rw->reader_sem);
}

SYNC_API bool weft_rwmutex_tryrlock(weft_rwmutex *rw) {
  sync_copy_check(&rw->self, rw, rwmutex_type);
  int32_t c = __atomic_load_n(&rw->readers, RELAXED);
  do {
    if (c < 0) return false;
  } while (!__atomic_compare_exchange_n(&rw->readers, &c, c + 1, true, ACQUIRE, RELAXED));
  SYNC_RACE_ACQUIRE(&rw->reader_sem);
  return true;
}

SYNC_API void weft_rwmutex_runlock_slow_(weft_rwmutex *rw, int32_t readers) {
  if (readers + 1 == 0 || readers + 1 == -RW_MAX_READERS)
    rt_fatal("sync: RUnlock of unlocked RWMutex");
  /* A writer is pending: we are one of the readers it waits for. */
  if (__atomic_sub_fetch(&rw->readers_leaving, 1, ACQ_REL) == 0)
    sema_release(&rw->writer_sem, false);
}

SYNC_API void weft_rwmutex_runlock(weft_rwmutex *rw) {
  sync_copy_check(&rw->self, rw, rwmutex_type);
  SYNC_RACE_RELEASE_MERGE(&rw->writer_sem);
  int32_t readers = __atomic_sub_fetch(&rw->readers, 1, RELEASE);
  if (unlikely(readers < 0)) weft_rwmutex_runlock_slow_(rw, readers);
}

/* ---- write side -------------------------------------------------------- */

SYNC_API void weft_rwmutex_lock(weft_rwmutex *rw) {
  sync_copy_check(&rw->self, rw, rwmutex_type);
  mutex_lock_for(&rw->writer, WAIT_RWMUTEX_LOCK, rw);
  /* Announce ourselves; `inside` readers must still leave. */
  int32_t inside = __atomic_sub_fetch(&rw->readers, RW_MAX_READERS, ACQ_REL) + RW_MAX_READERS;
  if (inside != 0 && __atomic_add_fetch(&rw->readers_leaving, inside, ACQ_REL) != 0)
    sema_acquire(&rw->writer_sem, false, WAIT_RWMUTEX_LOCK, rw);
  SYNC_RACE_ACQUIRE(&rw->reader_sem);
  SYNC_RACE_ACQUIRE(&rw->writer_sem);
}

SYNC_API bool weft_rwmutex_trylock(weft_rwmutex *rw) {
  sync_copy_check(&rw->self, rw, rwmutex_type);
  if (!mutex_trylock_raw(&rw->writer)) return false;
  int32_t none = 0;
  if (!__atomic_compare_exchange_n(&rw->readers, &none, -RW_MAX_READERS, false, ACQUIRE,
                                   RELAXED)) {
    mutex_unlock_raw(&rw->writer);
    return false;
  }
  SYNC_RACE_ACQUIRE(&rw->reader_sem);
  SYNC_RACE_ACQUIRE(&rw->writer_sem);
  return true;
}

SYNC_API void weft_rwmutex_unlock(weft_rwmutex *rw) {
  sync_copy_check(&rw->self, rw, rwmutex_type);
  SYNC_RACE_RELEASE(&rw->reader_sem);
  /* Let readers in again; `queued` of them parked while we held it. */
  int32_t queued = __atomic_add_fetch(&rw->readers, RW_MAX_READERS, RELEASE);
  if (unlikely(queued >= RW_MAX_READERS))
    rt_fatal("sync: Unlock of unlocked RWMutex");
  for (int32_t i = 0; i < queued; i++) sema_release(&rw->reader_sem, false);
  mutex_unlock_raw(&rw->writer);
}
