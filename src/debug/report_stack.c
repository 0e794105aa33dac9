/*
 * report_stack.c - running a report on a stack of its own.
 *
 * A report can be asked for from the worst place: a panic at the bottom of
 * a deep recursion, SIGQUIT landing on a goroutine that has used most of
 * its 256K, a sanitizer build whose frames are several times larger. The
 * reporter itself is not small (libdw loads and walks debug information on
 * first use), so running it on whatever stack it was called on can turn a
 * panic into a second, silent crash. Go runs tracebacks on the system
 * stack for the same reason.
 *
 * So the expensive part of a report runs on a dedicated 1 MiB stack (with
 * a guard page), mapped the first time it is needed and kept: the caller
 * captures its own stack first (cheap, in place), then
 * debug_on_report_stack switches to the report stack with the runtime's
 * own context switch (rt_switch and its documented frame, switch.h; not
 * swapcontext, which costs a sigprocmask system call and which ASan
 * intercepts with a warning), runs the printing there, and switches back.
 * One report at a time uses it (an atomic flag); a second one meanwhile,
 * or a nested one (a fault inside the reporter), runs in place. mmap and
 * the switch allocate nothing, so this is usable from signal handlers.
 *
 * ASan builds announce both switches with its fiber API (as the scheduler
 * does), so that it does not take the report stack for an overflow. TSan
 * builds run in place: TSan follows stacks only through its fiber API.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "debug/debug_private.h"
#include "runtime/sanitizer.h"
#include "runtime/switch.h"

#define REPORT_STACK_SIZE (1024 * 1024)
#define GUARD_SIZE (64 * 1024)

static char *report_stack;         /* [report_stack, +REPORT_STACK_SIZE) usable */
static _Atomic bool report_stack_busy;

static void *caller_sp, *report_sp;
static void (*report_fn)(void *);
static void *report_arg;
#if defined(WEFT_ASAN_FIBERS)
static const void *caller_bottom;
static size_t caller_size;
#endif

/* First and only frame of the report stack; leaves by switching back, so
 * the stack is prepared afresh for each report. */
_Noreturn static void report_entry(void) {
#if defined(WEFT_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(NULL, &caller_bottom, &caller_size);
#endif
  report_fn(report_arg);
#if defined(WEFT_ASAN_FIBERS)
  __sanitizer_start_switch_fiber(NULL, caller_bottom, caller_size);
#endif
  rt_switch(&report_sp, caller_sp);
  __builtin_unreachable();
}

static bool report_stack_map(void) {
  if (report_stack) return true;
  char *p = mmap(NULL, REPORT_STACK_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return false;
  mprotect(p, GUARD_SIZE, PROT_NONE);
  report_stack = p + GUARD_SIZE;
  return true;
}

/* A switch frame (runtime/switch.h) that "returns" into report_entry as
 * if it had been called: zero callee-saved registers and frame pointer,
 * and on x86-64 a zero return address above it with the stack pointer
 * 8 past a 16-byte boundary, as after a call. */
static void *report_frame(void) {
  uintptr_t top = ((uintptr_t)report_stack + REPORT_STACK_SIZE) & ~(uintptr_t)15;
#if defined(__x86_64__)
  uintptr_t *entry_sp = (uintptr_t *)(top - 8); /* % 16 == 8, as after a call */
  *entry_sp = 0;                                /* the fake return address */
  uintptr_t *frame = entry_sp - SWITCH_FRAME_WORDS;
#else
  uintptr_t *frame = (uintptr_t *)top - SWITCH_FRAME_WORDS; /* sp 16-aligned at entry */
#endif
  memset(frame, 0, SWITCH_FRAME_WORDS * sizeof *frame);
  frame[SWITCH_PC_SLOT] = (uintptr_t)report_entry;
  return frame;
}

void debug_on_report_stack(void (*fn)(void *), void *arg) {
#if defined(WEFT_TSAN_FIBERS)
  fn(arg); /* TSan follows stacks only through its fiber API */
  return;
#endif
  if (atomic_exchange(&report_stack_busy, true)) {
    fn(arg); /* another report is using it, or this is one nested in it */
    return;
  }
  if (!report_stack_map()) {
    atomic_store(&report_stack_busy, false);
    fn(arg);
    return;
  }
  report_fn = fn;
  report_arg = arg;
  void *frame = report_frame();
#if defined(WEFT_ASAN_FIBERS)
  void *fake_stack = NULL;
  __sanitizer_start_switch_fiber(&fake_stack, report_stack, REPORT_STACK_SIZE);
#endif
  rt_switch(&caller_sp, frame);
#if defined(WEFT_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#endif
  atomic_store(&report_stack_busy, false);
}
