/*
 * dump.c - goroutine dumps: weft_dump, SIGQUIT, the deadlock report and
 * the stacks of panics and fatal errors; and the hooks that connect all of
 * src/debug to the runtime.
 *
 * Format (Go's, SPEC section 7), goroutines separated by a blank line:
 *     goroutine 7 [chan send, 3 minutes]:
 *     worker(...)
 *     	/src/worker.c:12 +0x39
 *     created by app_main in goroutine 1
 *     	/src/main.c:30 +0x104
 * The state is "running", "runnable", or the wait reason; ", N minutes"
 * only once a goroutine has waited a minute or more (Go rounds down and
 * says "1 minutes" too). Order: the goroutine making the report (the one
 * that panicked, called weft_dump, or caught SIGQUIT) first, then the main
 * goroutine, then the rest by id; last, foreign threads blocked in a weft
 * call, as "thread <tid> [chan receive]:" (they have no switch frame, so
 * their stacks are not available). The thread that is waiting inside
 * weft_main for the main goroutine to finish is not listed: it is an
 * implementation detail, not a wait of the program's. Runtime-internal
 * goroutines appear only with WEFT_TRACEBACK=system.
 *
 * Snapshots: the g registry is walked once under its lock
 * (rt_for_each_g_report, which walks without the lock if it cannot have
 * it: a SIGQUIT may land on the thread that holds it) and the fields a
 * report needs are copied out; everything slow
 * (unwinding, symbolizing, printing) happens after, without the runtime's
 * locks, so a dump never holds up goroutine creation for long.
 *
 * Hooks (struct rt_hooks, installed from a constructor so that the runtime
 * has no link-time dependency on src/debug):
 *   print_stack  panics, fatal errors, faults: the faulting goroutine's
 *                stack; with WEFT_TRACEBACK=all|system every goroutine
 *                after it; with none, nothing.
 *   dump_all     after "fatal error: all goroutines are asleep - deadlock!".
 *   main_exit    the leak check (leak.c), chained to any hook installed
 *                before ours.
 * The same constructor parses WEFT_DEBUG/WEFT_TRACEBACK (so a bad value
 * stops the program before main) and installs the SIGQUIT handler when the
 * signal still has its default disposition.
 *
 * SIGQUIT: Go prints every goroutine and exits 2; so do we. The handler
 * runs on whichever thread the kernel picked. If that thread is running a
 * goroutine, that goroutine is printed first with its live stack (from the
 * interrupted pc). The report uses stdio and libdw, which are not
 * async-signal-safe: like glibc's own crash reporters, it is a best effort
 * on the way to _exit, and it is what a user asked for by sending SIGQUIT.
 * A second SIGQUIT while the first is being reported waits for the first.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "debug/debug_private.h"
#include <weft/debug.h>

/* Referenced from weft/debug.h so that a program linking the static
 * library gets this object, and with it the hooks (see the header). */
__attribute__((visibility("default"))) const char weft_debug_linked_ = 1;

/* ---- snapshots -------------------------------------------------------------- */

struct collect {
  struct debug_g *items;
  size_t len, cap;
  bool include_system;
  bool failed;
};

static void collect_one(struct weft_g *g, void *arg) {
  struct collect *c = arg;
  int status = atomic_load_explicit(&g->status, memory_order_acquire);
  if (status == G_IDLE || status == G_DEAD) return;
  if (g->foreign && (status != G_WAITING || g->reason == WAIT_MAIN)) return;
  if (g->system && !c->include_system) return;
  if (c->len == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 64;
    struct debug_g *items = realloc(c->items, cap * sizeof *items);
    if (!items) {
      c->failed = true;
      return;
    }
    c->items = items;
    c->cap = cap;
  }
  struct debug_g *d = &c->items[c->len++];
  d->g = g;
  d->id = g->id;
  d->parent_id = g->parent_id;
  d->status = status;
  d->reason = g->reason;
  d->wait_obj = g->wait_obj;
  d->wait_since = g->wait_since;
  d->sp = g->sp;
  d->created_pc = g->created_pc;
  d->fn = g->fn;
  d->stack = g->stack;
  d->foreign = g->foreign;
  d->system = g->system;
  d->main = g->main;
}

static int rank(const struct debug_g *d, const struct weft_g *first) {
  if (d->g == first) return 0;
  if (d->foreign) return 3;
  return d->main ? 1 : 2;
}

static int compare_g(const void *a, const void *b, void *first) {
  const struct debug_g *x = a, *y = b;
  int rx = rank(x, first), ry = rank(y, first);
  if (rx != ry) return rx - ry;
  return x->id < y->id ? -1 : x->id > y->id;
}

struct debug_g *debug_collect(struct weft_g *first, bool include_system, size_t *n) {
  struct collect c = {NULL, 0, 0, include_system, false};
  DEBUG_RACY_READS_BEGIN();
  rt_for_each_g_report(collect_one, &c);
  DEBUG_RACY_READS_END();
  if (c.items) qsort_r(c.items, c.len, sizeof c.items[0], compare_g, first);
  *n = c.len;
  return c.items;
}

