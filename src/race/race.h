/*
 * race.h - the race detector's interface to the rest of weft (private).
 *
 * libweft and libweft-race are built from the same sources; WEFT_RACE (0 or
 * 1, set by the build) selects the flavour. In the normal library every call
 * below is an empty inline function, so primitives can emit their
 * happens-before events unconditionally and pay nothing.
 *
 * In the race flavour (the .c files of src/race):
 *   race_go_start(parent, child)  child's clock starts after parent's
 *                                 history at the weft_go call; parent is
 *                                 NULL when the spawner is not a goroutine
 *                                 (a foreign thread, the timer thread): its
 *                                 thread context is used (made on first
 *                                 use). The caller must be the parent (the
 *                                 current context is what is used). Between
 *                                 race_timer_fire_begin/_end the child is
 *                                 created at the timer's arming stack.
 *   race_go_end(g)                g has returned or called weft_exit
 *   race_switch(g)                g (NULL: the worker's own scheduler
 *                                 context) is now running on this thread;
 *                                 called at every resumption point
 *   race_acquire(addr)            the current goroutine acquires the clock
 *                                 stored for addr (lock, channel slot, ...)
 *   race_release(addr)            stores the current clock into addr's
 *   race_release_merge(addr)      joins the current clock into addr's
 * addr is any stable address that names a synchronisation object; its
 * clock is forgotten when the memory holding addr is freed.
 *
 * For primitives that touch user memory on the user's behalf (a channel
 * copying an element in or out):
 *   race_read_range_pc(addr, n, pc)   the current goroutine reads [addr, addr+n)
 *   race_write_range_pc(addr, n, pc)  ... writes it
 * pc is where the user called the primitive (__builtin_return_address(0)
 * in the public API function); the report shows it as the innermost frame.
 *
 * Timers (Go: arming a timer releases, its expiry acquires):
 *   race_timer_arm(t, pc)         t (any stable address naming the
 *                                 timer) is being armed or reset by the
 *                                 caller at pc: its past is released
 *                                 (merged) into t's clock, and its stack
 *                                 is kept as the timer's "created at"
 *   race_timer_fire_begin(t)      on the thread delivering t's expiry:
 *   race_timer_fire_end()         in between, the current context also
 *                                 knows t's clock (a channel send or a
 *                                 spawn passes it on) and goroutines it
 *                                 spawns are created at t's arming stack;
 *                                 _end takes that knowledge back
 *
 * race_ignore(true/false) brackets code whose accesses are not checked
 * (weft_race_ignore_begin/end). Synchronisation events still count.
 *
 * All of these may be called from any thread (goroutine, foreign thread,
 * the timer thread); none blocks beyond an internal lock.
 */
#ifndef WEFT_RACE_RACE_H
#define WEFT_RACE_RACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/runtime.h"

#if WEFT_RACE
void race_go_start(struct weft_g *parent, struct weft_g *child);
void race_go_end(struct weft_g *g);
void race_switch(struct weft_g *g);
void race_acquire(const void *addr);
void race_release(const void *addr);
void race_release_merge(const void *addr);
void race_read_range_pc(const void *addr, size_t size, const void *pc);
void race_write_range_pc(const void *addr, size_t size, const void *pc);
void race_timer_arm(const void *timer, const void *pc);
void race_timer_fire_begin(const void *timer);
void race_timer_fire_end(void);
void race_ignore(bool begin);
#else
static inline void race_go_start(struct weft_g *parent, struct weft_g *child) { (void)parent; (void)child; }
static inline void race_go_end(struct weft_g *g) { (void)g; }
static inline void race_switch(struct weft_g *g) { (void)g; }
static inline void race_acquire(const void *addr) { (void)addr; }
static inline void race_release(const void *addr) { (void)addr; }
static inline void race_release_merge(const void *addr) { (void)addr; }
static inline void race_read_range_pc(const void *addr, size_t size, const void *pc) { (void)addr; (void)size; (void)pc; }
static inline void race_write_range_pc(const void *addr, size_t size, const void *pc) { (void)addr; (void)size; (void)pc; }
static inline void race_timer_arm(const void *timer, const void *pc) { (void)timer; (void)pc; }
static inline void race_timer_fire_begin(const void *timer) { (void)timer; }
static inline void race_timer_fire_end(void) {}
static inline void race_ignore(bool begin) { (void)begin; }
#endif

#endif
