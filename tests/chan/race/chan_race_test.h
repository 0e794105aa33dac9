/* chan_race_test.h - the few helpers the channel race programs share. */
#ifndef WEFT_TESTS_CHAN_RACE_TEST_H
#define WEFT_TESTS_CHAN_RACE_TEST_H

#include <stdatomic.h>
#include <stdlib.h>
#include <weft.h>

/* A join that the detector sees as an edge (release/acquire atomics). */
static atomic_int join_count;
static inline void join_done(void) { atomic_fetch_add_explicit(&join_count, 1, memory_order_release); }
static inline void join_wait(int n) {
  while (atomic_load_explicit(&join_count, memory_order_acquire) < n) weft_yield();
}
#define USE(x) __asm__ __volatile__("" ::"r"(x) : "memory")
#define RACE_MAIN(fn) \
  int main(int argc, char **argv) { return weft_main(fn, argc, argv); }

#endif
