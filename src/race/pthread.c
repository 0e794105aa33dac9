/*
 * pthread.c - happens-before from POSIX threads in the race flavour.
 *
 * weft programs also have foreign threads (threads made with
 * pthread_create that call into weft). Their own synchronisation must be
 * visible to the detector, or every hand-over between them is reported.
 * libweft-race therefore defines these pthread functions, each calling
 * glibc's (found with dlsym(RTLD_NEXT)) and adding the edge Go's race
 * runtime or TSan would:
 *
 *   pthread_create      the creator's past happens before the new thread
 *   pthread_join        the thread's whole life happens before the joiner
 *   mutex lock/trylock/timedlock, rwlock rd/wr/try/timed, spin lock:
 *                       acquire the lock's clock; unlock: release (merge)
 *   pthread_cond_wait/timedwait: the mutex is released while waiting and
 *                       acquired again before returning
 *   pthread_barrier_wait: every arrival happens before every departure
 *   pthread_once        the initialiser happens before every return
 *   sem_post -> sem_wait/trywait/timedwait
 *
 * The edges go through the same sync objects as weft's primitives (keyed by
 * the pthread object's address). Nothing here changes how the functions
 * behave or what they return.
 *
 * A thread made by pthread_create is reported as "thread <tid>", with its
 * creation stack; its stack's shadow is emptied when it exits (glibc
 * reuses thread stacks).
 */
#if WEFT_RACE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <unistd.h>

#include "race/race_private.h"

#define PC() ((uintptr_t)__builtin_return_address(0))

/* ---- the real functions ----------------------------------------------------------- */

#define REAL(name) real_##name
#define DECLARE_REAL(ret, name, ...) static ret (*real_##name)(__VA_ARGS__)

