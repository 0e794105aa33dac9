/*
 * leak.c - the goroutine leak report.
 *
 * Go's program simply ends when main returns, and the goroutines still
 * blocked somewhere are silently gone; in a server that is a handler
 * waiting for ever on a channel nobody will send on, piling up one per
 * request. With WEFT_DEBUG=leakcheck=1, weft_main checks at the end
 * (rt_hooks.main_exit, after the main function has returned and before
 * weft_main returns) and reports every user goroutine still alive:
 *
 *     weft: goroutine leak: 1 goroutine still alive when the main function returned
 *
 *     goroutine 7 [chan receive, 1.502s, on 0x5581e0c0]:
 *     handler(...)
 *     	/src/server.c:12 +0x39
 *     created by serve in goroutine 1
 *     	/src/server.c:30 +0x104
 *
 * The header says what it waits for, for how long (always, unlike the
 * dump's "N minutes" that appears only after a minute), on which object,
 * and who holds it when the sync package can tell ("held by goroutine 7").
 * The exit status becomes 2 (as for a panic: the program did not do what
 * it meant to), unless it is already non-zero, which is kept.
 *
 * Not leaks: the main goroutine (it is finishing), runtime goroutines, and
 * foreign threads (they belong to the program, not to weft).
 *
 * Settling: a goroutine that is running or runnable when main returns is
 * usually a moment from finishing (it was just handed its last message).
 * We give such goroutines up to LEAK_SETTLE_NS to exit or block, polling,
 * and stop as soon as every remaining one is blocked; only those still
 * alive after that are reported. A blocked goroutine is reported at once:
 * nothing guarantees it will ever wake, which is the point.
 */
#include <stdlib.h>
#include <time.h>

#include "debug/debug_private.h"

#define LEAK_SETTLE_NS (200 * 1000 * 1000)

struct leak_filter {
  bool (*keep)(const struct weft_g *g, void *arg);
  void *arg;
};

static bool is_leak(const struct debug_g *d, const struct leak_filter *f) {
  if (d->foreign || d->main || d->system) return false;
  return !f->keep || f->keep(d->g, f->arg);
}

static void pause_briefly(void) {
  if (rt_goroutine()) {
    weft_sleep(WEFT_MILLISECOND); /* let the others run, even on one worker */
  } else {
    struct timespec ts = {0, 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

int debug_leak_report(FILE *out, const char *when,
                      bool (*keep)(const struct weft_g *g, void *arg), void *arg) {
  struct leak_filter filter = {keep, arg};
  struct weft_g *self = rt_goroutine();
  int64_t deadline = rt_nanotime() + LEAK_SETTLE_NS;
  size_t n = 0;
  struct debug_g *all;
  for (;;) {
    all = debug_collect(NULL, false, &n);
    bool unsettled = false;
    for (size_t i = 0; i < n; i++)
      if (all[i].g != self && is_leak(&all[i], &filter) && all[i].status != G_WAITING)
        unsettled = true;
    if (!unsettled || rt_nanotime() >= deadline) break;
    free(all);
    pause_briefly();
  }
  int leaks = 0;
  for (size_t i = 0; i < n; i++)
    if (all[i].g != self && is_leak(&all[i], &filter)) leaks++;
  if (leaks > 0) {
    bool locked = debug_lock();
    fflush(stdout);
    fprintf(out, "weft: goroutine leak: %d goroutine%s still alive %s\n", leaks,
            leaks == 1 ? "" : "s", when);
    for (size_t i = 0; i < n; i++) {
      if (all[i].g == self || !is_leak(&all[i], &filter)) continue;
      fputc('\n', out);
      debug_print_goroutine(out, &all[i], NULL, HEADER_LEAK, locked);
    }
    if (locked) debug_unlock();
    fflush(out);
  }
  free(all);
  return leaks;
}

void debug_leak_main_exit(int *status) {
  if (!debug_option_leakcheck()) return;
  if (debug_leak_report(stderr, "when the main function returned", NULL, NULL) > 0 && *status == 0)
    *status = 2;
}
