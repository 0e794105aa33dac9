/*
 * weft/sync.h - mutual exclusion and coordination: Go's package sync in C.
 *
 *   weft_mutex      sync.Mutex       lock, trylock, unlock
 *   weft_rwmutex    sync.RWMutex     rlock, runlock, lock, unlock, tryrlock, trylock
 *   weft_cond       sync.Cond        wait, signal, broadcast (bound to a weft_mutex)
 *   weft_waitgroup  sync.WaitGroup   add, done, wait, go
 *   weft_once       sync.Once        do
 *
 * Zero values. Every type is ready to use when zero-initialised, like Go's
 * zero values: `weft_mutex mu = {0};`, `static weft_waitgroup wg;`, a
 * calloc'd struct that embeds them. The one exception is weft_cond, which
 * must know its mutex: `weft_cond c = WEFT_COND_INIT(&mu);` is a constant
 * initialiser, valid at file scope. No init or destroy calls exist: an
 * unlocked, unwaited primitive holds no resources and may simply go out of
 * scope or be freed.
 *
 * The structs are complete types so that programs can embed them and
 * zero-initialise them, but their fields are PRIVATE: read or write them
 * and the behaviour is undefined. Their layout may change between releases.
 *
 * Blocking. The blocking calls (mutex/rwmutex lock, cond wait, waitgroup
 * wait, once do while another caller runs fn) park the calling goroutine;
 * called from a plain OS thread (a "foreign thread": main before weft_main,
 * a pthread, a test framework's thread) they block that thread. Goroutines
 * and threads may share one primitive in any mix. Every park records a wait
 * reason that names the primitive, as Go's goroutine dumps do:
 * "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
 * "sync.Cond.Wait", "sync.WaitGroup.Wait", "sync.Once.Do".
 *
 * Memory model (as Go's): the n-th unlock of a mutex happens before the
 * (n+1)-th lock returns; an rwmutex unlock happens before later rlocks and
 * locks return, and an runlock before the next lock returns; a waitgroup's
 * done happens before the wait it releases returns; the return of fn in
 * weft_once_do happens before any weft_once_do on that once returns. A cond
 * makes no happens-before edge beyond its mutex's.
 *
 * Misuse is loud, with Go's words; each prints the message and the stack of
 * the goroutine at fault and exits with status 2:
 *   fatal error: sync: unlock of unlocked mutex
 *   fatal error: sync: RUnlock of unlocked RWMutex
 *   fatal error: sync: Unlock of unlocked RWMutex
 *   panic: sync: negative WaitGroup counter
 *   panic: sync: WaitGroup is reused before previous Wait has returned
 *   panic: sync: WaitGroup misuse: Add called concurrently with Wait
 * weft_cond_wait on a cond whose mutex is not locked prints Go's own words
 * for that mistake ("fatal error: sync: unlock of unlocked mutex": in Go the
 * Unlock inside Wait is what fails).
 *
 * Copying. Like Go's sync types, a primitive must not be copied after first
 * use (go vet's copylocks check). weft checks it at run time: each primitive
 * remembers its own address when first used, and a use at another address
 * is a fatal error naming the type and both addresses:
 *   fatal error: sync: weft_mutex copied after first use
 *   (in use at 0x7ffd5c2a1e40, original at 0x55d0c6a2b2a0)
 * Copying a primitive that was never used (still all zero) is fine; so is
 * copying a weft_cond built by WEFT_COND_INIT before its first use.
 * The check runs when the copy is next used (lock, trylock, rlock, wait,
 * add, do, ...).
 */
#ifndef WEFT_SYNC_H
#define WEFT_SYNC_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Private: a semaphore with a FIFO queue of parked callers, shared by all
 * the primitives (src/sync/sema.c). Plain integer fields, accessed by the
 * library with atomic builtins, keep this header valid C and C++.
 */
typedef struct weft_sync_sema {
  uint32_t lock;           /* private: internal lock of the queue */
  uint32_t count;          /* private: units available */
  void *head, *tail;       /* private: parked callers, FIFO */
} weft_sync_sema;

/* ------------------------------------------------------------------ mutex */

/*
 * A mutual exclusion lock (sync.Mutex). Zero value: unlocked.
 *
 * Not recursive: locking a mutex the caller already holds blocks forever
 * (the deadlock detector reports it). A mutex is not tied to a goroutine or
 * thread: one may lock it and another unlock it.
 *
 * Fairness (Go's design): normally a goroutine that arrives while the lock
 * is free takes it, even if others are queued, because it is already on a
 * CPU; woken waiters compete with such arrivals. A waiter that has waited
 * more than 1 ms switches the mutex to starvation mode: from then on each
 * unlock hands the mutex directly to the waiter at the head of the queue
 * and arrivals queue at the tail, so no waiter can starve. The mutex
 * leaves starvation mode when the last waiter is served or a waiter got
 * the lock within 1 ms.
 */
