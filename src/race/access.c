/*
 * access.c - the check every instrumented load and store makes.
 *
 * The hot path (FastTrack's observation: most accesses are by the context
 * that made the previous one, in the same epoch):
 *
 *   1. enter: busy = 1; compare race_world_gen with the thread's gen_ok
 *      (one load, one compare; anything unusual - no slot, ignoring, a
 *      reset - makes them differ and goes to the slow entry);
 *   2. find the word's 4 cells (shadow_cells: one table load);
 *   3. if a cell already holds exactly this access (same slot, epoch, bytes,
 *      kind), return: nothing new to learn (unless a relog window is open,
 *      see history.c: then the repeat is logged again, once per window);
 *   4. otherwise log the access in the context's history ring, and compare
 *      it with each cell whose bytes overlap: no race if the cell is ours
 *      (same slot), if both are reads, if both are atomic, or if the cell's
 *      epoch <= our clock for its slot (it happened before us);
 *   5. store the access in a cell: one it supersedes (ours or one that
 *      happened before, covering no more bytes and no stronger kind), else
 *      an empty one, else the least valuable (atomic, then read, then
 *      write; the freed marker last).
 * A conflict calls report_race (cold, in report.c) with the facts.
 *
 * Byte masks make sub-word accesses exact: a write of byte 3 and a write
 * of byte 4 of the same word never conflict, and an unaligned access is
 * split into the words it touches.
 *
 * Superseding a cell that happened before us loses no race: any later
 * access concurrent with the old one is concurrent with ours too (else the
 * old one would happen before it), and ours is at least as strong.
 *
 * Cells are read with relaxed 32-bit loads and replaced with a
 * compare-and-swap, so that two threads storing into the same word at once
 * (a flag beside the data it guards) never overwrite each other's access;
 * the loser looks again. After storing, the cells that changed since we
 * looked are compared once more, which catches most accesses made by
 * another thread at the very same moment (without a fence, not all: the
 * detector can then miss a race, never invent one).
 */
#if WEFT_RACE
#include "race/race_private.h"
#include "race/tsan_abi.h"

