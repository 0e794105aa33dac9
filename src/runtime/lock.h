/*
 * lock.h - the runtime's internal lock (private).
 *
 * rt_lock guards the runtime's own short critical sections: a channel's
 * queues, a mutex's waiter list, the timer heap. It blocks the OS thread,
 * never the goroutine, so it must only be held for a few hundred
 * instructions and never across rt_park (release it in the park's commit).
 *
 * Three-state futex mutex (Drepper, "Futexes Are Tricky"): 0 unlocked,
 * 1 locked, 2 locked with sleepers. The uncontended acquire and release are
 * one atomic each; under contention we spin briefly before sleeping, since
 * the holder is running on another CPU and will be done in nanoseconds.
 * Zero-initialised is unlocked.
 */
#ifndef WEFT_RUNTIME_LOCK_H
#define WEFT_RUNTIME_LOCK_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct rt_lock {
  _Atomic uint32_t state;
} rt_lock;

#define RT_LOCK_INIT {0}

void rt_lock_slow(rt_lock *l);
void rt_unlock_slow(rt_lock *l);

static inline void rt_lock_acquire(rt_lock *l) {
  uint32_t expected = 0;
  if (__builtin_expect(atomic_compare_exchange_strong_explicit(
          &l->state, &expected, 1, memory_order_acquire, memory_order_relaxed), 1))
    return;
  rt_lock_slow(l);
}

static inline int rt_lock_try(rt_lock *l) {
  uint32_t expected = 0;
  return atomic_compare_exchange_strong_explicit(&l->state, &expected, 1,
      memory_order_acquire, memory_order_relaxed);
}

static inline void rt_lock_release(rt_lock *l) {
  if (__builtin_expect(atomic_exchange_explicit(&l->state, 0, memory_order_release) == 1, 1))
    return;
  rt_unlock_slow(l);
}

/* Tells the CPU we are spinning (saves power, yields to a hyperthread). */
static inline void rt_cpu_relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* A full (seq_cst) fence. ThreadSanitizer does not model fences (gcc
 * rejects them under -fsanitize=thread), so in that build we use a seq_cst
 * read-modify-write, which it does understand and which orders the same. */
static inline void rt_fence(void) {
#if defined(__SANITIZE_THREAD__) || defined(WEFT_TSAN_FIBERS)
  static _Atomic uint32_t fence_word;
  atomic_fetch_add_explicit(&fence_word, 0, memory_order_seq_cst);
#else
  atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* futex wrappers (lock.c) shared by the scheduler and foreign-thread parking. */
void rt_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns);
void rt_futex_wake(_Atomic uint32_t *addr, int count);

#endif