typedef struct weft_mutex {
  uint32_t state;          /* private: locked, woken, starving bits; waiter count */
  weft_sync_sema sema;     /* private: parked waiters */
  uintptr_t self;          /* private: own address at first use (copy check) */
  uintptr_t holder;        /* private: who locked it, for reports */
} weft_mutex;

/* Locks m, blocking until it is available. Wait reason: "sync.Mutex.Lock".
 * Uncontended: one atomic compare-and-swap. */
void weft_mutex_lock(weft_mutex *m);

/* Locks m if it is free right now and returns true; otherwise returns false
 * at once. As in Go, correct uses are rare: a trylock failing does not mean
 * anything about when the mutex will be free. Never blocks. */
bool weft_mutex_trylock(weft_mutex *m);

/* Unlocks m, which must be locked (by anyone); wakes or hands off to one
 * waiter if there are any. Never blocks.
 * Unlocking an unlocked mutex: "fatal error: sync: unlock of unlocked mutex". */
void weft_mutex_unlock(weft_mutex *m);

/* ---------------------------------------------------------------- rwmutex */

/*
 * A reader/writer mutual exclusion lock (sync.RWMutex). Zero value:
 * unlocked. Any number of readers or one writer hold it at a time.
 *
 * Writer preference, as in Go: once a writer is waiting in weft_rwmutex_lock,
 * new weft_rwmutex_rlock calls block until that writer has had its turn, so
 * a stream of readers cannot starve writers. A consequence, exactly as in
 * Go: RECURSIVE READ LOCKING DEADLOCKS when a writer arrives in between. If
 * goroutine A holds a read lock, writer W calls lock (and waits for A), and
 * A then calls rlock again, A waits for W and W waits for A: neither ever
 * proceeds. Never take a read lock you already hold.
 *
 * Like a mutex, it is not tied to a goroutine: one may rlock and another
 * runlock, one may lock and another unlock.
 */
typedef struct weft_rwmutex {
  weft_mutex writer;       /* private: held by the writer (or the one waiting for readers) */
  weft_sync_sema writer_sem; /* private: the writer waits here for readers to leave */
  weft_sync_sema reader_sem; /* private: readers wait here for the writer */
  int32_t readers;         /* private: active readers; minus a large bias while a writer is pending */
  int32_t readers_leaving; /* private: readers a pending writer still waits for */
  uintptr_t self;          /* private: own address at first use (copy check) */
} weft_rwmutex;

/* Locks rw for reading. Blocks while a writer holds it or waits for it.
 * Wait reason: "sync.RWMutex.RLock". */
void weft_rwmutex_rlock(weft_rwmutex *rw);

/* Locks rw for reading if that is possible right now, without blocking.
 * Returns false if a writer holds it or waits for it. */
bool weft_rwmutex_tryrlock(weft_rwmutex *rw);

/* Undoes one weft_rwmutex_rlock. Never blocks.
 * Without a read lock held: "fatal error: sync: RUnlock of unlocked RWMutex". */
void weft_rwmutex_runlock(weft_rwmutex *rw);

/* Locks rw for writing: waits for other writers, then blocks new readers
 * and waits for the readers already inside to leave.
 * Wait reason: "sync.RWMutex.Lock". */
void weft_rwmutex_lock(weft_rwmutex *rw);

/* Locks rw for writing if it is entirely free right now. Never blocks. */
bool weft_rwmutex_trylock(weft_rwmutex *rw);

/* Unlocks rw from writing and lets the readers that queued behind the
 * writer in. Never blocks.
 * Not write-locked: "fatal error: sync: Unlock of unlocked RWMutex". */
void weft_rwmutex_unlock(weft_rwmutex *rw);

/* ------------------------------------------------------------------- cond */

/*
 * A condition variable (sync.Cond) bound to one weft_mutex for its life.
 *
 *   static weft_mutex mu;
 *   static weft_cond ready = WEFT_COND_INIT(&mu);
 *
 *   weft_mutex_lock(&mu);
 *   while (!condition) weft_cond_wait(&ready);
 *   ... use the state ...
 *   weft_mutex_unlock(&mu);
 *
 * A zero weft_cond has no mutex: signal and broadcast work (they wake
 * nobody), wait is a panic. There are no spurious wakeups, but as in Go a
 * woken waiter must re-check its condition: another goroutine may have
 * taken the mutex first and changed the state.
 */
