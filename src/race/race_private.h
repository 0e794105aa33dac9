/*
 * race_private.h - what the files of src/race share (private).
 *
 * The race detector is a happens-before detector in the style of
 * ThreadSanitizer v3 and FastTrack, built for goroutines:
 *
 *   shadow.c     shadow memory: 4 cells of 32 bits per 8 application bytes
 *                (2x the memory it covers), found in O(1) from any address
 *                through a two-level table of lazily mapped regions.
 *   context.c    contexts (one per goroutine, one per OS thread for code
 *                that runs outside goroutines), slots, the world reset, and
 *                the runtime hooks race_go_start/go_end/switch.
 *   sync.c       vector clocks of synchronisation objects (addr -> clock),
 *                acquire/release, epochs.
 *   access.c     the compilers' plain-access entry points and the check
 *                itself (the hot path); function entry/exit.
 *   atomic.c     the compilers' atomic entry points.
 *   history.c    per-context event rings and restoring a past access's stack.
 *   depot.c      hash-consed stacks (creation and allocation stacks).
 *   report.c     turning a detected race into Go's report; suppression;
 *                the exit status.
 *   options.c    WEFT_RACE.
 *   heap.c       malloc and friends: shadow reset, heap block table.
 *   intercept.c  libc memory/string functions, mmap, pthreads.
 *   annotate.c   the public weft_race_* API (both flavours).
 *
 * Vocabulary (TSan v3's):
 *   slot    one of RACE_SLOTS columns of every vector clock. A context needs
 *           a slot to access memory. Slots are few (clocks stay 512 bytes
 *           however many goroutines exist) and recycled: a goroutine keeps
 *           its slot while parked and loses it only when every slot is
 *           taken by someone else. Epochs of a slot only grow, so a cell
 *           written by an earlier owner stays comparable; the price is that
 *           a new owner appears to have synchronised with the old owner's
 *           earlier accesses (false negatives only, never false reports).
 *   epoch   a slot's logical time; incremented by every release. A cell
 *           (sid, epoch) happened before the current context iff
 *           epoch <= clock[sid].
 *   reset   when every slot has used all 2^14 epochs, the whole detector
 *           state (shadow, sync clocks, slots) is wiped and time restarts.
 *           Races spanning a reset are missed; nothing false is reported.
 */
#ifndef WEFT_RACE_RACE_PRIVATE_H
#define WEFT_RACE_RACE_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "race/race.h"
#include "runtime/lock.h"
#include "runtime/runtime.h"

#define RACE_API __attribute__((visibility("default")))
#define RACE_LIKELY(x) __builtin_expect(!!(x), 1)
#define RACE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RACE_NOINLINE __attribute__((noinline))
#define RACE_COLD __attribute__((noinline, cold))
#define RACE_INLINE static inline __attribute__((always_inline))

/* ---- shadow cells ---------------------------------------------------------- */

/*
 * One cell records one access to (part of) an aligned 8-byte word:
 *
 *   bits  0..7   mask     which bytes of the word (never 0 in a real access)
 *   bits  8..15  sid      slot of the accessing context
 *   bits 16..29  epoch    the slot's epoch at the access (1..RACE_EPOCH_MAX)
 *   bit  30      read     0: write
 *   bit  31      atomic
 *
 * A word has RACE_CELLS cells; 0 is an empty cell. A freed heap word holds
 * RACE_CELL_FREED in cell 0 (mask 0: it overlaps no access) and the free,
 * recorded as a write of the whole word, in cell 1.
 */
typedef uint32_t race_cell;
#define RACE_CELLS 4
#define RACE_CELL_MASK 0xFFu
#define RACE_CELL_SID_SHIFT 8
#define RACE_CELL_EPOCH_SHIFT 16
#define RACE_EPOCH_BITS 14
#define RACE_EPOCH_MAX ((1u << RACE_EPOCH_BITS) - 1)
#define RACE_CELL_READ (1u << 30)
#define RACE_CELL_ATOMIC (1u << 31)
#define RACE_CELL_FREED 0xFFFFFF00u
#define RACE_SLOTS 256

