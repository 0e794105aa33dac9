/*
 * panic.c - panics, fatal errors, faults and out-of-memory.
 *
 * weft has no recover: a panic is always fatal, as an unrecovered Go panic
 * is. Both kinds print Go's layout,
 *     panic: send on closed channel            fatal error: sync: unlock of unlocked mutex
 *     <blank>                                  <blank>
 *     goroutine 7 [running]:                   goroutine 7 [running]:
 *     <stack>                                  <stack>
 * and exit with status 2 without running atexit handlers (the program's
 * state is not to be trusted any more). The stack is printed by the hook
 * src/debug installs (symbolized, with file:line); without it, by glibc's
 * backtrace_symbols_fd.
 *
 * Faults: each worker thread has an alternate signal stack, so a SIGSEGV
 * caused by running off the end of a goroutine stack (into its guard
 * region) can still be reported: "fatal error: stack overflow in goroutine
 * N". Any other SIGSEGV/SIGBUS is reported the way Go reports a nil
 * dereference. We install these handlers only where nobody else has one
 * (and never in sanitizer builds, whose runtimes own these signals).
 */
#include <execinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/sched.h"

struct rt_hooks rt_hooks;

#define ALTSTACK_SIZE (256 * 1024)

void rt_print_goroutine_header(FILE *out, struct weft_g *g, const char *state) {
  if (g && g->foreign) fprintf(out, "thread %llu [%s]:\n", (unsigned long long)g->id, state);
  else fprintf(out, "goroutine %llu [%s]:\n", (unsigned long long)(g ? g->id : 0), state);
}

static void print_current_stack(FILE *out) {
  struct weft_g *g = rt_current();
  if (rt_hooks.print_stack) {
    rt_hooks.print_stack(out, g);
    return;
  }
  rt_print_goroutine_header(out, g, "running");
  fflush(out);
  void *pcs[64];
  int n = backtrace(pcs, 64);
  backtrace_symbols_fd(pcs, n, fileno(out));
}

/* The first fatal error or panic wins; any other thread that dies at the
 * same time waits for the process to end instead of interleaving its own
 * report (as Go does). A panic raised while printing the first one (a
 * broken stack, say) is not reported again. */
static _Atomic bool dying;

static void wait_for_exit(void) {
  for (;;) pause();
}

void rt_die_claim(void) {
  if (atomic_exchange(&dying, true)) wait_for_exit();
}

_Noreturn static void die(const char *prefix, const char *fmt, va_list ap) {
  if (atomic_exchange(&dying, true)) {
    wait_for_exit();
    _exit(2);
  }
  fflush(stdout);
  fputs(prefix, stderr);
  vfprintf(stderr, fmt, ap);
  fputs("\n\n", stderr);
  print_current_stack(stderr);
  fflush(stderr);
  _exit(2);
}

_Noreturn void rt_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  die("fatal error: ", fmt, ap);
}

_Noreturn void rt_panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  die("panic: ", fmt, ap);
}

void *rt_malloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p) rt_fatal("out of memory: cannot allocate %zu bytes", size);
  return p;
}

void *rt_calloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) rt_fatal("out of memory: cannot allocate %zu x %zu bytes", n, size);
  return p;
}

/* ---- faults --------------------------------------------------------------- */

#if !defined(WEFT_ASAN_FIBERS) && !defined(WEFT_TSAN_FIBERS) && !defined(__SANITIZE_ADDRESS__)
#define WEFT_FAULT_HANDLER 1
#endif

#ifdef WEFT_FAULT_HANDLER
static void fault_handler(int sig, siginfo_t *si, void *ucontext) {
  if (atomic_exchange(&dying, true)) wait_for_exit();
  struct weft_g *g = rt_goroutine();
  char *lo;
  fflush(stdout);
  if (g && stack_guard_hit(si->si_addr, &lo) && lo == g->stack.lo) {
    fprintf(stderr, "fatal error: stack overflow in goroutine %llu\n", (unsigned long long)g->id);
    fprintf(stderr, "(stack size %zu bytes; raise it with WEFT_STACK_SIZE)\n\n", rt_stack_size);
  } else {
    void *pc = NULL;
#if defined(__x86_64__)
    pc = (void *)((ucontext_t *)ucontext)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    pc = (void *)((ucontext_t *)ucontext)->uc_mcontext.pc;
#endif
    fprintf(stderr, "panic: runtime error: invalid memory address or nil pointer dereference\n");
    fprintf(stderr, "[signal %s: %s code=%#x addr=%p pc=%p]\n\n",
            sig == SIGSEGV ? "SIGSEGV" : "SIGBUS",
            sig == SIGSEGV ? "segmentation violation" : "bus error",
            (unsigned)si->si_code, si->si_addr, pc);
  }
  print_current_stack(stderr);
  fflush(stderr);
  _exit(2);
}
#endif

void signals_init(void) {
#ifdef WEFT_FAULT_HANDLER
  int sigs[] = {SIGSEGV, SIGBUS};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct sigaction old;
    if (sigaction(sigs[i], NULL, &old) != 0) continue;
    if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL) continue; /* someone else's */
    if ((old.sa_flags & SA_SIGINFO) && old.sa_sigaction) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(sigs[i], &sa, NULL);
  }
#endif
}

/* Every worker gets an alternate signal stack, in every build: handlers
 * installed with SA_ONSTACK (ours for faults, src/debug's for SIGQUIT)
 * must not run on a goroutine's stack, which may be the one that
 * overflowed and is sized for the goroutine, not for a symbolizer. */
void signals_init_thread(struct worker *w) {
  void *p = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  stack_t ss = {.ss_sp = p, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) == 0) w->altstack = p;
  else munmap(p, ALTSTACK_SIZE);
}