/* ---- printing one goroutine --------------------------------------------------- */

/* Go's duration format for the leak report, rounded to milliseconds:
 * "0s", "15ms", "1.502s", "59.999s"; a minute or more is "N minutes". */
static void format_wait(char *buf, size_t len, int64_t ns, bool always) {
  int64_t minutes = ns / (60 * (int64_t)1000000000);
  if (minutes >= 1) {
    snprintf(buf, len, ", %lld minutes", (long long)minutes);
    return;
  }
  if (!always) {
    buf[0] = 0;
    return;
  }
  int64_t ms = ns / 1000000;
  if (ms <= 0) snprintf(buf, len, ", 0s");
  else if (ms < 1000) snprintf(buf, len, ", %lldms", (long long)ms);
  else {
    char frac[8];
    snprintf(frac, sizeof frac, "%03lld", (long long)(ms % 1000));
    for (int i = 2; i >= 0 && frac[i] == '0'; i--) frac[i] = 0;
    if (frac[0]) snprintf(buf, len, ", %lld.%ss", (long long)(ms / 1000), frac);
    else snprintf(buf, len, ", %llds", (long long)(ms / 1000));
  }
}

static const char *state_name(const struct debug_g *d, bool self) {
  if (self || d->status == G_RUNNING) return "running";
  if (d->status == G_RUNNABLE) return "runnable";
  return wait_reason_name(d->reason);
}

void debug_print_header(FILE *out, const struct debug_g *d, const char *state, int style) {
  char wait[64] = "";
  if (d->status == G_WAITING && strcmp(state, "running") != 0)
    format_wait(wait, sizeof wait, rt_nanotime() - d->wait_since, style == HEADER_LEAK);
  char extra[96] = "";
  if (style == HEADER_LEAK && d->status == G_WAITING) {
    size_t used = 0;
    if (d->wait_obj) used += (size_t)snprintf(extra, sizeof extra, ", on %p", d->wait_obj);
    uint64_t holder = 0;
    bool foreign = false;
    DEBUG_RACY_READS_BEGIN();
    bool held = sync_holder_goid && d->g && sync_holder_goid(d->g, &holder, &foreign);
    DEBUG_RACY_READS_END();
    if (held)
      snprintf(extra + used, sizeof extra - used, ", held by goroutine %llu", (unsigned long long)holder);
    else if (foreign)
      snprintf(extra + used, sizeof extra - used, ", held by a thread outside weft");
  }
  fprintf(out, "%s %llu [%s%s%s]:\n", d->foreign ? "thread" : "goroutine", (unsigned long long)d->id,
          state, wait, extra);
}

void debug_print_goroutine(FILE *out, const struct debug_g *d, const struct debug_stack *live,
                           int style, bool locked) {
  debug_print_header(out, d, state_name(d, live != NULL), style);
  if (live) {
    debug_print_stack(out, live, locked);
  } else if (d->foreign) {
    fputs("\tthread outside weft; stack unavailable\n", out);
  } else if (d->status == G_RUNNING) {
    fputs("\tgoroutine running on other thread; stack unavailable\n", out);
  } else {
    struct debug_stack *s = malloc(sizeof *s);
    if (!s) {
      fputs("\tstack unavailable (out of memory)\n", out);
    } else if (!d->sp) {
      /* Never ran: Go shows the function it will start in. */
      s->n = 1;
      s->truncated = false;
      s->pc[0] = (uintptr_t)d->fn;
      s->exact[0] = true;
      debug_print_stack(out, s, locked);
    } else {
      DEBUG_RACY_READS_BEGIN();
      bool ok = debug_capture_parked(s, d->sp, d->stack.lo, d->stack.hi, locked);
      /* It must not have moved while we looked (see traceback.c). */
      if (ok && (atomic_load(&d->g->status) != d->status || d->g->sp != d->sp)) ok = false;
      DEBUG_RACY_READS_END();
      if (ok) debug_print_stack(out, s, locked);
      else fputs("\tgoroutine running on other thread; stack unavailable\n", out);
    }
    free(s);
  }
  if (!d->main && !d->foreign) debug_print_created_by(out, d->created_pc, d->parent_id, locked);
}

/* ---- whole dumps -------------------------------------------------------------- */

/*
 * A dump request: the caller's own goroutine (if any) with its stack,
 * captured in place before the printing moves to the report stack
 * (report_stack.c), where an unwind would only find the report stack.
 */
struct dump {
  FILE *out;
  struct weft_g *self;          /* the calling goroutine, or NULL */
  const struct debug_stack *self_stack;
  bool skip_self;               /* printed already */
};