_Static_assert(sizeof(race_cell) * RACE_CELLS == 2 * 8, "shadow must be 2x the application memory");
_Static_assert(RACE_CELL_EPOCH_SHIFT + RACE_EPOCH_BITS == 30, "cell fields must not overlap");
_Static_assert(RACE_SLOTS == 1 << (RACE_CELL_EPOCH_SHIFT - RACE_CELL_SID_SHIFT), "sid field width");

RACE_INLINE unsigned cell_sid(race_cell c) { return (c >> RACE_CELL_SID_SHIFT) & 0xFF; }
RACE_INLINE unsigned cell_epoch(race_cell c) { return (c >> RACE_CELL_EPOCH_SHIFT) & RACE_EPOCH_MAX; }

/*
 * Shadow address of application address a: a region table indexed by
 * a >> RACE_REGION_SHIFT holds the base of each region's shadow, mapped
 * (MAP_NORESERVE, committed by the kernel only where touched) the first
 * time an address in the region is accessed. Addresses beyond
 * RACE_ADDR_BITS are not tracked.
 */
#define RACE_REGION_SHIFT 30
#define RACE_ADDR_BITS 48
#define RACE_REGIONS ((size_t)1 << (RACE_ADDR_BITS - RACE_REGION_SHIFT))
#define RACE_REGION_SHADOW ((size_t)2 << RACE_REGION_SHIFT)

extern char *_Atomic race_shadow_regions[RACE_REGIONS];
race_cell *shadow_region_new(uintptr_t addr);

RACE_INLINE race_cell *shadow_cells(uintptr_t a) {
  uintptr_t r = a >> RACE_REGION_SHIFT;
  if (RACE_UNLIKELY(r >= RACE_REGIONS)) return NULL;
  char *base = atomic_load_explicit(&race_shadow_regions[r], memory_order_relaxed);
  if (RACE_UNLIKELY(!base)) return shadow_region_new(a);
  return (race_cell *)(base + ((a & (((uintptr_t)1 << RACE_REGION_SHIFT) - 1)) >> 3) * 16);
}

/* Empties the shadow of [addr, addr+size) (pages are given back when the
 * range is large). */
void shadow_clear(uintptr_t addr, size_t size);
/* Empties every region (world reset). */
void shadow_clear_all(void);

/* ---- history ------------------------------------------------------------ */

/* One event of a context's history ring (history.c). */
struct race_event {
  uint64_t w0, w1;
};

enum race_event_kind {
  EV_ACCESS = 1,   /* w0: pc | flags; w1: addr | size << 48 */
  EV_ENTRY = 2,    /* w0: call pc; w1: shadow stack depth after the entry */
  EV_EXIT = 3,     /* w1: depth after the exit */
  EV_EPOCH = 4,    /* w1: new sid | new epoch << 8 | old sid << 24 | old epoch << 32 | old valid << 48 */
};
#define EV_KIND_SHIFT 56
#define EV_PC_MASK ((UINT64_C(1) << 48) - 1)
#define EV_READ (UINT64_C(1) << 50)
#define EV_ATOMIC (UINT64_C(1) << 51)
#define EV_FREE (UINT64_C(1) << 52)

/* ---- contexts ------------------------------------------------------------ */

enum ctx_kind { CTX_GOROUTINE, CTX_THREAD };

/*
 * A context: the detector's state of one goroutine (g->race, recycled with
 * the g) or of one OS thread's code outside goroutines (foreign threads,
 * the main thread before weft_main, a worker's scheduler loop).
 *
 * Owned by whoever runs it; other threads read it only while it is not
 * running (slot stealing, under race_slot_lock) or racily for reports
 * (history.c copies and validates).
 */
