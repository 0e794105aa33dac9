/*
 * traceback.c - capturing stacks and printing them in Go's layout.
 *
 * Two kinds of stack:
 *
 * 1. The calling thread's own (a panic, a fatal error, a fault, SIGQUIT,
 *    weft_dump from a goroutine): libgcc's _Unwind_Backtrace, driven by the
 *    .eh_frame tables that every object has, so it works for code built
 *    without frame pointers and needs no libdw. It allocates nothing, so it
 *    is usable from the fault and SIGQUIT handlers. When it runs inside a
 *    signal handler the frames up to the signal trampoline are dropped: the
 *    stack starts at the interrupted pc (the one frame whose pc is exact,
 *    not a return address), as Go starts a traceback at the signal pc.
 *
 * 2. A goroutine that is switched out (parked, or runnable but not
 *    running). Its registers are in the switch frame at g->sp
 *    (runtime/switch.h): every callee-saved register plus the return
 *    address into rt_switch's caller. That is exactly the register state
 *    right after rt_switch returns, so it is a valid starting point for a
 *    CFI unwinder. With libdw we hand it to libdw's unwinder as a "thread"
 *    of our own (dwfl_attach_state with callbacks: one pseudo-thread whose
 *    initial registers come from the switch frame, and whose memory reads
 *    go through process_vm_readv, which fails cleanly instead of faulting
 *    on a bad address). Frame pointers are not needed; -O2 code is fine.
 *    Without libdw we print the saved pc and whatever a frame-pointer walk
 *    bounded to the goroutine's stack finds (complete only for code built
 *    with -fno-omit-frame-pointer).
 *
 *    Only a goroutine that cannot run during the unwind yields an exact
 *    stack. The deadlock report runs with every worker idle, so there it
 *    always is. weft_dump and SIGQUIT do not stop the world (weft has no
 *    preemption to stop it with): a goroutine running on another worker is
 *    printed as Go prints one, "goroutine running on other thread; stack
 *    unavailable", and a switched-out one is unwound and then checked
 *    (status and sp unchanged, else treated as running). All reads are
 *    fault-free, so a goroutine that does move under our feet costs at
 *    worst a wrong frame, never a crash.
 *
 * Printing (Go's format, C names):
 *     worker(...)
 *     	/src/worker.c:12 +0x39
 * one pair per source frame (inlined calls expanded), weft's own frames
 * hidden unless WEFT_TRACEBACK=system, at most WEFT_DEBUG maxframes frames
 * and then "...additional frames elided...".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <unwind.h>

#include "debug/debug_private.h"
#include "runtime/switch.h"

#ifndef WEFT_HAVE_LIBDW
#define WEFT_HAVE_LIBDW 0
#endif

#if WEFT_HAVE_LIBDW
#include <elfutils/libdwfl.h>
#endif

/* ---- the running stack ----------------------------------------------------- */

struct capture {
  struct debug_stack *s;
  bool signal_seen;
};

static _Unwind_Reason_Code capture_frame(struct _Unwind_Context *ctx, void *arg) {
  struct capture *c = arg;
  int before_insn = 0;
  uintptr_t pc = (uintptr_t)_Unwind_GetIPInfo(ctx, &before_insn);
  if (pc == 0) return _URC_END_OF_STACK;
  if (before_insn && !c->signal_seen) {
    /* Interrupted by a signal: forget the handler's frames. */
    c->signal_seen = true;
    c->s->n = 0;
    c->s->truncated = false;
  }
  if (c->s->n == DEBUG_MAX_PCS) {
    c->s->truncated = true;
    return _URC_END_OF_STACK;
  }
  c->s->pc[c->s->n] = pc;
  c->s->exact[c->s->n] = before_insn != 0;
  c->s->n++;
  return _URC_NO_REASON;
}

void debug_capture_current(struct debug_stack *s) {
  struct capture c = {s, false};
  s->n = 0;
  s->truncated = false;
  _Unwind_Backtrace(capture_frame, &c);
}

/* ---- reading memory without faulting -------------------------------------- */

/*
 * Every read goes through process_vm_readv on our own pid, which fails
 * with EFAULT instead of faulting. Unwinding reads a few words per frame,
 * nearly all of them on the goroutine's stack, so the used part of that
 * stack ([sp, hi), up to WINDOW_MAX) is copied once per goroutine with one
 * system call and reads inside it are served from the copy: a dump of
 * 10000 parked goroutines takes 65 ms instead of 500 ms with one call per
 * word. The copy is also what makes the unwind consistent when the
 * goroutine does not move during it (dump.c checks that afterwards).
 */
#define WINDOW_MAX (256 * 1024)

static const char *read_lo, *read_hi; /* the target's stack (under debug_lock) */
static pid_t read_pid;
static char *window;                  /* copy of [window_lo, window_hi) (under debug_lock) */
static uintptr_t window_lo, window_hi;

