/*
 * sync_private.h - what the sync primitives share (private to src/sync,
 * plus the query functions at the end, which reporters in src/check and
 * src/debug may call).
 *
 * 1. The semaphore (sema.c). Every primitive parks its waiters on a
 *    weft_sync_sema embedded in it: a count and a FIFO of parked callers
 *    behind a small internal lock (rt_lock). sema_acquire takes a unit or
 *    parks until sema_release hands one over directly, so a release that
 *    comes before the acquirer has parked is never lost (it is a count).
 *    Alternatives rejected: Go's global table of semaphore roots keyed by
 *    address keeps sync.Mutex at 8 bytes, but costs a hash and a treap walk
 *    per park and a shared lock per bucket; C programs embed pthread
 *    mutexes of 40 bytes without complaint, so each primitive carries its
 *    own 24-byte queue and nothing is shared between unrelated locks.
 *
 * 2. The copy check (the runtime twin of go vet's copylocks). Each
 *    primitive has a `self` word, 0 in the zero value. The first use stores
 *    the primitive's address there (a CAS, so racing first users agree);
 *    every later use compares it with the address it is called on. A
 *    mismatch means the bytes were copied (by assignment, memcpy, realloc)
 *    after first use: a fatal error naming the type and both addresses.
 *    On the fast paths the check is one load and one predictable compare of
 *    a word on the cache line the operation touches anyway.
 *
 * 3. Race-detector hook points (SYNC_RACE_*). In libweft-race the
 *    primitives tell the detector about their happens-before edges
 *    (SPEC section 6: unlock -> next lock, done -> wait, ...), following
 *    Go's race annotations in package sync. In the normal library they are
 *    empty inline calls. Callers compiled with TSan (race builds) always
 *    use the library's out-of-line functions, which carry the hooks.
 *
 * 4. The holder record. A mutex (and an rwmutex's writer side) remembers
 *    who locked it so that leak and deadlock reports can say "held by
 *    goroutine 7". See holder_token() below for what exactly is stored.
 *
 * All shared words of the public structs are plain integers (the public
 * header must stay valid C++); they are only ever accessed here with the
 * __atomic builtins, never with plain loads or stores, so the code is
 * race-free for TSan and the compiler alike.
 */
#ifndef WEFT_SYNC_PRIVATE_H
#define WEFT_SYNC_PRIVATE_H

#include <weft.h>
#include <weft/sync.h>

#include "race/race.h"
#include "runtime/runtime.h"

#define RELAXED __ATOMIC_RELAXED
#define ACQUIRE __ATOMIC_ACQUIRE
#define RELEASE __ATOMIC_RELEASE
#define ACQ_REL __ATOMIC_ACQ_REL

/* Public entry points (and the slow paths weft/sync.h's inline code calls)
 * are exported from the shared library, which hides everything else. */
#define SYNC_API __attribute__((visibility("default")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- semaphore (sema.c) ------------------------------------------------ */

/* A parked caller; lives on the caller's own stack while it waits. */
struct sync_waiter {
  struct weft_g *g;
  struct sync_waiter *next;
  uint32_t ticket;            /* weft_cond: the notify ticket it waits for */
  uint32_t woken;             /* set (release) by the waker before rt_ready */
};

/*
 * Waking a parked waiter: set w->woken with release order, then rt_ready.
 * The woken waiter checks it with acquire order (waiter_woke), which makes
 * everything the waker did before the wake visible to it without relying
 * on how the scheduler happens to synchronise (and tells TSan so). w may be
 * gone as soon as rt_ready runs: read what you need from it first.
 */
static inline void waiter_wake(struct sync_waiter *w) {
  struct weft_g *g = w->g;
  __atomic_store_n(&w->woken, 1, RELEASE);
  rt_ready(g);
}

void waiter_check_woken(struct sync_waiter *w);

/*
 * Takes one unit from s, parking the caller (reason, obj: for reports)
 * until one is released to it. lifo puts the caller at the head of the
 * queue instead of the tail (a mutex waiter that was woken, lost the race
 * for the lock and waits again keeps its place at the front).
 */
void sema_acquire(weft_sync_sema *s, bool lifo, wait_reason reason, const void *obj);

/* Releases one unit: hands it to the first parked caller if there is one
 * (and, with handoff, yields so that it runs at once), or adds it to the
 * count. Never blocks beyond the internal lock. */
void sema_release(weft_sync_sema *s, bool handoff);

/* The internal lock of a queue (also used by weft_cond's notify list). */
static inline rt_lock *sync_lock_of(uint32_t *word) {
  _Static_assert(sizeof(rt_lock) == sizeof(uint32_t), "rt_lock is one word");
  return (rt_lock *)(void *)word;
}

/* Commit function for rt_park: releases the rt_lock passed as arg. */
bool sync_commit_unlock(struct weft_g *g, void *lock);

/* ---- spinning (sema.c) ------------------------------------------------- */

