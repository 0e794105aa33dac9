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
 *                                 history at the weft_go call (parent may be
 *                                 NULL: spawned by a foreign thread, whose
 *                                 stand-in g is passed instead when known)
 *   race_go_end(g)                g has returned or called weft_exit
 *   race_switch(g)                g (NULL: the worker's own scheduler
 *                                 context) is now running on this thread;
 *                                 called at every resumption point
 *   race_acquire(addr)            the current goroutine acquires the clock
 *                                 stored for addr (lock, channel slot, ...)
 *   race_release(addr)            stores the current clock into addr's
 *   race_release_merge(addr)      joins the current clock into addr's
 * addr is any stable address that names a synchronisation object.
 */
#ifndef WEFT_RACE_RACE_H
#define WEFT_RACE_RACE_H

#include "runtime/runtime.h"

#if WEFT_RACE
void race_go_start(struct weft_g *parent, struct weft_g *child);
void race_go_end(struct weft_g *g);
void race_switch(struct weft_g *g);
void race_acquire(const void *addr);
void race_release(const void *addr);
void race_release_merge(const void *addr);
#else
static inline void race_go_start(struct weft_g *parent, struct weft_g *child) { (void)parent; (void)child; }
static inline void race_go_end(struct weft_g *g) { (void)g; }
static inline void race_switch(struct weft_g *g) { (void)g; }
static inline void race_acquire(const void *addr) { (void)addr; }
static inline void race_release(const void *addr) { (void)addr; }
static inline void race_release_merge(const void *addr) { (void)addr; }
#endif

#endif
