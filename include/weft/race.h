/*
 * weft/race.h - the race detector's annotation API.
 *
 * Programs built for the race detector compile their code with
 * -fsanitize=thread (compile only) and link libweft-race instead of libweft
 * (docs/race.md). The detector then sees every load and store of that code
 * and the happens-before edges of every weft primitive and C11 atomic. These
 * calls tell it about what it cannot see: synchronisation done by code that
 * is not instrumented (a lock-free queue in an assembly file, a library
 * built without -fsanitize=thread) and memory touched by such code.
 *
 * In the normal library every call is a no-op and weft_race_count() is 0,
 * so annotated code needs no #ifdef. All calls are thread-safe, callable
 * from goroutines and foreign threads, never block beyond an internal lock,
 * and never fail.
 *
 *   weft_race_release(addr)   everything the caller did so far happens
 *                             before whatever a later weft_race_acquire(addr)
 *                             caller does afterwards (releases on the same
 *                             addr accumulate, like Go's race.ReleaseMerge);
 *   weft_race_acquire(addr)   see above. addr is only a name: any stable
 *                             address (the object being synchronised);
 *                             its record is dropped when the heap block
 *                             holding addr is freed.
 *   weft_race_read_range(addr, n)    the caller reads [addr, addr+n)
 *   weft_race_write_range(addr, n)   the caller writes [addr, addr+n)
 *                             (checked like instrumented accesses; use for
 *                             memory that uninstrumented code touches on the
 *                             caller's behalf)
 *   weft_race_ignore_begin()  the calling goroutine's accesses are not
 *   weft_race_ignore_end()    checked or recorded until the matching end
 *                             (calls nest); synchronisation still counts
 *   weft_race_count()         how many races have been reported so far
 */
#ifndef WEFT_RACE_H
#define WEFT_RACE_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void weft_race_acquire(const void *addr);
void weft_race_release(const void *addr);
void weft_race_read_range(const void *addr, size_t size);
void weft_race_write_range(const void *addr, size_t size);
void weft_race_ignore_begin(void);
void weft_race_ignore_end(void);
int weft_race_count(void);

/*
 * Link check (not API). Code compiled with -fsanitize=thread calls the
 * __tsan_* entry points that only libweft-race defines; linked with the
 * normal libweft it would fail with a list of undefined __tsan_ symbols,
 * or, with -fsanitize=thread at link time too, run under the compiler's
 * TSan, which cannot follow goroutines. So every instrumented translation
 * unit that includes weft.h refers to a symbol that only libweft-race
 * defines, and the link error names the mistake:
 *
 *   undefined reference to `weft_link_error_instrumented_code_needs_libweft_race'
 *
 * (weft's own sanitizer builds, WEFT_TSAN_FIBERS, are the exception.)
 */
#if !defined(WEFT_TSAN_FIBERS) && !defined(WEFT_BUILDING)
#if defined(__SANITIZE_THREAD__)
#define WEFT_RACE_INSTRUMENTED_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WEFT_RACE_INSTRUMENTED_ 1
#endif
#endif
#endif
#ifdef WEFT_RACE_INSTRUMENTED_
extern const char weft_link_error_instrumented_code_needs_libweft_race;
static const char *const weft_race_link_check_ __attribute__((used, unused)) =
    &weft_link_error_instrumented_code_needs_libweft_race;
#endif

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