/* Every goroutine, the caller first (live), in Go's layout. */
static void dump_goroutines(void *arg) {
  const struct dump *req = arg;
  FILE *out = req->out;
  bool locked = debug_lock();
  size_t n = 0;
  struct debug_g *all = debug_collect(req->self, debug_traceback_level == TRACEBACK_SYSTEM, &n);
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    bool is_self = req->self && all[i].g == req->self;
    if (is_self && req->skip_self) continue;
    if (!first) fputc('\n', out);
    first = false;
    debug_print_goroutine(out, &all[i], is_self ? req->self_stack : NULL, HEADER_GO, locked);
  }
  free(all);
  if (locked) debug_unlock();
  fflush(out);
}

__attribute__((visibility("default"))) void weft_dump(FILE *out) {
  struct dump req = {out ? out : stderr, rt_goroutine(), NULL, false};
  struct debug_stack *live = req.self ? malloc(sizeof *live) : NULL;
  if (live) debug_capture_current(live);
  else req.self = NULL; /* no stack for it: printed like the others */
  req.self_stack = live;
  debug_on_report_stack(dump_goroutines, &req);
  free(live);
}

/*
 * Fatal reports end the process, so only the first may print: two workers
 * that detect the deadlock at once, or two goroutines that panic at once,
 * would otherwise interleave their stacks. Later reporters wait for the
 * first one's _exit. The reporter's own thread passes again (a fault while
 * reporting), and then prints what it can.
 */
static _Atomic long fatal_reporter; /* thread id; 0 before the first report */

static void fatal_report_begin(void) {
  long self = (long)syscall(SYS_gettid), none = 0;
  if (atomic_compare_exchange_strong(&fatal_reporter, &none, self) || none == self) return;
  for (;;) pause();
}

/* The faulting goroutine's stack: one fatal report at a time (above), so
 * static storage, which a fault handler can use without allocating. */
static struct debug_stack fatal_stack;

/* rt_hooks.dump_all: the deadlock report (every worker idle). */
static void hook_dump_all(FILE *out, const char *why) {
  fatal_report_begin();
  struct dump req = {out, NULL, NULL, false};
  debug_on_report_stack(dump_goroutines, &req);
}

/* The goroutine at fault, then (WEFT_TRACEBACK=all|system) the others. */
static void print_fault(void *arg) {
  struct dump *req = arg;
  struct weft_g *g = req->self;
  bool locked = debug_lock();
  struct debug_g self;
  memset(&self, 0, sizeof self);
  self.g = g;
  self.id = g ? g->id : 0;
  self.parent_id = g ? g->parent_id : 0;
  self.status = G_RUNNING;
  self.created_pc = g ? g->created_pc : NULL;
  self.foreign = g ? g->foreign : true;
  self.main = g ? g->main : false;
  debug_print_goroutine(req->out, &self, req->self_stack, HEADER_GO, locked);
  if (locked) debug_unlock();
  if (debug_traceback_level >= TRACEBACK_ALL) {
    fputc('\n', req->out);
    dump_goroutines(req);
  }
  fflush(req->out);
}

/* rt_hooks.print_stack: the goroutine at fault (g is the caller's). */
static void hook_print_stack(FILE *out, struct weft_g *g) {
  fatal_report_begin();
  if (debug_traceback_level == TRACEBACK_NONE) return;
  debug_capture_current(&fatal_stack);
  struct dump req = {out, g, &fatal_stack, true};
  debug_on_report_stack(print_fault, &req);
}

/* ---- SIGQUIT -------------------------------------------------------------- */

static _Atomic int sigquit_active;

static void sigquit_handler(int sig, siginfo_t *si, void *context) {
  if (atomic_exchange(&sigquit_active, 1)) {
    for (;;) pause(); /* the first report ends the process */
  }
  fatal_report_begin();
  uintptr_t pc = 0;
#if defined(__x86_64__)
  pc = (uintptr_t)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  pc = (uintptr_t)((ucontext_t *)context)->uc_mcontext.pc;
#endif
  fflush(stdout);
  fprintf(stderr, "SIGQUIT: quit\nPC=%#lx sigcode=%d\n\n", (unsigned long)pc, si ? si->si_code : 0);
  struct dump req = {stderr, rt_goroutine(), &fatal_stack, false};
  debug_capture_current(&fatal_stack);
  debug_on_report_stack(dump_goroutines, &req);
  _exit(2);
}

static void sigquit_install(void) {
  struct sigaction old;
  if (sigaction(SIGQUIT, NULL, &old) != 0) return;
  if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) return; /* someone else's */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = sigquit_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGQUIT, &sa, NULL);
}

/* ---- installation ------------------------------------------------------------ */

/* The main_exit hook that was there before ours (another subsystem's). */
static void (*next_main_exit)(int *status);

static void hook_main_exit(int *status) {
  debug_leak_main_exit(status);
  if (next_main_exit) next_main_exit(status);
}

__attribute__((constructor)) static void debug_init(void) {
  debug_options_init();
  rt_hooks.print_stack = hook_print_stack;
  rt_hooks.dump_all = hook_dump_all;
  if (rt_hooks.main_exit != hook_main_exit) {
    next_main_exit = rt_hooks.main_exit;
    rt_hooks.main_exit = hook_main_exit;
  }
  if (debug_option_sigquit()) sigquit_install();
}