static inline race_cell cell_load(race_cell *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void cell_store(race_cell *p, race_cell v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
/* Replaces `old` by v unless another thread changed the cell meanwhile. */
static inline bool cell_replace(race_cell *p, race_cell old, race_cell v) {
  return __atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static inline void log_access(struct race_ctx *c, uint32_t kind, uintptr_t pc, uintptr_t access_addr,
                              size_t access_size) {
  uint64_t flags = ((kind & RACE_CELL_READ) ? EV_READ : 0) | ((kind & RACE_CELL_ATOMIC) ? EV_ATOMIC : 0);
  size_t sz = access_size > 0xFFFF ? 0xFFFF : access_size;
  ring_put(c, (pc & EV_PC_MASK) | flags | (uint64_t)EV_ACCESS << EV_KIND_SHIFT,
           ((uint64_t)access_addr & EV_PC_MASK) | (uint64_t)sz << 48);
}

/* In a relog window (history.c), accesses take the window's entry and
 * these two functions. A repeat is logged again, once per window and
 * access (address and read/write): true if it was (the caller has not
 * logged this access yet). Every other access (a repeat already relogged,
 * or a new access) uses up one of the window's RACE_RELOG_DUPS misses: a
 * hot loop closes the window soon after its working set came round
 * again, and code that makes only new accesses closes it at once. So does
 * spending the budget of relogged events. */
RACE_INLINE void relog_miss(struct race_ctx *c) {
  if (c->relog) c->relog--;
}

static RACE_NOINLINE bool relog_repeat(struct race_ctx *c, uint32_t kind, uintptr_t pc,
                                       uintptr_t access_addr, size_t access_size) {
  if (!c->relog) return false;   /* closed by an earlier word of this access */
  uint64_t key = ((uint64_t)access_addr << 1 | ((kind & RACE_CELL_READ) ? 1 : 0)) + 1;
  uint64_t *seen = &c->relog_seen[(key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - RACE_RELOG_BITS)];
  if (*seen == key) {
    relog_miss(c);
    return false;
  }
  *seen = key;
  log_access(c, kind, pc, access_addr, access_size);
  if (--c->relog_budget == 0) c->relog = 0;
  return true;
}

/* Does cell `old` (non-empty) conflict with our access `cur`? */
static inline bool conflicts(const struct race_ctx *c, race_cell old, race_cell cur, uint32_t mask,
                             uint32_t kind) {
  if (!(old & mask)) return false;                                   /* other bytes */
  if (((old ^ cur) & (0xFFu << RACE_CELL_SID_SHIFT)) == 0) return false; /* ours */
  if (old & kind & RACE_CELL_READ) return false;                     /* two reads */
  if (old & kind & RACE_CELL_ATOMIC) return false;                   /* two atomics */
  return cell_epoch(old) > c->clock[cell_sid(old)];                   /* not before us */
}

/* The general case: compare with every cell, pick one to replace, store,
 * and look again at cells that changed meanwhile. */
static RACE_NOINLINE bool check_word_slow(struct race_ctx *c, race_cell *cells, race_cell cur,
                                          uint32_t mask, uint32_t kind, uintptr_t pc,
                                          uintptr_t word, uintptr_t access_addr, size_t access_size) {
  race_cell v[RACE_CELLS];
again:
  for (int i = 0; i < RACE_CELLS; i++) v[i] = cell_load(&cells[i]);
  int store = -1, empty = -1;
  for (int i = 0; i < RACE_CELLS; i++) {
    race_cell old = v[i];
    if (old == 0) {
      if (empty < 0) empty = i;
      continue;
    }
    uint32_t old_mask = old & RACE_CELL_MASK;
    if (!(old_mask & mask)) continue;
    if (conflicts(c, old, cur, mask, kind)) {
      report_race(c, access_addr, access_size, kind, pc, old, v[0] == RACE_CELL_FREED, word);
      return false;
    }
    /* No conflict: ours, or it happened before us (or both reads/atomics).
     * Does ours supersede it (covers its bytes, at least as strong)? Any
     * later access concurrent with it is then concurrent with ours. */
    bool before = ((old ^ cur) & (0xFFu << RACE_CELL_SID_SHIFT)) == 0 ||
                  cell_epoch(old) <= c->clock[cell_sid(old)];
    bool covers = (old_mask & ~mask) == 0 && (!(kind & RACE_CELL_READ) || (old & RACE_CELL_READ)) &&
                  (!(kind & RACE_CELL_ATOMIC) || (old & RACE_CELL_ATOMIC));
    if (before && covers && store < 0) store = i;
  }
  if (store < 0) store = empty;
  if (store < 0) {
    /* Full: evict the least valuable cell. Atomic accesses can only race
     * with plain ones, reads only with writes: keep writes longest.
     * Among equals, rotate. */
    unsigned start = c->evict++;
    int best = 3;
    for (unsigned k = 0; k < RACE_CELLS; k++) {
      unsigned i = (start + k) & (RACE_CELLS - 1);
      int value = (v[i] & RACE_CELL_ATOMIC) ? 0 : (v[i] & RACE_CELL_READ) ? 1 : 2;
      if (v[i] == RACE_CELL_FREED) value = 3;
      if (value < best) {
        best = value;
        store = (int)i;
      }
    }
    if (store < 0) store = (int)(start & (RACE_CELLS - 1));
  }
  /* Two threads storing into the same cell at once would lose one access:
   * if the cell changed since we looked, look again. */
  if (!cell_replace(&cells[store], v[store], cur)) goto again;
  /* Another thread may have checked this word at the same moment and
   * missed us as we missed it: look once more at the cells that changed
   * meanwhile (cheap; the line is in cache). Not a guarantee (no fence),
   * but it closes most of the window. */
  for (int i = 0; i < RACE_CELLS; i++) {
    if (i == store) continue;
    race_cell old = cell_load(&cells[i]);
    if (old == v[i] || old == 0) continue;
    if (conflicts(c, old, cur, mask, kind)) {
      report_race(c, access_addr, access_size, kind, pc, old, cell_load(&cells[0]) == RACE_CELL_FREED,
                  word);
      return false;
    }
  }
  return true;
}

/* Checks the access `mask` of the word holding addr (busy held); logs it
 * in the history once per access (*logged). False if it was reported. */
RACE_INLINE bool check_word(struct race_ctx *c, uintptr_t addr, uint32_t mask, uint32_t kind,
                            uintptr_t pc, uintptr_t access_addr, size_t access_size,
                            bool *logged, bool relog) {
  race_cell *cells = shadow_cells(addr);
  if (RACE_UNLIKELY(!cells)) return true;
  race_cell cur = c->fast | mask | (kind & (RACE_CELL_READ | RACE_CELL_ATOMIC));
  race_cell v0 = cell_load(&cells[0]), v1 = cell_load(&cells[1]);
  race_cell v2 = cell_load(&cells[2]), v3 = cell_load(&cells[3]);
  /* 1. Nothing new: this very access is already recorded (or, for a read,
   *    our own write of the same bytes in this epoch). */
  if (v0 == cur || v1 == cur || v2 == cur || v3 == cur) goto repeat;
  if (kind & RACE_CELL_READ) {
    race_cell w = cur & ~RACE_CELL_READ;
    if (v0 == w || v1 == w || v2 == w || v3 == w) goto repeat;
  }
  if (relog) relog_miss(c);
  if (!*logged) {
    *logged = true;
    log_access(c, kind, pc, access_addr, access_size);
  }
  /* 2. The word's only cell is empty, or is our own read of the same bytes
   *    that this write supersedes: store and look once more. */
  if (RACE_LIKELY((v1 | v2 | v3) == 0) && (v0 == 0 || v0 == (cur | RACE_CELL_READ))) {
    if (RACE_LIKELY(cell_replace(&cells[0], v0, cur)) &&
        RACE_LIKELY((cell_load(&cells[1]) | cell_load(&cells[2]) | cell_load(&cells[3])) == 0))
      return true;
  }
  /* 3. Everything else. */
  return check_word_slow(c, cells, cur, mask, kind, pc, addr & ~(uintptr_t)7, access_addr, access_size);
repeat:
  /* Nothing to check; but in a relog window, log the repeat again so
   * that the history keeps a recent copy (history.c). */
  if (relog) {
    if (!*logged) *logged = relog_repeat(c, kind, pc, access_addr, access_size);
    else relog_miss(c);
  }
  return true;
}

/* The words of an access of `size` bytes (1..16) at addr; relog: a relog
 * window is open (a constant where this is inlined). */
RACE_INLINE void access_words(struct race_ctx *c, uintptr_t addr, unsigned size, uint32_t kind,
                              uintptr_t pc, bool relog) {
  bool logged = false;
  unsigned off = addr & 7;
  if (RACE_LIKELY(off + size <= 8)) {
    check_word(c, addr, ((1u << size) - 1) << off, kind, pc, addr, size, &logged, relog);
  } else {
    uintptr_t a = addr, end = addr + size;
    while (a < end) {
      unsigned o = a & 7;
      unsigned n = 8 - o;
      if (n > end - a) n = (unsigned)(end - a);
      if (!check_word(c, a, ((1u << n) - 1) << o, kind, pc, addr, size, &logged, relog)) break;
      a = (a & ~(uintptr_t)7) + 8;
    }
  }
}

/* An access of `size` bytes (1..16) at addr. A relog window moves the
 * thread's gen_ok to gen_window (history.c, ctx_refresh): the fast entry
 * never looks at windows, the next one does, until the window closes and
 * the slow entry moves it back. */
RACE_INLINE void access_sized(uintptr_t addr, unsigned size, uint32_t kind, uintptr_t pc) {
  struct race_thread *t = &race_tls;
  if (RACE_LIKELY(hook_enter_fast(t))) {
    access_words(t->ctx, addr, size, kind, pc, false);
  } else if (atomic_load_explicit(&race_world_gen, memory_order_acquire) == t->gen_window &&
             t->ctx->relog) {
    access_words(t->ctx, addr, size, kind, pc, true);
  } else {
    struct race_ctx *c = hook_enter_slow(t);
    if (RACE_UNLIKELY(!c)) return;
    access_words(c, addr, size, kind, pc, c->relog != 0);
  }
  hook_exit(t);
}

void access_range(struct race_ctx *c, uintptr_t addr, size_t size, uint32_t kind, uintptr_t pc) {
  bool logged = false;
  uintptr_t a = addr, end = addr + size;
  if (end < addr) end = UINTPTR_MAX;
  while (a < end) {
    unsigned o = a & 7;
    size_t n = 8 - o;
    if (n > end - a) n = end - a;
    if (!check_word(c, a, ((1u << n) - 1) << o, kind, pc, addr, size, &logged, false)) {
      /* Reported once; the rest of the range is not checked again. */
      break;
    }
    a = (a & ~(uintptr_t)7) + 8;
  }
}

void race_access_range(uintptr_t addr, size_t size, uint32_t kind, uintptr_t pc) {
  if (size == 0) return;
  struct race_thread *t = &race_tls;
  struct race_ctx *c = hook_enter(t);
  if (!c) return;
  access_range(c, addr, size, kind, pc);
  hook_exit(t);
}

/* The first bytes of a freed block stay marked freed, so that a late
 * access reports the free; beyond them the shadow is simply emptied. */
#define FREE_MARK_MAX 4096

void access_free(struct race_ctx *c, uintptr_t addr, size_t size, uintptr_t pc) {
  size_t marked = size < FREE_MARK_MAX ? size : FREE_MARK_MAX;
  bool logged = true;
  uint64_t sz = marked > 0xFFFF ? 0xFFFF : marked;
  ring_put(c, (pc & EV_PC_MASK) | EV_FREE | (uint64_t)EV_ACCESS << EV_KIND_SHIFT,
           ((uint64_t)addr & EV_PC_MASK) | sz << 48);
  uintptr_t a = addr, end = addr + marked;
  while (a < end) {
    unsigned o = a & 7;
    size_t n = 8 - o;
    if (n > end - a) n = end - a;
    if (!check_word(c, a, ((1u << n) - 1) << o, ACC_FREE, pc, addr, size, &logged, false)) break;
    a = (a & ~(uintptr_t)7) + 8;
  }
  /* Now mark: [FREED, the free as a write of the whole word, empty, empty]. */
  race_cell w = c->fast | RACE_CELL_MASK;
  for (a = addr & ~(uintptr_t)7; a < end; a += 8) {
    race_cell *cells = shadow_cells(a);
    if (!cells) break;
    cell_store(&cells[0], RACE_CELL_FREED);
    cell_store(&cells[1], w);
    cell_store(&cells[2], 0);
    cell_store(&cells[3], 0);
  }
  if (size > marked) shadow_clear(addr + marked, size - marked);
}

/* ---- the compilers' entry points ------------------------------------------ */

#define PC() ((uintptr_t)__builtin_return_address(0))

#define RACE_DEF_ACCESS(n)                                                                       \
  RACE_API void __tsan_read##n(void *addr) { access_sized((uintptr_t)addr, n, ACC_READ, PC()); } \
  RACE_API void __tsan_write##n(void *addr) { access_sized((uintptr_t)addr, n, 0, PC()); }       \
  RACE_API void __tsan_volatile_read##n(void *addr) {                                            \
    access_sized((uintptr_t)addr, n, ACC_READ, PC());                                            \
  }                                                                                              \
  RACE_API void __tsan_volatile_write##n(void *addr) { access_sized((uintptr_t)addr, n, 0, PC()); } \
  RACE_API void __tsan_read_write##n(void *addr) { access_sized((uintptr_t)addr, n, 0, PC()); }  \
  RACE_API void __tsan_read##n##_pc(void *addr, void *pc) {                                      \
    access_sized((uintptr_t)addr, n, ACC_READ, (uintptr_t)pc);                                   \
  }                                                                                              \
  RACE_API void __tsan_write##n##_pc(void *addr, void *pc) {                                     \
    access_sized((uintptr_t)addr, n, 0, (uintptr_t)pc);                                          \
  }
