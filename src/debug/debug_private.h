/*
 * debug_private.h - what the files of src/debug share, and the small API
 * the runtime and the detectors (src/check, src/race, src/synctest, the
 * testing harness) use to read options and print stacks (private).
 *
 * The pieces, one per file:
 *   options.c    WEFT_DEBUG and WEFT_TRACEBACK: parsed once at start-up
 *                from the table below; bad input is a start-up error.
 *   symbolize.c  program counter -> function, file:line (libdw), cached.
 *   traceback.c  capturing stacks (the running one, a parked goroutine's)
 *                and printing them in Go's layout.
 *   dump.c       goroutine dumps: weft_dump, SIGQUIT, deadlock, panics;
 *                installs the runtime hooks.
 *   leak.c       the end-of-program leak report (WEFT_DEBUG=leakcheck=1).
 *   symtab.c     function names from ELF symbol tables (no libdw).
 *   report_stack.c  a stack of its own for the reporter.
 *
 * Reporting is kept apart from detection (KCSAN's rule): nothing here is
 * on a hot path. Detectors capture facts cheaply (a pc, a g) and call in
 * here only when something must be printed.
 */
#ifndef WEFT_DEBUG_DEBUG_PRIVATE_H
#define WEFT_DEBUG_DEBUG_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/runtime.h"

/* ---- options -------------------------------------------------------------- */

/*
 * Every WEFT_DEBUG key, declared once. The table drives parsing and
 * validation (options.c), the help text (debug_options_help, printed for
 * WEFT_DEBUG=help, on errors, and by `weft env`), the accessors below, and
 * docs/diagnostics.md (tests/debug/test_options.c checks that every key is
 * documented there with this help text).
 *
 * X(name, type, default, min, max, help)
 *   type OPT_BOOL takes 0 or 1; OPT_INT a decimal integer in [min, max].
 * Add a key by adding a row; its accessor debug_option_<name>() follows.
 */
#ifndef WEFT_RACE
#define WEFT_RACE 0
#endif
#define WEFT_DEBUG_OPTIONS(X)                                                        \
  X(leakcheck, OPT_BOOL, 0, 0, 1,                                                    \
    "report goroutines still alive when weft_main's function returns; exit status 2") \
  X(lockorder, OPT_BOOL, WEFT_RACE, 0, 1,                                            \
    "report lock-order inversions (potential deadlocks); default 1 in race builds")  \
  X(symbolize, OPT_BOOL, 1, 0, 1,                                                    \
    "print function, file:line in stacks (0: raw addresses, no debug info read)")   \
  X(maxframes, OPT_INT, 100, 1, 100000,                                              \
    "frames printed per stack before \"...additional frames elided...\"")            \
  X(sigquit, OPT_BOOL, 1, 0, 1,                                                      \
    "on SIGQUIT (Ctrl-\\) print every goroutine and exit 2, as Go does")

enum debug_option_type { OPT_BOOL, OPT_INT };

/* Parsed values; written once by debug_options_init (before main, from a
 * constructor, single-threaded), read-only afterwards: no lock needed. */
struct debug_options {
#define DEBUG_X(name, type, def, min, max, help) int name;
  WEFT_DEBUG_OPTIONS(DEBUG_X)
#undef DEBUG_X
};
extern struct debug_options debug_options;

#define DEBUG_X(name, type, def, min, max, help) \
  static inline int debug_option_##name(void) { return debug_options.name; }
WEFT_DEBUG_OPTIONS(DEBUG_X)
#undef DEBUG_X

/* WEFT_TRACEBACK, Go's GOTRACEBACK twin: how much a panic or fatal error
 * prints. Stored in debug_traceback_level. */
#define WEFT_TRACEBACK_LEVELS(X)                                                   \
  X(TRACEBACK_NONE, "none", "no stacks, only the message")                        \
  X(TRACEBACK_SINGLE, "single", "the stack of the goroutine at fault (default)")  \
  X(TRACEBACK_ALL, "all", "the goroutine at fault, then every other goroutine")    \
  X(TRACEBACK_SYSTEM, "system", "like all, plus weft's own frames and goroutines")