struct race_ctx {
  /* The hot part, read by every access. */
  uint32_t fast;                 /* sid << 8 | epoch << 16: the cell template */
  uint32_t relog;                /* relog window open: misses it may still meet (history.c) */
  uint32_t evict;                /* rotating victim for full shadow words */
  uint32_t depth, stack_cap;     /* shadow call stack */
  uintptr_t *stack_pc;           /* [depth]: call pc of each instrumented frame */
  uintptr_t *stack_cfa;          /* [depth]: that frame's stack pointer at the call */
  struct race_event *ring;       /* history, ring_mask + 1 events */
  uint64_t ring_pos;             /* events ever written */
  uint64_t ring_grow_at;         /* ring_pos at which ring_put must call ring_grow */
  uint64_t ring_mask;
  uint64_t part_end;             /* ring_pos at which the next relog window opens */
  uint32_t relog_budget;         /* events the open relog window may still log */
  uint64_t *relog_seen;          /* accesses relogged in this window (lazy) */
  void *ring_retired;            /* outgrown rings, freed at the next incarnation */
  uintptr_t stack_low;           /* lowest frame seen (stack shadow reset) */

  /* Time. */
  uint16_t epoch;
  uint8_t sid;
  bool has_slot;                 /* holds slot sid (valid iff slots[sid].owner == this) */
  bool time_valid;               /* sid/epoch name its last epoch in this generation */
  int ignore;                    /* weft_race_ignore_begin depth */
  uint64_t gen;                  /* world generation of clock[] and the slot */
  _Atomic int running;           /* on a thread right now (never stolen then) */
  uint64_t last_run;             /* for choosing a slot to steal (LRU) */

  /* Identity, for reports. */
  enum ctx_kind kind;
  bool main;                     /* goroutine 1, or the process's main thread */
  bool started;                  /* has run since race_go_start */
  _Atomic bool finished;
  uint64_t id;                   /* goroutine id, or OS thread id */
  _Atomic uint32_t incarnation;  /* bumped at each race_go_start on this ctx */
  uint32_t create_stack;         /* depot id of where it was created (0: none) */
  struct weft_g *g;
  uintptr_t stk_lo, stk_hi;      /* its stack, for resetting the shadow */

  uint16_t clock[RACE_SLOTS] __attribute__((aligned(64)));
};

/*
 * Per OS thread. busy and gen_ok implement the reset's quiescence (an
 * asymmetric Dekker handshake: the hot path does two plain stores, the
 * resetter does membarrier): a thread is inside the detector iff busy, and
 * it may use the fast path iff gen_ok equals race_world_gen.
 */
struct race_thread {
  _Atomic int busy;
  uint64_t gen_ok;               /* == race_world_gen: ctx attached, not ignoring, no relog window */
  uint64_t gen_window;           /* == race_world_gen: the same, but ctx has a relog window open */
  struct race_ctx *ctx;          /* current context */
  struct race_ctx *thread_ctx;   /* this thread's own context (lazy) */
  int in_rt;                     /* inside the detector's own slow code */
  bool registered;
  uintptr_t stack_hi;            /* for thread contexts */
  struct race_thread *next;      /* registry (race_threads_lock) */
  /* Between race_timer_fire_begin and _end (context.c): the context's
   * clock before it borrowed the timer's, and the timer's arming stack
   * (the "created at" of goroutines spawned meanwhile). */
  struct race_ctx *fire_ctx;
  uint64_t fire_gen;
  uint16_t *fire_saved;          /* RACE_SLOTS entries, allocated once */
  uint32_t fire_stack;
};

extern __thread struct race_thread race_tls __attribute__((tls_model("initial-exec")));
extern _Atomic uint64_t race_world_gen;   /* even: stable; odd: a reset is running */
extern int race_fence_mode;               /* 1: no membarrier, hot path fences */
extern _Atomic bool race_inited;

#define RACE_GEN_INVALID UINT64_MAX

void race_init(void);

/* Slow entry: initialises the thread, waits out a reset, attaches a slot.
 * Returns the context to use with busy set, or NULL (ignored; busy clear). */
struct race_ctx *hook_enter_slow(struct race_thread *t);

