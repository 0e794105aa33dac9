/*
 * lock.c - slow paths of rt_lock and the futex wrappers (see lock.h).
 *
 * The lock spins a little before sleeping because its critical sections are
 * tens of nanoseconds long and the holder is almost always running; a futex
 * round trip costs microseconds. State 2 means "someone may sleep": the
 * releaser then issues FUTEX_WAKE. Private futexes: the words never live in
 * shared memory.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/lock.h"

void rt_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns) {
  struct timespec ts, *tsp = NULL;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1000000000;
    ts.tv_nsec = timeout_ns % 1000000000;
    tsp = &ts;
  }
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, tsp, NULL, 0);
}

void rt_futex_wake(_Atomic uint32_t *addr, int count) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

void rt_lock_slow(rt_lock *l) {
  /* Look, then back off for 30 pauses, a few times: a waiter that re-read
   * the word on every pause would keep pulling its cache line away from
   * the holder, whose release and next acquire then stall (measured on
   * channels, see chan.c; Go's lock backs off the same way). */
  for (int round = 0; round < 8; round++) {
    for (int i = 0; i < 30; i++) rt_cpu_relax(); /* the fast path just looked */
    uint32_t s = atomic_load_explicit(&l->state, memory_order_relaxed);
    if (s == 0) {
      uint32_t expected = 0;
      if (atomic_compare_exchange_weak_explicit(&l->state, &expected, 1,
              memory_order_acquire, memory_order_relaxed))
        return;
    }
  }
  /* Mark contended; whoever we displace from 0 means we got it. */
  while (atomic_exchange_explicit(&l->state, 2, memory_order_acquire) != 0)
    rt_futex_wait(&l->state, 2, -1);
}

void rt_unlock_slow(rt_lock *l) {
  rt_futex_wake(&l->state, 1);
}