static bool vm_read(uintptr_t addr, void *out, size_t len) {
  struct iovec local = {out, len};
  struct iovec remote = {(void *)addr, len};
  ssize_t n = process_vm_readv(read_pid ? read_pid : getpid(), &local, 1, &remote, 1, 0);
  if (n == (ssize_t)len) return true;
  /* process_vm_readv may be forbidden (seccomp): fall back to a plain copy,
   * but only inside the target's own stack, which is mapped. */
  if (n < 0 && (errno == ENOSYS || errno == EPERM) && read_lo &&
      addr >= (uintptr_t)read_lo && addr + len <= (uintptr_t)read_hi && addr + len > addr) {
    memcpy(out, (const void *)addr, len);
    return true;
  }
  return false;
}

/* Copies len bytes at addr; false if they are not readable. */
static bool safe_read(uintptr_t addr, void *out, size_t len) {
  if (window && addr >= window_lo && addr + len <= window_hi && addr + len > addr) {
    memcpy(out, window + (addr - window_lo), len);
    return true;
  }
  return vm_read(addr, out, len);
}

/* Copies [sp, hi) of the target's stack into the window (locked only). */
static void window_fill(uintptr_t sp, uintptr_t hi) {
  window_lo = window_hi = 0;
  if (hi <= sp) return;
  if (hi - sp > WINDOW_MAX) hi = sp + WINDOW_MAX;
  if (!window) window = malloc(WINDOW_MAX);
  if (window && vm_read(sp, window, hi - sp)) {
    window_lo = sp;
    window_hi = hi;
  }
}

/* ---- a switched-out goroutine ---------------------------------------------- */

struct switch_frame {
  uintptr_t word[SWITCH_FRAME_WORDS];
  uintptr_t sp; /* the stack pointer once rt_switch has returned */
};

#if WEFT_HAVE_LIBDW

/* The pseudo-thread libdw unwinds; one at a time, under debug_lock. */
static struct {
  struct switch_frame frame;
  struct debug_stack *s;
} target;

static pid_t unwind_next_thread(Dwfl *dwfl, void *arg, void **thread_argp) {
  if (*thread_argp) return 0;
  *thread_argp = arg;
  return getpid();
}

static bool unwind_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp) {
  *thread_argp = arg;
  return true;
}

static bool unwind_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg) {
  uint64_t v;
  if (!safe_read((uintptr_t)addr, &v, sizeof v)) return false;
  *result = v;
  return true;
}

static bool unwind_initial_registers(Dwfl_Thread *thread, void *arg) {
  const uintptr_t *w = target.frame.word;
#if defined(__x86_64__)
  /* Frame: r15 r14 r13 r12 rbx rbp ret. DWARF: 3 rbx, 6 rbp, 7 rsp, 12-15 r12-r15. */
  Dwarf_Word rbx = w[4];
  Dwarf_Word rbp_rsp[2] = {w[5], target.frame.sp};
  Dwarf_Word r12_r15[4] = {w[3], w[2], w[1], w[0]};
  if (!dwfl_thread_state_registers(thread, 3, 1, &rbx) ||
      !dwfl_thread_state_registers(thread, 6, 2, rbp_rsp) ||
      !dwfl_thread_state_registers(thread, 12, 4, r12_r15))
    return false;
#elif defined(__aarch64__)
  /* Frame: x19..x28 x29 x30 d8..d15. DWARF: 19-30 x19-x30, 31 sp. */
  Dwarf_Word regs[13];
  for (int i = 0; i < 12; i++) regs[i] = w[i];
  regs[12] = target.frame.sp;
  if (!dwfl_thread_state_registers(thread, 19, 13, regs)) return false;
#endif
  dwfl_thread_state_register_pc(thread, w[SWITCH_PC_SLOT]);
  return true;
}

static const Dwfl_Thread_Callbacks unwind_callbacks = {
    .next_thread = unwind_next_thread,
    .get_thread = unwind_get_thread,
    .memory_read = unwind_memory_read,
    .set_initial_registers = unwind_initial_registers,
};

static int unwind_frame(Dwfl_Frame *state, void *arg) {
  struct debug_stack *s = target.s;
  Dwarf_Addr pc;
  bool activation;
  if (!dwfl_frame_pc(state, &pc, &activation) || pc == 0) return DWARF_CB_ABORT;
  if (s->n == DEBUG_MAX_PCS) {
    s->truncated = true;
    return DWARF_CB_ABORT;
  }
  /* The first frame is libdw's "activation", but its pc is the return
   * address out of rt_switch. Later ones are exact only past a signal. */
  s->pc[s->n] = (uintptr_t)pc;
  s->exact[s->n] = s->n > 0 && activation;
  s->n++;
  return DWARF_CB_OK;
}

static bool attached, attach_failed;

static bool unwind_with_libdw(struct debug_stack *s) {
  Dwfl *dwfl = debug_dwfl_session();
  if (!dwfl || !debug_option_symbolize()) return false;
  if (!attached && !attach_failed) {
    attached = dwfl_attach_state(dwfl, NULL, getpid(), &unwind_callbacks, &target);
    attach_failed = !attached;
  }
  if (!attached) return false;
  target.s = s;
  dwfl_getthread_frames(dwfl, getpid(), unwind_frame, NULL); /* ends with an error at the bottom */
  target.s = NULL;
  return s->n > 0;
}