/* Sets busy; true if t->ctx may be used at once (else: hook_enter_slow). */
RACE_INLINE bool hook_enter_fast(struct race_thread *t) {
  atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
  if (RACE_UNLIKELY(race_fence_mode)) atomic_thread_fence(memory_order_seq_cst);
  else atomic_signal_fence(memory_order_seq_cst);
  return atomic_load_explicit(&race_world_gen, memory_order_acquire) == t->gen_ok;
}

/* Sets busy; the context to use, or NULL (ignored; busy clear). A relog
 * window matters to plain accesses only (access.c). */
RACE_INLINE struct race_ctx *hook_enter(struct race_thread *t) {
  if (RACE_LIKELY(hook_enter_fast(t))) return t->ctx;
  if (atomic_load_explicit(&race_world_gen, memory_order_relaxed) == t->gen_window) return t->ctx;
  return hook_enter_slow(t);
}

RACE_INLINE void hook_exit(struct race_thread *t) {
  atomic_store_explicit(&t->busy, 0, memory_order_release);
}

/* pthread_create's edge (pthread.c): the parent's knowledge, handed to
 * the new thread's context. */
struct race_fork {
  bool valid;
  uint64_t gen;
  uint32_t create_stack;
  uint16_t clock[RACE_SLOTS];
};
void race_thread_fork(struct race_fork *f, uintptr_t pc);
void race_thread_begin(const struct race_fork *f);

/* Recomputes t->gen_ok after t->ctx or its state changed (busy held). */
void ctx_refresh(struct race_thread *t);
/* The current context, created if needed, without attaching a slot. */
struct race_ctx *ctx_current(void);
/* Ends the current epoch (after a release). busy held. */
void ctx_epoch_next(struct race_ctx *c);
/* A context's id as a report names it: "goroutine 7", "main goroutine",
 * "thread 1234", "main thread". */
void ctx_describe(char *buf, size_t len, bool main, enum ctx_kind kind, uint64_t id);

/* Slots (context.c). Journal lookup: who owned slot sid at epoch. */
struct race_owner {
  struct race_ctx *ctx;
  uint32_t incarnation;
  uint64_t id;
  enum ctx_kind kind;
  bool main;
  uint32_t create_stack;
};
bool slot_owner_at(unsigned sid, unsigned epoch, struct race_owner *out);
/* Visits every context ever made (for report: stacks of goroutines). */
void ctx_for_each(void (*fn)(struct race_ctx *c, void *arg), void *arg);

/* ---- synchronisation (sync.c) ------------------------------------------- */

void sync_acquire(struct race_ctx *c, uintptr_t addr);
void sync_release(struct race_ctx *c, uintptr_t addr, bool merge);
/* Atomic operations run their memory operation under the sync object's
 * lock so that value and clock move together. */
struct race_sync_ref {
  void *bucket;
  struct race_sync *sync;
};
bool sync_lock(uintptr_t addr, bool create, struct race_sync_ref *ref);
void sync_unlock(struct race_sync_ref *ref);
void sync_acquire_locked(struct race_ctx *c, struct race_sync_ref *ref);
void sync_release_locked(struct race_ctx *c, struct race_sync_ref *ref, bool merge);
bool sync_exists(uintptr_t addr);
/* A stack (depot id) kept with the object: where a timer was armed. */
void sync_set_stack(struct race_sync_ref *ref, uint32_t stack);
uint32_t sync_stack(const struct race_sync_ref *ref);
void sync_forget_range(uintptr_t addr, size_t size);
void sync_clear_all(void);

/* ---- accesses (access.c) ------------------------------------------------ */

#define ACC_READ RACE_CELL_READ
#define ACC_ATOMIC RACE_CELL_ATOMIC
#define ACC_FREE 1u   /* internal: the access is a free (never in a cell) */

