/*
 * clock.c - the runtime's clocks.
 *
 * rt_nanotime: CLOCK_MONOTONIC, for timers and durations (never jumps).
 * rt_walltime: CLOCK_REALTIME, for weft_now.
 * rt_coarse_nanotime: CLOCK_MONOTONIC_COARSE (a few ms resolution, about a
 * third of the cost), for stamping when a goroutine parked: dumps print
 * waits in minutes, and this is on the park hot path.
 * All go through the vDSO: no syscall.
 *
 * A synctest bubble replaces these with its virtual clock for its own
 * goroutines (src/synctest); weft_now and timers consult the bubble first.
 */
#include <time.h>

#include "runtime/sched.h"

int64_t rt_nanotime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rt_walltime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rt_coarse_nanotime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

weft_time weft_now(void) {
  return rt_walltime();
}