RACE_SIZES(RACE_DEF_ACCESS)
#undef RACE_DEF_ACCESS

#define RACE_DEF_UACCESS(n)                                                        \
  RACE_API void __tsan_unaligned_read##n(void *addr) {                             \
    access_sized((uintptr_t)addr, n, ACC_READ, PC());                              \
  }                                                                                \
  RACE_API void __tsan_unaligned_write##n(void *addr) {                            \
    access_sized((uintptr_t)addr, n, 0, PC());                                     \
  }                                                                                \
  RACE_API void __tsan_unaligned_read_write##n(void *addr) {                       \
    access_sized((uintptr_t)addr, n, 0, PC());                                     \
  }
RACE_USIZES(RACE_DEF_UACCESS)
#undef RACE_DEF_UACCESS

RACE_API void __tsan_read_range(void *addr, unsigned long size) {
  race_access_range((uintptr_t)addr, size, ACC_READ, PC());
}

RACE_API void __tsan_write_range(void *addr, unsigned long size) {
  race_access_range((uintptr_t)addr, size, 0, PC());
}

RACE_API void __tsan_init(void) { race_init(); }

RACE_API void __tsan_acquire(void *addr) { race_acquire(addr); }
RACE_API void __tsan_release(void *addr) { race_release_merge(addr); }