#endif /* WEFT_HAVE_LIBDW */

/* The saved pc, then frame pointers while they stay inside the stack and
 * keep going up. */
static void unwind_frame_pointers(struct debug_stack *s, const struct switch_frame *f,
                                  const char *lo, const char *hi) {
  s->pc[s->n] = f->word[SWITCH_PC_SLOT];
  s->exact[s->n] = false;
  s->n++;
  uintptr_t fp = f->word[SWITCH_FP_SLOT];
  uintptr_t floor = f->sp;
  while (s->n < DEBUG_MAX_PCS) {
    if (fp < floor || fp + 2 * sizeof(uintptr_t) > (uintptr_t)hi || fp % sizeof(uintptr_t))
      return;
    uintptr_t pair[2]; /* saved fp, return address (x86-64 and aarch64 alike) */
    if (!safe_read(fp, pair, sizeof pair) || pair[1] == 0) return;
    s->pc[s->n] = pair[1];
    s->exact[s->n] = false;
    s->n++;
    floor = fp + 2 * sizeof(uintptr_t);
    fp = pair[0];
  }
  s->truncated = true;
}

bool debug_capture_parked(struct debug_stack *s, void *sp, const char *lo, const char *hi,
                          bool locked) {
  s->n = 0;
  s->truncated = false;
  if (!sp) return false;
  struct switch_frame f;
  read_lo = locked ? lo : NULL;
  read_hi = locked ? hi : NULL;
  if (locked) {
    read_pid = getpid();
    window_fill((uintptr_t)sp, (uintptr_t)hi);
  }
  bool ok = false;
  if (safe_read((uintptr_t)sp, f.word, sizeof f.word)) {
    f.sp = (uintptr_t)sp + sizeof f.word;
#if WEFT_HAVE_LIBDW
    if (locked) {
      target.frame = f;
      ok = unwind_with_libdw(s);
    }
#endif
    if (!ok) {
      s->n = 0;
      unwind_frame_pointers(s, &f, lo, hi);
      ok = true;
    }
  }
  if (locked) {
    read_lo = read_hi = NULL;
    window_lo = window_hi = 0;
    read_pid = 0;
  }
  return ok;
}

/* ---- printing --------------------------------------------------------------- */

/* The C library's thread and process entry points: below every stack,
 * never interesting (Go's stacks end at the goroutine's function too). */
static bool libc_entry(const char *func) {
  static const char *const names[] = {"_start", "__libc_start_main", "__libc_start_call_main",
                                      "start_thread", "clone", "clone3", "__clone", "__clone3",
                                      "thread_start"};
  if (!func) return false;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(func, names[i]) == 0) return true;
  return false;
}

static void print_location(FILE *out, const struct debug_frame *f, bool offset) {
  if (f->file) {
    fprintf(out, "\t%s:%d", f->file, f->line);
    if (offset && f->has_offset) fprintf(out, " +0x%lx", (unsigned long)f->offset);
    fputc('\n', out);
  } else if (f->module) {
    /* No line information: where addr2line -e <module> would look. */
    fprintf(out, "\t%s+0x%lx", f->module, (unsigned long)f->module_offset);
    if (offset && f->has_offset) fprintf(out, " +0x%lx", (unsigned long)f->offset);
    fputc('\n', out);
  } else {
    fprintf(out, "\t?:0\n");
  }
}

static void print_frame(FILE *out, const struct debug_frame *f) {
  if (f->func) fprintf(out, "%s(...)\n", f->func);
  else fputs("?()\n", out);
  print_location(out, f, true);
}

void debug_print_stack(FILE *out, const struct debug_stack *s, bool locked) {
  bool system = debug_traceback_level == TRACEBACK_SYSTEM;
  int max = debug_option_maxframes();
  int printed = 0;
  for (int i = 0; i < s->n; i++) {
    struct debug_frame f[DEBUG_MAX_INLINE];
    int n = debug_symbolize(s->pc[i], !s->exact[i], locked, f, DEBUG_MAX_INLINE);
    for (int j = 0; j < n; j++) {
      if (!system && (f[j].internal || libc_entry(f[j].func))) continue;
      if (printed == max) {
        fputs("...additional frames elided...\n", out);
        return;
      }
      print_frame(out, &f[j]);
      printed++;
    }
  }
  if (s->truncated) fputs("...additional frames elided...\n", out);
}

void debug_print_created_by(FILE *out, void *created_pc, uint64_t parent_id, bool locked) {
  if (!created_pc) return;
  struct debug_frame f[DEBUG_MAX_INLINE];
  int n = debug_symbolize((uintptr_t)created_pc, true, locked, f, DEBUG_MAX_INLINE);
  if (n < 1) return;
  fprintf(out, "created by %s", f[0].func ? f[0].func : "?");
  if (parent_id) fprintf(out, " in goroutine %llu", (unsigned long long)parent_id);
  fputc('\n', out);
  /* The innermost frame's line; the offset is the real function's. */
  struct debug_frame loc = f[0];
  loc.has_offset = f[n - 1].has_offset;
  loc.offset = f[n - 1].offset;
  print_location(out, &loc, true);
}