enum debug_traceback {
#define DEBUG_X(name, text, help) name,
  WEFT_TRACEBACK_LEVELS(DEBUG_X)
#undef DEBUG_X
};
extern enum debug_traceback debug_traceback_level;

/* Parses WEFT_DEBUG and WEFT_TRACEBACK from the environment (again: tests
 * call it after changing them). A bad value prints the error and the valid
 * keys to stderr and exits with status 2; WEFT_DEBUG=help prints the keys
 * and exits 0. */
void debug_options_init(void);
/* Parses `spec` (a WEFT_DEBUG value) into *out without touching the
 * globals. Returns true, or false with a one-line reason in err. */
bool debug_options_parse(const char *spec, struct debug_options *out, char *err, size_t errlen);
/* The help text: one line per key, then WEFT_TRACEBACK (for `weft env`). */
void debug_options_help(FILE *out);

/* ---- racy reads ------------------------------------------------------------ */

/*
 * A report reads other goroutines' state (status, wait reason, saved
 * stack) while they may be changing it: a snapshot taken without stopping
 * the world, racy by design and validated where it matters (dump.c). In
 * builds where real ThreadSanitizer checks weft itself, these reads are
 * excluded from checking (and only these: the reporter's own
 * synchronisation is still seen).
 */
#if defined(WEFT_TSAN_FIBERS)
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define DEBUG_RACY_READS_BEGIN() __tsan_ignore_thread_begin()
#define DEBUG_RACY_READS_END() __tsan_ignore_thread_end()
#else
#define DEBUG_RACY_READS_BEGIN() ((void)0)
#define DEBUG_RACY_READS_END() ((void)0)
#endif

/* ---- the symbolizer lock -------------------------------------------------- */

/*
 * One lock serialises everything in src/debug that touches shared state
 * (the symbol cache, libdw's session, the unwinder's target). Reports may
 * come from signal handlers and fatal paths, so it never blocks forever:
 * debug_lock() returns false when this very thread already holds it (a
 * fault inside the reporter) or when it could not get it within a second
 * (a reporter wedged elsewhere). Callers then print what needs no shared
 * state (raw addresses, dladdr names).
 */
bool debug_lock(void);
void debug_unlock(void);

/* ---- symbolization (symbolize.c) ------------------------------------------ */

/* One source-level frame. A pc inside inlined code yields several frames,
 * innermost first; only the last (the real function) has an offset. */
struct debug_frame {
  const char *func;        /* source name; NULL if unknown */
  const char *file;        /* NULL if unknown */
  int line;
  bool has_offset;         /* false for inlined frames */
  uintptr_t offset;        /* pc - function entry */
  bool internal;           /* weft's own code: hidden unless WEFT_TRACEBACK=system */
  const char *module;      /* object file containing pc (for addr2line) */
  uintptr_t module_offset; /* pc - module load bias */
};

#define DEBUG_MAX_INLINE 8

/*
 * Fills out[0..max) with the frames of pc, innermost first; returns how
 * many (at least 1). return_address: pc is a return address, so the call
 * instruction (pc - 1) is what gets looked up. Results are cached; the
 * strings stay valid for the life of the process. Caller holds debug_lock
 * (if it could not, pass locked = false: dladdr only, nothing cached).
 */
int debug_symbolize(uintptr_t pc, bool return_address, bool locked,
                    struct debug_frame *out, int max);

/* Is pc in weft's own code? (Same rule as debug_frame.internal.) */
bool debug_pc_internal(uintptr_t pc, bool locked);

/* Without debug info (symtab.c): the function symbol containing pc, from
 * the module's ELF .symtab (or .dynsym), with its address in *start;
 * NULL if none. And whether pc is weft's code by module and address range.
 * Caller holds debug_lock. */
const char *debug_symtab_lookup(uintptr_t pc, uintptr_t *start);
bool debug_symtab_internal(uintptr_t pc);

/* Whether this build reads DWARF (file:line, inlined frames, stacks of
 * parked goroutines): WEFT_HAVE_LIBDW and WEFT_DEBUG=symbolize=1. */
bool debug_have_libdw(void);

/* The libdw session for this process (a Dwfl *), created on first use;
 * NULL without libdw or if it cannot be set up. Caller holds debug_lock. */