/*
 * Whether a caller that has spun `iter` rounds may spin once more waiting
 * for a lock. Spinning only pays when the holder is running on another CPU
 * right now: never on one CPU, and for a goroutine only while some other
 * worker is busy (with one worker, the holder cannot run until we park).
 */
bool sync_can_spin(int iter);

/* One round of busy-waiting (a few dozen pause instructions). */
void sync_spin(void);

/* ---- mutex internals (mutex.c) used by rwmutex and once --------------- */

/* weft_mutex_lock without the copy check, recording `reason` and `obj`
 * (the outer primitive) when it parks. */
void mutex_lock_for(weft_mutex *m, wait_reason reason, const void *obj);
void mutex_unlock_raw(weft_mutex *m);
bool mutex_trylock_raw(weft_mutex *m);

enum {
  MUTEX_LOCKED = 1u << 0,
  MUTEX_WOKEN = 1u << 1,     /* a waiter has been woken (or is spinning): no need to wake another */
  MUTEX_STARVING = 1u << 2,  /* hand-off mode */
  MUTEX_WAITER_SHIFT = 3,    /* the rest counts parked waiters */
};

/* A waiter that has waited longer than this switches the mutex to
 * starvation mode (Go's starvationThresholdNs). */
#define MUTEX_STARVATION_NS (1000 * 1000)

/* ---- the holder record ------------------------------------------------- */

/*
 * HOLDER RECORD. What a lock stores about its locker, in the `holder`
 * field, on every successful lock (the inline fast path in weft/sync.h
 * included).
 *
 * Storing the goroutine id itself would be the obvious choice, but finding
 * it costs two out-of-line calls and a TLS load on the uncontended path:
 * about +1 ns on an 11 ns lock+unlock, measurable (docs/sync.md). The
 * caller's stack pointer identifies the locker as well and is free (a
 * register move and a store to a line the lock already owns): a
 * goroutine's stack pointer lies inside its own stack, which no other live
 * goroutine shares, so a reporter maps it back to the goroutine id
 * (sync_holder_goid). A foreign thread's stack pointer matches no
 * goroutine; reports then say it is held by a thread.
 *
 * The record is not cleared by unlock (that store sits right before the
 * unlocking atomic and cost ~0.5 ns): it is meaningful only while the
 * mutex is locked, and reporters check that first. Caveat: if the locker
 * exits without unlocking and its stack is reused, the record points at
 * the stack's new owner.
 */
static inline __attribute__((always_inline)) uintptr_t holder_token(void) {
  uintptr_t sp;
  WEFT_SYNC_SP_(sp);
  return sp;
}

static inline __attribute__((always_inline)) void holder_set(weft_mutex *m) {
  __atomic_store_n(&m->holder, holder_token(), RELAXED);
}

/* ---- copy check -------------------------------------------------------- */

/* The slow path, weft_sync_copied_ (sema.c, declared in weft/sync.h
 * because the inline fast paths call it): first use records the address;
 * a copy is the fatal error "sync: <type> copied after first use (...)". */
static inline __attribute__((always_inline)) void sync_copy_check(uintptr_t *self, const void *addr,
                                                                  const char *type) {
  if (unlikely(__atomic_load_n(self, RELAXED) != (uintptr_t)addr))
    weft_sync_copied_(self, addr, type);
}

/* ---- race detector hook points ---------------------------------------- */

/*
 * Happens-before edges for libweft-race (src/race/race.h; empty inline
 * functions in the normal library). They follow Go's annotations in
 * package sync: a mutex unlock releases (stores) into the mutex's clock
 * and lock acquires it; an runlock release-merges into writer_sem's clock
 * (several readers) and a writer acquires it; a writer's unlock releases
 * into reader_sem's clock, which readers acquire; done release-merges into
 * the waitgroup's clock and wait acquires it; once releases after fn.
 */
#define SYNC_RACE_ACQUIRE(addr) race_acquire(addr)
#define SYNC_RACE_RELEASE(addr) race_release(addr)
#define SYNC_RACE_RELEASE_MERGE(addr) race_release_merge(addr)
/* Go also models a waitgroup's first add (counter 0 -> positive) as a read
 * and the first blocking wait as a write of one byte of the group, so that
 * an add racing a wait is reported as a data race (SPEC section 6). pc is
 * the user's call site. */
#define SYNC_RACE_READ(addr, pc) race_read_range_pc(addr, 1, pc)
#define SYNC_RACE_WRITE(addr, pc) race_write_range_pc(addr, 1, pc)

/* ---- queries for reporters (src/check, src/debug) ---------------------- */

/*
 * For a g parked with one of the sync wait reasons (waiter->reason,
 * waiter->wait_obj): who holds the primitive it waits for. Returns true and
 * sets *goid when the holder is a live goroutine other than the waiter;
 * false when there is no single holder (readers, a waitgroup, a cond), it
 * is unlocked, or it is held by a foreign thread (then *foreign is set).
 * Walks every g (rt_for_each_g): for reports only, never on a hot path.
 */
bool sync_holder_goid(const struct weft_g *waiter, uint64_t *goid, bool *foreign);

#endif