/* Checks and records an access of [addr, addr+size) by c (busy held). */
void access_range(struct race_ctx *c, uintptr_t addr, size_t size, uint32_t kind, uintptr_t pc);
/* Same, from any context: enters and leaves the detector itself. */
void race_access_range(uintptr_t addr, size_t size, uint32_t kind, uintptr_t pc);
/* Marks [addr, addr+size) freed by c after checking it as a write. */
void access_free(struct race_ctx *c, uintptr_t addr, size_t size, uintptr_t pc);

/* ---- history (history.c) ------------------------------------------------ */

/* ring_put's slow path (at ring_grow_at): the first ring, growing it,
 * and opening a relog window every half ring of events (history.c). */
void ring_grow(struct race_ctx *c);
/* relog_seen has 1 << RACE_RELOG_BITS entries: an access's key
 * (addr << 1 | read) + 1, direct-mapped. */
#define RACE_RELOG_BITS 8
#define RACE_RELOG_DUPS 16
void ring_reset(struct race_ctx *c);
size_t ring_capacity_max(void);

RACE_INLINE void ring_put(struct race_ctx *c, uint64_t w0, uint64_t w1) {
  uint64_t pos = c->ring_pos;
  if (RACE_UNLIKELY(pos >= c->ring_grow_at)) ring_grow(c);
  struct race_event *e = &c->ring[pos & c->ring_mask];
  e->w0 = w0;
  e->w1 = w1;
  c->ring_pos = pos + 1;
}

void history_epoch(struct race_ctx *c, bool old_valid, unsigned old_sid, unsigned old_epoch);

#define RACE_MAX_FRAMES 64
/* In a stored stack, a pc with this bit is a frame of weft's own that
 * reports print anyway: the public function that armed a timer (SPEC 6:
 * the callback's goroutine is "created at" weft_after_func). */
#define RACE_PC_SHOWN ((uintptr_t)1 << 63)
struct race_stack {
  int n;
  bool truncated;
  uintptr_t pc[RACE_MAX_FRAMES];   /* innermost first; pc[0] is exact-ish (return address) */
};
/* The current stack of c: pc, then its shadow stack. */
void stack_current(struct race_ctx *c, uintptr_t pc, struct race_stack *out);
/* Restores the stack of the access recorded in cell `old` of the shadow
 * word at `word`. Fills *owner (unless RESTORE_UNKNOWN) and, when
 * restored, *access_addr with where that access started. */
enum restore_result { RESTORE_UNKNOWN, RESTORE_NO_STACK, RESTORE_OK };
enum restore_result history_restore(race_cell old, uintptr_t word, struct race_owner *owner,
                                    struct race_stack *out, bool *is_free, uintptr_t *access_addr);

/* ---- stack depot (depot.c) ---------------------------------------------- */

uint32_t depot_put(const uintptr_t *pcs, int n);
/* Copies stack id into out (n = 0 if unknown). */
void depot_get(uint32_t id, struct race_stack *out);
/* The current stack (pc first) into the depot. */
uint32_t depot_here(struct race_ctx *c, uintptr_t pc);
/* The same, called from a function of the detector (fp: its
 * __builtin_frame_address(0)) that weft's code may have called on behalf
 * of the user: weft's frames in between are found too (depot.c). */
uint32_t depot_here_fp(struct race_ctx *c, uintptr_t pc, void *fp);
int stack_walk(struct race_ctx *c, void *fp, uintptr_t *out, int max);

/* ---- reports (report.c) ------------------------------------------------- */

struct race_access_facts {
  uintptr_t addr;
  size_t size;
  uint32_t kind;            /* ACC_READ | ACC_ATOMIC | ACC_FREE */
};
/* c's access of [addr, addr+size) (kind, at pc) conflicts with cell `old`
 * of the shadow word at `word`. busy held. */
void report_race(struct race_ctx *c, uintptr_t addr, size_t size, uint32_t kind, uintptr_t pc,
                 race_cell old, bool freed, uintptr_t word);
extern _Atomic int race_reports;
void report_init(void);
/* Where reports go (log_path), opened on first use. */
FILE *report_out(void);

/* ---- heap (heap.c) ------------------------------------------------------ */

