/*
 * weft/runtime.h - goroutines: spawning, identity, yielding, exiting.
 *
 * A goroutine is a stackful coroutine. The runtime multiplexes goroutines
 * over WEFT_PROCS worker threads (default: the CPUs available to the
 * process). Scheduling is cooperative: a goroutine runs until it blocks in a
 * weft call (channel, lock, sleep, ...), yields, or returns. A goroutine that
 * computes for a long time without blocking keeps its worker busy; other
 * goroutines run on the other workers.
 *
 * Every call here works from any thread. A thread that is not running a
 * goroutine (main before weft_main, a pthread the program created, a test
 * framework's thread) is a "foreign thread": it may spawn goroutines and use
 * every primitive, and where a call blocks it blocks that OS thread.
 *
 * The runtime starts itself on first use; weft_main is the usual entry point
 * because it also runs the end-of-program checks.
 *
 * Environment:
 *   WEFT_PROCS        number of worker threads (default: CPUs available)
 *   WEFT_STACK_SIZE   goroutine stack size, bytes, with optional K/M/G suffix
 *                     (default 256K; reserved address space, committed as
 *                     touched; a guard page below each stack catches
 *                     overflow: "fatal error: stack overflow in goroutine N").
 * A bad value is reported at start-up and the program exits with status 2.
 */
#ifndef WEFT_RUNTIME_H
#define WEFT_RUNTIME_H

/* Everything declared here is libweft's public ABI: exported from the
 * shared library even though the library builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Runs fn(argc, argv) as goroutine 1 (the "main goroutine") and returns its
 * result once fn returns and the end-of-program checks have run. Call it from
 * main: `int main(int c, char **v) { return weft_main(app_main, c, v); }`.
 *
 * As in Go, the program ends when the main goroutine's function returns:
 * goroutines still alive at that point are not waited for. weft_main stops
 * the workers from starting or resuming any goroutine, so nothing runs
 * concurrently with the caller's exit path; goroutines that were in the
 * middle of running finish only up to their next blocking point.
 * Calling weft_main while another weft_main is running is a fatal error.
 */
int weft_main(int (*fn)(int argc, char **argv), int argc, char **argv);

/*
 * Starts fn(arg) in a new goroutine and returns its id. Never blocks. The
 * new goroutine may start before weft_go returns. arg is passed as is: if it
 * points at memory the caller will change or free (a loop variable, a stack
 * slot), use weft_go_copy.
 * Out of memory is a fatal error.
 */
uint64_t weft_go(void (*fn)(void *arg), void *arg);

/*
 * Like weft_go, but first copies `size` bytes from `arg` into storage owned
 * by the new goroutine, and passes fn a pointer to that copy. The copy lives
 * until the goroutine exits. This is the cure for the loop-variable bug:
 *   for (int i = 0; i < n; i++) weft_go_copy(worker, &i, sizeof i);
 */
uint64_t weft_go_copy(void (*fn)(void *arg), const void *arg, size_t size);

/* The current goroutine's id (1 is the main goroutine of weft_main);
 * 0 on a foreign thread. */
uint64_t weft_self(void);

/* Lets other goroutines run (runtime.Gosched); the caller stays runnable.
 * On a foreign thread: sched_yield(). */
void weft_yield(void);

/*
 * Ends the calling goroutine (runtime.Goexit). Nothing that it would have
 * done after the call runs; no happens-before edge is made to anyone.
 * Called from the main goroutine, the program goes on with the other
 * goroutines (as in Go); when none are left it is a fatal error.
 * On a foreign thread it ends the thread (pthread_exit).
 */
_Noreturn void weft_exit(void);

/* The number of goroutines alive (spawned and not yet returned), the main
 * goroutine included. Runtime-internal goroutines are not counted. */
int weft_num_goroutines(void);

/* The number of worker threads (WEFT_PROCS). Starts the runtime. */
int weft_procs(void);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
