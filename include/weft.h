/*
 * weft.h - Go's concurrency model for C.
 *
 * The umbrella header: include it and you have the whole public API.
 * Each area has its own header under weft/, with its contract documented
 * there:
 *   weft/runtime.h   goroutines (weft_main, weft_go, weft_yield, ...)
 *   weft/time.h      time, sleep, after_func timers
 *   weft/chan.h      channels, select, channel timers and tickers
 *   weft/sync.h      mutex, rwmutex, cond, waitgroup, once
 *   weft/context.h   contexts, after_func, groups (errgroup), signal contexts
 *   weft/debug.h     goroutine dumps (weft_dump); WEFT_DEBUG, WEFT_TRACEBACK
 *   weft/race.h      race detector annotations (weft_race_acquire, ...)
 */
#ifndef WEFT_H
#define WEFT_H

#include <weft/runtime.h>
#include <weft/time.h>
#include <weft/chan.h>
#include <weft/sync.h>
#include <weft/context.h>
#include <weft/debug.h>
#include <weft/race.h>

#endif