typedef struct weft_cond {
  weft_mutex *mutex;       /* the mutex given to WEFT_COND_INIT (read-only after init) */
  uint32_t lock;           /* private: internal lock of the waiter list */
  uint32_t wait_ticket;    /* private: next ticket handed to a waiter */
  uint32_t notify_ticket;  /* private: next ticket to be woken */
  void *head, *tail;       /* private: parked waiters, in ticket order */
  uintptr_t self;          /* private: own address at first use (copy check) */
} weft_cond;

/* A constant initialiser binding a cond to the weft_mutex at `mutex_ptr`. */
#define WEFT_COND_INIT(mutex_ptr) { (mutex_ptr), 0, 0, 0, 0, 0, 0 }

/*
 * Atomically unlocks c's mutex and parks the caller until woken by signal or
 * broadcast; relocks the mutex before returning. The caller must hold the
 * mutex. Wait reason: "sync.Cond.Wait".
 * Mutex not locked: "fatal error: sync: unlock of unlocked mutex" (Go's
 * words: Cond.Wait's Unlock is what fails there). No mutex (zero cond):
 * a panic saying so.
 */
void weft_cond_wait(weft_cond *c);

/* Wakes the longest-waiting waiter, if any. Holding the mutex is allowed
 * but not required. Never blocks. */
void weft_cond_signal(weft_cond *c);

/* Wakes every waiter. Holding the mutex is allowed but not required. Never
 * blocks. */
void weft_cond_broadcast(weft_cond *c);

/* -------------------------------------------------------------- waitgroup */

/*
 * A counter of outstanding tasks (sync.WaitGroup). Zero value: count 0.
 *
 *   weft_waitgroup wg = {0};
 *   for (int i = 0; i < n; i++) weft_waitgroup_go(&wg, work, &items[i]);
 *   weft_waitgroup_wait(&wg);
 *
 * Rules, as in Go: calls to add with a positive delta that start when the
 * counter is zero must happen before wait; a waitgroup may be reused for a
 * new round only after every wait of the previous round has returned.
 */
typedef struct weft_waitgroup {
  uint64_t state;          /* private: counter (high 32 bits), waiters (low 32) */
  weft_sync_sema sema;     /* private: parked waiters */
  uintptr_t self;          /* private: own address at first use (copy check) */
} weft_waitgroup;

/*
 * Adds delta (may be negative) to the counter. When it reaches zero, every
 * waiter is released. Never blocks.
 * Counter below zero: "panic: sync: negative WaitGroup counter".
 * Detected races with wait: "panic: sync: WaitGroup misuse: Add called
 * concurrently with Wait".
 */
void weft_waitgroup_add(weft_waitgroup *wg, int delta);

/* weft_waitgroup_add(wg, -1). */
void weft_waitgroup_done(weft_waitgroup *wg);

/*
 * Blocks until the counter is zero; returns at once if it is.
 * Wait reason: "sync.WaitGroup.Wait". Returning to find the waitgroup
 * already reused for a new round: "panic: sync: WaitGroup is reused before
 * previous Wait has returned".
 */
void weft_waitgroup_wait(weft_waitgroup *wg);

/*
 * Go 1.25's WaitGroup.Go: add(1), then run fn(arg) in a new goroutine
 * (weft_go) that calls done when fn returns. arg is passed as is (see
 * weft_go_copy for the loop-variable caveat). A fn that ends its goroutine
 * with weft_exit never calls done, and wait then waits forever.
 */
void weft_waitgroup_go(weft_waitgroup *wg, void (*fn)(void *arg), void *arg);

/* ------------------------------------------------------------------- once */

/*
 * Runs a function exactly once (sync.Once). Zero value: not yet run.
 */
typedef struct weft_once {
  uintptr_t done;          /* private: the once's own address once fn has returned */
  weft_mutex mutex;        /* private: serialises the first callers */
  uintptr_t self;          /* private: own address at first use (copy check) */
} weft_once;

/*
 * Calls fn(arg) if and only if this is the first weft_once_do on o; every
 * other call (with any fn) waits until that first fn has returned, then
 * returns without calling anything. Wait reason while waiting:
 * "sync.Once.Do". fn calling weft_once_do on the same o deadlocks, as in
 * Go. If fn ends its goroutine with weft_exit, o stays "running" forever.
 * After the first fn returned, the call is one load and compare (inlined),
 * which also serves as the copy check.
 */
void weft_once_do(weft_once *o, void (*fn)(void *arg), void *arg);

/* ------------------------------------------------------ inline fast paths */

/*
 * Private. The uncontended paths of weft_mutex_lock/unlock, weft_rwmutex_
 * rlock/runlock and weft_once_do are inlined into the caller, as Go inlines
 * them: they are one or two atomic instructions, and an out-of-line call
 * made lock+unlock ~10% slower than Go's. Each does the copy check (one
 * load and compare), the atomic, and calls into the library when either
 * says "not simple". The library also exports every function normally, so
 * taking their addresses, -O0 builds, and other languages all work.
 *
 * The inline versions are left out (plain calls are made instead) inside
 * the library itself, in code compiled with ThreadSanitizer (the race
 * flavour needs the library's own versions, which tell the race detector
 * about happens-before edges), for compilers without GNU C extensions, and
 * when WEFT_SYNC_NO_INLINE is defined.
 */

