/*
 * weft/debug.h - goroutine dumps and diagnostics.
 *
 * weft reports trouble the way Go does, with function names and file:line
 * for code built with -g (docs/diagnostics.md lists every message):
 *   - panics and fatal errors print the stack of the goroutine at fault and
 *     exit with status 2 (WEFT_TRACEBACK=all: every goroutine);
 *   - "fatal error: all goroutines are asleep - deadlock!" prints every
 *     goroutine;
 *   - SIGQUIT (Ctrl-\) prints every goroutine and exits with status 2,
 *     unless the program installed its own SIGQUIT handler first;
 *   - WEFT_DEBUG=leakcheck=1 reports the goroutines still alive when the
 *     main function of weft_main returns, and makes the exit status 2.
 *
 * Environment (read once at start-up; a bad value is an error, exit 2):
 *   WEFT_DEBUG       comma-separated key=value list; WEFT_DEBUG=help lists
 *                    the keys (leakcheck, lockorder, symbolize, maxframes,
 *                    sigquit)
 *   WEFT_TRACEBACK   none | single (default) | all | system
 */
#ifndef WEFT_DEBUG_H
#define WEFT_DEBUG_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Prints every goroutine to `out` (stderr if NULL) in Go's format:
 *
 *   goroutine 7 [chan send, 3 minutes]:
 *   worker(...)
 *   	/src/worker.c:12 +0x39
 *   created by app_main in goroutine 1
 *   	/src/main.c:30 +0x104
 *
 * The calling goroutine comes first, with its live stack; then the main
 * goroutine, then the others by id; last, foreign threads blocked in a weft
 * call ("thread <tid> [chan receive]:", without a stack). The world is not
 * stopped: a goroutine running on another worker is printed as "goroutine
 * running on other thread; stack unavailable", and one that starts or stops
 * running during the dump may be too.
 *
 * Thread-safe; callable from any thread, goroutine or not. Blocks the
 * calling thread while it reads debug information (the first dump of a
 * process loads it; later ones are cached). Never fails: what cannot be
 * symbolized is printed as module+offset.
 */
void weft_dump(FILE *out);

/*
 * Link anchor (not API). A program linked with the static library gets
 * weft's object files only when it references one of their symbols; the
 * diagnostics install themselves from a constructor that nothing calls.
 * Every translation unit that includes this header references the anchor,
 * so including <weft.h> is enough to get symbolized stacks and the
 * WEFT_DEBUG/WEFT_TRACEBACK/SIGQUIT behaviour. Costs one pointer per
 * translation unit.
 */
extern const char weft_debug_linked_;
static const char *const weft_debug_anchor_ __attribute__((used, unused)) = &weft_debug_linked_;

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