void *debug_dwfl_session(void);

/* ---- stacks (traceback.c) ------------------------------------------------- */

#define DEBUG_MAX_PCS 256

struct debug_stack {
  int n;
  bool truncated;                 /* more frames than DEBUG_MAX_PCS */
  uintptr_t pc[DEBUG_MAX_PCS];
  bool exact[DEBUG_MAX_PCS];      /* pc is not a return address */
};

/* The calling thread's stack (frames of src/debug itself included; they
 * are internal). When the caller runs in a signal handler, the stack
 * starts at the interrupted pc. Async-signal-tolerant: no malloc. */
void debug_capture_current(struct debug_stack *s);

/* A goroutine that is not running: unwound from the switch frame saved at
 * sp (runtime/switch.h), inside stack [lo, hi). Caller holds debug_lock
 * (locked = false: the saved pc only). Returns false if nothing could be
 * read. */
bool debug_capture_parked(struct debug_stack *s, void *sp, const char *lo, const char *hi,
                          bool locked);

/* Prints s in Go's layout ("fn(...)\n\t/file.c:12 +0x39\n" per frame),
 * skipping weft's frames unless WEFT_TRACEBACK=system, at most maxframes. */
void debug_print_stack(FILE *out, const struct debug_stack *s, bool locked);

/* "created by fn in goroutine K\n\t/file.c:30 +0x104\n" */
void debug_print_created_by(FILE *out, void *created_pc, uint64_t parent_id, bool locked);

/* ---- goroutine dumps (dump.c) --------------------------------------------- */

/* What a report needs of one g, copied under the registry lock so that
 * printing works on a consistent picture. */
struct debug_g {
  struct weft_g *g;
  uint64_t id, parent_id;
  int status;
  wait_reason reason;
  const void *wait_obj;
  int64_t wait_since;
  void *sp;
  void *created_pc;
  void (*fn)(void *);
  struct rt_stack stack;
  bool foreign, system, main;
};

/* Live goroutines (and foreign threads parked in weft), in report order:
 * `first` (if non-NULL) first, then the main goroutine, then by id,
 * foreign threads last. System goroutines only if include_system.
 * Returns a malloc'd array (free it) and its length in *n. */
struct debug_g *debug_collect(struct weft_g *first, bool include_system, size_t *n);

/* Header options: Go's dump header is "[reason]" or "[reason, N minutes]";
 * leak reports add the duration always, the object and the holder. */
enum { HEADER_GO = 0, HEADER_LEAK = 1 };
void debug_print_header(FILE *out, const struct debug_g *d, const char *state, int style);

/* One goroutine: header, stack, created-by. `live` is the stack of the
 * calling goroutine when d is it (captured by the caller, in place);
 * NULL for the others, whose stacks are unwound from their saved state. */
void debug_print_goroutine(FILE *out, const struct debug_g *d, const struct debug_stack *live,
                           int style, bool locked);

/* Runs fn(arg) on the report stack (report_stack.c), a 1 MiB stack of its
 * own, so that a report works however little of the caller's stack is
 * left; in place if the report stack is in use. */
void debug_on_report_stack(void (*fn)(void *), void *arg);

/* Optional: who holds the object a g waits on. src/sync provides
 * sync_holder_goid; it is a weak reference so that src/debug links without
 * src/sync (static archives pull in only what is referenced). */
bool sync_holder_goid(const struct weft_g *waiter, uint64_t *goid, bool *foreign)
    __attribute__((weak));

/* ---- leaks (leak.c) ------------------------------------------------------- */

/*
 * Prints the goroutines still alive (user goroutines that are not the
 * main goroutine, and for which keep(g, arg) is true if keep is given)
 * under a header line naming `when` ("when the main function returned").
 * Waits up to a short grace period for goroutines that are still running
 * or runnable to settle (finish or block). Returns how many were reported.
 * For the testing harness and synctest too.
 */
int debug_leak_report(FILE *out, const char *when,
                      bool (*keep)(const struct weft_g *g, void *arg), void *arg);
/* The rt_hooks.main_exit hook. */
void debug_leak_main_exit(int *status);

#endif