/* Private: slow paths and helpers the inline fast paths call. Not API. */
void weft_sync_copied_(uintptr_t *self, const void *addr, const char *type);
void weft_mutex_lock_slow_(weft_mutex *m);
void weft_mutex_unlock_slow_(weft_mutex *m);
void weft_rwmutex_rlock_slow_(weft_rwmutex *rw);
void weft_rwmutex_runlock_slow_(weft_rwmutex *rw, int32_t readers);
void weft_once_do_slow_(weft_once *o, void (*fn)(void *arg), void *arg);

/* Private: the caller's stack pointer (the holder record, see
 * src/sync/sync_private.h). */
#if defined(__x86_64__)
#define WEFT_SYNC_SP_(sp) __asm__("mov %%rsp, %0" : "=r"(sp))
#elif defined(__aarch64__)
#define WEFT_SYNC_SP_(sp) __asm__("mov %0, sp" : "=r"(sp))
#else
#define WEFT_SYNC_SP_(sp) ((sp) = (uintptr_t)__builtin_frame_address(0))
#endif

#if defined(__SANITIZE_THREAD__)
#define WEFT_SYNC_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WEFT_SYNC_TSAN_ 1
#endif
#endif

#if defined(__GNUC__) && !defined(WEFT_BUILDING) && !defined(WEFT_SYNC_TSAN_) && \
    !defined(WEFT_SYNC_NO_INLINE)
/* gnu_inline + extern: a definition for inlining only; a call that is not
 * inlined goes to the library's function of the same name. */
#define WEFT_SYNC_INLINE_ extern __inline__ __attribute__((__gnu_inline__))

WEFT_SYNC_INLINE_ void weft_mutex_lock(weft_mutex *m) {
  uint32_t unlocked = 0;
  if (__builtin_expect(__atomic_load_n(&m->self, __ATOMIC_RELAXED) != (uintptr_t)m, 0))
    weft_sync_copied_(&m->self, m, "weft_mutex");
  if (__builtin_expect(!__atomic_compare_exchange_n(&m->state, &unlocked, 1, 0,
                                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED), 0)) {
    weft_mutex_lock_slow_(m);
    return;
  }
  uintptr_t sp;
  WEFT_SYNC_SP_(sp);
  __atomic_store_n(&m->holder, sp, __ATOMIC_RELAXED);
}

WEFT_SYNC_INLINE_ void weft_mutex_unlock(weft_mutex *m) {
  uint32_t locked = 1;
  if (__builtin_expect(__atomic_load_n(&m->self, __ATOMIC_RELAXED) != (uintptr_t)m, 0))
    weft_sync_copied_(&m->self, m, "weft_mutex");
  if (__builtin_expect(!__atomic_compare_exchange_n(&m->state, &locked, 0, 0, __ATOMIC_RELEASE,
                                                    __ATOMIC_RELAXED), 0))
    weft_mutex_unlock_slow_(m);
}

WEFT_SYNC_INLINE_ void weft_rwmutex_rlock(weft_rwmutex *rw) {
  if (__builtin_expect(__atomic_load_n(&rw->self, __ATOMIC_RELAXED) != (uintptr_t)rw, 0))
    weft_sync_copied_(&rw->self, rw, "weft_rwmutex");
  if (__builtin_expect(__atomic_add_fetch(&rw->readers, 1, __ATOMIC_ACQUIRE) < 0, 0))
    weft_rwmutex_rlock_slow_(rw);
}

WEFT_SYNC_INLINE_ void weft_rwmutex_runlock(weft_rwmutex *rw) {
  if (__builtin_expect(__atomic_load_n(&rw->self, __ATOMIC_RELAXED) != (uintptr_t)rw, 0))
    weft_sync_copied_(&rw->self, rw, "weft_rwmutex");
  int32_t readers = __atomic_sub_fetch(&rw->readers, 1, __ATOMIC_RELEASE);
  if (__builtin_expect(readers < 0, 0)) weft_rwmutex_runlock_slow_(rw, readers);
}

WEFT_SYNC_INLINE_ void weft_once_do(weft_once *o, void (*fn)(void *arg), void *arg) {
  if (__builtin_expect(__atomic_load_n(&o->done, __ATOMIC_ACQUIRE) != (uintptr_t)o, 0))
    weft_once_do_slow_(o, fn, arg);
}

#undef WEFT_SYNC_INLINE_
#endif

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
