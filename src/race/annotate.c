/*
 * annotate.c - the public annotation API (weft/race.h), in both flavours.
 *
 * In libweft-race each call maps onto the detector (race_release_merge,
 * race_acquire, race_access_range, race_ignore); in libweft they do
 * nothing and weft_race_count() returns 0, so annotated programs build
 * and run unchanged with either library.
 *
 * weft_race_release merges (Go's race.ReleaseMerge semantics): several
 * goroutines releasing on one address all happen before a later acquire,
 * which is what annotations of hand-written synchronisation want.
 *
 * This file also defines the symbol that instrumented code including
 * weft.h refers to (see weft/race.h), in the race flavour only.
 */
#include <weft/race.h>

#include "race/race.h"

#if WEFT_RACE
#include "race/race_private.h"

__attribute__((visibility("default"))) const char weft_link_error_instrumented_code_needs_libweft_race = 1;

__attribute__((visibility("default"))) void weft_race_acquire(const void *addr) { race_acquire(addr); }
__attribute__((visibility("default"))) void weft_race_release(const void *addr) { race_release_merge(addr); }

__attribute__((visibility("default"))) void weft_race_read_range(const void *addr, size_t size) {
  race_access_range((uintptr_t)addr, size, ACC_READ, (uintptr_t)__builtin_return_address(0));
}

__attribute__((visibility("default"))) void weft_race_write_range(const void *addr, size_t size) {
  race_access_range((uintptr_t)addr, size, 0, (uintptr_t)__builtin_return_address(0));
}

__attribute__((visibility("default"))) void weft_race_ignore_begin(void) { race_ignore(true); }
__attribute__((visibility("default"))) void weft_race_ignore_end(void) { race_ignore(false); }
__attribute__((visibility("default"))) int weft_race_count(void) { return atomic_load(&race_reports); }

#else

__attribute__((visibility("default"))) void weft_race_acquire(const void *addr) { (void)addr; }
__attribute__((visibility("default"))) void weft_race_release(const void *addr) { (void)addr; }
__attribute__((visibility("default"))) void weft_race_read_range(const void *addr, size_t size) { (void)addr; (void)size; }
__attribute__((visibility("default"))) void weft_race_write_range(const void *addr, size_t size) { (void)addr; (void)size; }
__attribute__((visibility("default"))) void weft_race_ignore_begin(void) {}
__attribute__((visibility("default"))) void weft_race_ignore_end(void) {}
__attribute__((visibility("default"))) int weft_race_count(void) { return 0; }

#endif
