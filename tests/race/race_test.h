/*
 * race_test.h - helpers shared by the accuracy-suite programs.
 *
 * The programs are built with -fsanitize=thread and linked with
 * libweft-race (cmake/race.cmake). Each one is a scenario that must report
 * a race (race_*) or must not (norace_*); check_lib.cmake judges them.
 *
 * join: goroutines call join_done() when finished; the main goroutine
 * calls join_wait(n). The counter is an atomic with release/acquire order,
 * which the detector turns into happens-before edges, so a join orders
 * everything a goroutine did before join_done() before whatever follows
 * join_wait() - and nothing else. Programs that test a race make both
 * accesses before the join, so the verdict does not depend on scheduling.
 */
#ifndef WEFT_TESTS_RACE_TEST_H
#define WEFT_TESTS_RACE_TEST_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <weft.h>

/* The helpers' atomics live on cache lines of their own, away from the
 * words the programs race on (a shadow word remembers 4 accesses). */
static atomic_int join_count __attribute__((aligned(64)));

static inline void join_done(void) { atomic_fetch_add_explicit(&join_count, 1, memory_order_release); }

static inline void join_wait(int n) {
  while (atomic_load_explicit(&join_count, memory_order_acquire) < n) weft_yield();
}

/* step: orders two accesses in time without ordering them for the
 * detector (relaxed atomics make no edge), so that a race_* program's two
 * accesses never run at the very same moment (two threads checking one
 * shadow word at once can miss each other, as in TSan). */
static atomic_int step __attribute__((aligned(64)));

static inline void step_to(int n) { atomic_store_explicit(&step, n, memory_order_relaxed); }

static inline void step_wait(int n) {
  while (atomic_load_explicit(&step, memory_order_relaxed) < n) weft_yield();
}

/* publish/await_published: hands a pointer to a goroutine started
 * earlier through a relaxed atomic, which orders nothing, so that the
 * only edge left between the two is the one a program tests. */
static void *_Atomic published __attribute__((aligned(64)));

static inline void publish(void *p) { atomic_store_explicit(&published, p, memory_order_relaxed); }

static inline void *await_published(void) {
  void *p;
  while (!(p = atomic_load_explicit(&published, memory_order_relaxed))) weft_yield();
  return p;
}

/* Keeps the compiler from optimising a plain access away. */
#define USE(x) __asm__ __volatile__("" ::"r"(x) : "memory")

/* Sleeps briefly so that the other goroutine's access usually comes first;
 * verdicts never depend on it. */
static inline void pause_ms(int ms) { weft_sleep((weft_duration)ms * 1000 * 1000); }

#define RACE_MAIN(fn) \
  int main(int argc, char **argv) { return weft_main(fn, argc, argv); }

#endif