struct race_block {
  uintptr_t addr;
  size_t size;
  uint64_t owner_id;
  bool owner_main;
  enum ctx_kind owner_kind;
  bool freed;
  uint32_t stack;           /* depot id of the allocation */
};
/* The heap block containing addr (live, or freed and not reused). */
bool heap_find_block(uintptr_t addr, struct race_block *out);

/* ---- libc (intercept.c) --------------------------------------------------- */

/* Was the function that called an interceptor instrumented? cfa is the
 * interceptor's __builtin_dwarf_cfa(): its caller's stack pointer at the
 * call, which an instrumented caller also passed to __tsan_func_entry
 * (intercept.c explains). */
RACE_INLINE bool race_from_instrumented(uintptr_t cfa) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = t->ctx;
  if (!c || c->depth == 0 || t->in_rt) return false;
  return c->stack_cfa[c->depth - 1] == cfa;
}

/* The real functions, for the detector's own use (never checked). */
void *race_real_memcpy(void *d, const void *s, size_t n);
void *race_real_memset(void *d, int c, size_t n);

/* ---- options (options.c) ------------------------------------------------ */

/*
 * Every WEFT_RACE option, declared once (GORACE's names and meanings).
 * X(name, type, default, min, max, help); OPT_STR values are strings,
 * OPT_INT decimal integers in [min, max], OPT_BOOL 0 or 1.
 * The table drives parsing, validation, WEFT_RACE=help and docs/race.md
 * (tests/race check that every option is documented there).
 */
#define WEFT_RACE_OPTIONS(X)                                                            \
  X(log_path, RACE_OPT_STR, "stderr", 0, 0,                                             \
    "where reports go: stderr, stdout, or a file path (gets .<pid> appended)")          \
  X(exitcode, RACE_OPT_INT, 66, 0, 255,                                                 \
    "exit status of a program that found races and would otherwise exit 0")             \
  X(strip_path_prefix, RACE_OPT_STR, "", 0, 0,                                          \
    "prefix removed from file names in reports")                                        \
  X(history_size, RACE_OPT_INT, 2, 0, 7,                                                \
    "per-goroutine access history holds up to 1024 * 2^history_size events")            \
  X(halt_on_error, RACE_OPT_BOOL, 0, 0, 1,                                              \
    "exit (status exitcode) after the first report")                                    \
  X(atexit_sleep_ms, RACE_OPT_INT, 1000, 0, 3600000,                                    \
    "at the end of weft_main, wait up to this long for goroutines still running")

enum race_opt_type { RACE_OPT_STR, RACE_OPT_INT, RACE_OPT_BOOL };

struct race_options {
  char log_path[512];
  int exitcode;
  char strip_path_prefix[512];
  int history_size;
  int halt_on_error;
  int atexit_sleep_ms;
};
extern struct race_options race_options;   /* written once by race_init */
bool race_options_parse(const char *spec, struct race_options *out, char *err, size_t errlen);
void race_options_defaults(struct race_options *out);
void race_options_help(FILE *out);
void race_options_init(void);

/* ---- small helpers -------------------------------------------------------- */

/* Allocation that never goes through the interposed malloc. */
void *race_alloc(size_t size);
void *race_alloc_zero(size_t size);
void *race_realloc(void *p, size_t size);
void race_free(void *p);

/* Spinning lock for short critical sections inside the detector (rt_lock
 * would also do; this one has no futex and is usable before the runtime
 * starts). */
typedef struct { _Atomic int word; } race_spin;
void race_spin_lock_slow(race_spin *l);
RACE_INLINE void race_spin_lock(race_spin *l) {
  int expected = 0;
  if (RACE_LIKELY(atomic_compare_exchange_weak_explicit(&l->word, &expected, 1,
                                                        memory_order_acquire, memory_order_relaxed)))
    return;
  race_spin_lock_slow(l);
}
RACE_INLINE void race_spin_unlock(race_spin *l) {
  atomic_store_explicit(&l->word, 0, memory_order_release);
}

#endif