DECLARE_REAL(int, pthread_create, pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
DECLARE_REAL(int, pthread_join, pthread_t, void **);
DECLARE_REAL(int, pthread_mutex_lock, pthread_mutex_t *);
DECLARE_REAL(int, pthread_mutex_trylock, pthread_mutex_t *);
DECLARE_REAL(int, pthread_mutex_timedlock, pthread_mutex_t *, const struct timespec *);
DECLARE_REAL(int, pthread_mutex_unlock, pthread_mutex_t *);
DECLARE_REAL(int, pthread_rwlock_rdlock, pthread_rwlock_t *);
DECLARE_REAL(int, pthread_rwlock_tryrdlock, pthread_rwlock_t *);
DECLARE_REAL(int, pthread_rwlock_timedrdlock, pthread_rwlock_t *, const struct timespec *);
DECLARE_REAL(int, pthread_rwlock_wrlock, pthread_rwlock_t *);
DECLARE_REAL(int, pthread_rwlock_trywrlock, pthread_rwlock_t *);
DECLARE_REAL(int, pthread_rwlock_timedwrlock, pthread_rwlock_t *, const struct timespec *);
DECLARE_REAL(int, pthread_rwlock_unlock, pthread_rwlock_t *);
DECLARE_REAL(int, pthread_spin_lock, pthread_spinlock_t *);
DECLARE_REAL(int, pthread_spin_trylock, pthread_spinlock_t *);
DECLARE_REAL(int, pthread_spin_unlock, pthread_spinlock_t *);
DECLARE_REAL(int, pthread_cond_wait, pthread_cond_t *, pthread_mutex_t *);
DECLARE_REAL(int, pthread_cond_timedwait, pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
DECLARE_REAL(int, pthread_barrier_wait, pthread_barrier_t *);
DECLARE_REAL(int, pthread_once, pthread_once_t *, void (*)(void));
DECLARE_REAL(int, sem_post, sem_t *);
DECLARE_REAL(int, sem_wait, sem_t *);
DECLARE_REAL(int, sem_trywait, sem_t *);
DECLARE_REAL(int, sem_timedwait, sem_t *, const struct timespec *);

static void *resolve(const char *name) {
  void *p = dlsym(RTLD_NEXT, name);
  if (!p) {
    fprintf(stderr, "fatal error: race detector: cannot find %s in the C library\n", name);
    _exit(2);
  }
  return p;
}

static void **resolve_into(void **slot, const char *name) {
  *slot = resolve(name);
  return slot;
}

#define ENSURE(name)                                                 \
  (*(RACE_LIKELY(real_##name != NULL)                                \
         ? &real_##name                                              \
         : (__typeof__(&real_##name))resolve_into((void **)&real_##name, #name)))

__attribute__((constructor(101))) static void resolve_all(void) {
  (void)ENSURE(pthread_create);
  (void)ENSURE(pthread_join);
  (void)ENSURE(pthread_mutex_lock);
  (void)ENSURE(pthread_mutex_unlock);
  (void)ENSURE(pthread_cond_wait);
}

/* ---- edges ----------------------------------------------------------------------- */

/* Locks the detector takes in its own work (the symbolizer's, while a
 * report is printed: in_rt) make no edge: they are not the program's, and
 * each release would log an epoch in the reporter's history, a few
 * thousand per report, pushing out the accesses a later report must
 * restore. */
static inline void acquire(const volatile void *addr) {
  if (RACE_LIKELY(!race_tls.in_rt)) race_acquire((const void *)(uintptr_t)addr);
}
static inline void release(const volatile void *addr) {
  if (RACE_LIKELY(!race_tls.in_rt)) race_release_merge((const void *)(uintptr_t)addr);
}

/* The join edge of a thread is kept under this key (a pthread_t is the
 * address of glibc's thread descriptor: unique while the thread exists). */
static inline const void *thread_key(pthread_t th) { return (const void *)(uintptr_t)th; }

/* ---- threads -------------------------------------------------------------------- */

struct start {
  void *(*fn)(void *);
  void *arg;
  struct race_fork fork;
};

static void *thread_start(void *p) {
  struct start *s = p;
  race_thread_begin(&s->fork);
  void *(*fn)(void *) = s->fn;
  void *arg = s->arg;
  race_free(s);
  void *r = fn(arg);
  race_release_merge(thread_key(pthread_self()));
  return r;
}

RACE_API int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
  struct start *s = race_alloc(sizeof *s);
  s->fn = fn;
  s->arg = arg;
  race_thread_fork(&s->fork, PC());
  int r = ENSURE(pthread_create)(th, attr, thread_start, s);
  if (r != 0) race_free(s);
  return r;
}

RACE_API int pthread_join(pthread_t th, void **ret) {
  int r = ENSURE(pthread_join)(th, ret);
  if (r == 0) acquire(thread_key(th));
  return r;
}

/* ---- locks ------------------------------------------------------------------------ */

#define LOCKER(name, type)                              \
  RACE_API int name(type *m) {                          \
    int r = ENSURE(name)(m);                            \
    if (r == 0) acquire(m);                             \
    return r;                                           \
  }
#define TIMED_LOCKER(name, type)                                   \
  RACE_API int name(type *m, const struct timespec *ts) {          \
    int r = ENSURE(name)(m, ts);                                   \
    if (r == 0) acquire(m);                                        \
    return r;                                                      \
  }
#define UNLOCKER(name, type)                            \
  RACE_API int name(type *m) {                          \
    release(m);                                         \
    return ENSURE(name)(m);                             \
  }

LOCKER(pthread_mutex_lock, pthread_mutex_t)
LOCKER(pthread_mutex_trylock, pthread_mutex_t)
TIMED_LOCKER(pthread_mutex_timedlock, pthread_mutex_t)
UNLOCKER(pthread_mutex_unlock, pthread_mutex_t)
LOCKER(pthread_rwlock_rdlock, pthread_rwlock_t)
LOCKER(pthread_rwlock_tryrdlock, pthread_rwlock_t)
TIMED_LOCKER(pthread_rwlock_timedrdlock, pthread_rwlock_t)
LOCKER(pthread_rwlock_wrlock, pthread_rwlock_t)
LOCKER(pthread_rwlock_trywrlock, pthread_rwlock_t)
TIMED_LOCKER(pthread_rwlock_timedwrlock, pthread_rwlock_t)
UNLOCKER(pthread_rwlock_unlock, pthread_rwlock_t)
LOCKER(pthread_spin_lock, pthread_spinlock_t)
LOCKER(pthread_spin_trylock, pthread_spinlock_t)
UNLOCKER(pthread_spin_unlock, pthread_spinlock_t)

RACE_API int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  release(m);
  int r = ENSURE(pthread_cond_wait)(c, m);
  acquire(m);
  return r;
}

RACE_API int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts) {
  release(m);
  int r = ENSURE(pthread_cond_timedwait)(c, m, ts);
  acquire(m);
  return r;
}

RACE_API int pthread_barrier_wait(pthread_barrier_t *b) {
  release(b);
  int r = ENSURE(pthread_barrier_wait)(b);
  acquire(b);
  return r;
}

/* pthread_once's initialiser takes no argument: the once object travels
 * in a thread-local to the wrapper (the initialiser runs on the calling
 * thread). */
static __thread pthread_once_t *once_current;
static __thread void (*once_fn)(void);

static void once_wrapper(void) {
  pthread_once_t *o = once_current;
  void (*fn)(void) = once_fn;
  fn();
  release(o);
}

RACE_API int pthread_once(pthread_once_t *o, void (*fn)(void)) {
  pthread_once_t *saved_o = once_current;
  void (*saved_fn)(void) = once_fn;
  once_current = o;
  once_fn = fn;
  int r = ENSURE(pthread_once)(o, once_wrapper);
  once_current = saved_o;
  once_fn = saved_fn;
  if (r == 0) acquire(o);
  return r;
}

RACE_API int sem_post(sem_t *s) {
  release(s);
  return ENSURE(sem_post)(s);
}

RACE_API int sem_wait(sem_t *s) {
  int r = ENSURE(sem_wait)(s);
  if (r == 0) acquire(s);
  return r;
}

RACE_API int sem_trywait(sem_t *s) {
  int r = ENSURE(sem_trywait)(s);
  if (r == 0) acquire(s);
  return r;
}

RACE_API int sem_timedwait(sem_t *s, const struct timespec *ts) {
  int r = ENSURE(sem_timedwait)(s, ts);
  if (r == 0) acquire(s);
  return r;
}

#endif