/* ---- function entry and exit: the shadow call stack ---------------------- */

/* The shadow stack grows by copying; the outgrown pc array is not freed,
 * because a report on another thread may be reading it (history.c). It is
 * at most as large as the new one, and growth is rare. */
static RACE_NOINLINE void stack_grow(struct race_ctx *c) {
  uint32_t cap = c->stack_cap ? c->stack_cap * 2 : 16;
  uintptr_t *pcs = race_alloc(cap * sizeof *pcs);
  if (c->stack_cap) race_real_memcpy(pcs, c->stack_pc, c->stack_cap * sizeof *pcs);
  c->stack_cfa = race_realloc(c->stack_cfa, cap * sizeof *c->stack_cfa);
  __atomic_store_n(&c->stack_pc, pcs, __ATOMIC_RELEASE);
  c->stack_cap = cap;
}

static RACE_NOINLINE struct race_ctx *entry_ctx_slow(struct race_thread *t) {
  if (!atomic_load_explicit(&race_inited, memory_order_acquire)) race_init();
  if (t->in_rt) return NULL;
  return ctx_current();
}

RACE_API void __tsan_func_entry(void *call_pc) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = t->ctx;
  if (RACE_UNLIKELY(!c)) {
    c = entry_ctx_slow(t);
    if (!c) return;
  }
  uint32_t d = c->depth;
  if (RACE_UNLIKELY(d >= c->stack_cap)) stack_grow(c);
  uintptr_t cfa = (uintptr_t)__builtin_dwarf_cfa();
  c->stack_pc[d] = (uintptr_t)call_pc;
  c->stack_cfa[d] = cfa;
  c->depth = d + 1;
  if (cfa < c->stack_low) c->stack_low = cfa;
  ring_put(c, ((uintptr_t)call_pc & EV_PC_MASK) | (uint64_t)EV_ENTRY << EV_KIND_SHIFT, d + 1);
}

RACE_API void __tsan_func_exit(void) {
  struct race_ctx *c = race_tls.ctx;
  if (RACE_UNLIKELY(!c)) return;
  uint32_t d = c->depth;
  if (RACE_LIKELY(d > 0)) c->depth = --d;
  ring_put(c, (uint64_t)EV_EXIT << EV_KIND_SHIFT, d);
}

#endif
