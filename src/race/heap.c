/*
 * heap.c - malloc and friends in the race flavour.
 *
 * libweft-race defines malloc, calloc, realloc, reallocarray, free,
 * posix_memalign, aligned_alloc, memalign, valloc and pvalloc; they call
 * glibc's own entry points (__libc_malloc, ...) and add three things:
 *
 *   1. A new block's shadow is emptied: the memory may have been used and
 *      freed by another goroutine, and its old cells must not make the new
 *      owner's first accesses look like races (glibc's locks order a free
 *      before the malloc that reuses it, but the detector cannot see them).
 *   2. free() is a write of the whole block by the freeing context: it
 *      races with any access another goroutine made without
 *      happens-before. Its first 4 KiB are then marked freed, so that a
 *      later unsynchronised access reports "Previous write ... free()"; the
 *      rest of a large block is simply emptied. Sync clocks of addresses in
 *      the block are dropped.
 *   3. Each block is remembered (address, size, allocating goroutine,
 *      allocation stack) for the report's "Location is heap block" line;
 *      a freed block stays known until its address is allocated again.
 *
 * realloc is malloc + copy + free: growing in place would need the old
 * block's fate decided before glibc decides it. When called from
 * instrumented code (same rule as intercept.c's) the copy is checked as a
 * read of the old block and a write of the new one.
 *
 * glibc's internal allocations (strdup, fopen, ...) call malloc through
 * the PLT, so they come here too. The detector's own memory never does
 * (race_alloc calls __libc_malloc), and while a thread is inside the
 * detector (in_rt: reports, symbolization) its allocations pass straight
 * through.
 *
 * The block table: 64 stripes by address hash, each an open-addressing
 * table under a spin lock. Blocks are found by exact address (malloc,
 * free); the report's "which block holds this address" scans every
 * stripe, which is fine once per report.
 */
#if WEFT_RACE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "race/race_private.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

#define STRIPES 64
#define TOMBSTONE ((uintptr_t)1)

struct stripe {
  race_spin lock;
  struct race_block *tab;
  size_t cap, used;    /* used: live + freed + tombstones */
};

static struct stripe stripes[STRIPES];

static inline uint64_t addr_hash(uintptr_t a) { return (uint64_t)(a >> 4) * UINT64_C(0x9E3779B97F4A7C15); }
static inline struct stripe *stripe_of(uintptr_t a) { return &stripes[addr_hash(a) >> 58]; }

static struct race_block *slot_for(struct stripe *s, uintptr_t a, bool insert) {
  struct race_block *tomb = NULL;
  for (size_t i = (addr_hash(a) >> 16) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    struct race_block *b = &s->tab[i];
    if (b->addr == a) return b;
    if (b->addr == TOMBSTONE && !tomb) tomb = b;
    if (b->addr == 0) return insert ? (tomb ? tomb : b) : NULL;
  }
}

static void stripe_grow(struct stripe *s) {
  size_t old_cap = s->cap;
  struct race_block *old = s->tab;
  size_t live = 0;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].addr > TOMBSTONE) live++;
  size_t cap = old_cap ? old_cap : 256;
  while (cap < 4 * (live + 1)) cap *= 2;
  s->tab = race_alloc_zero(cap * sizeof *s->tab);
  s->cap = cap;
  s->used = 0;
  for (size_t i = 0; i < old_cap; i++) {
    if (old[i].addr <= TOMBSTONE) continue;
    *slot_for(s, old[i].addr, true) = old[i];
    s->used++;
  }
  race_free(old);
}

static void block_record(uintptr_t a, size_t size, uintptr_t pc, void *fp) {
  struct race_thread *t = &race_tls;
  struct race_block nb = {.addr = a, .size = size};
  struct race_ctx *c = t->ctx;
  if (c) {
    nb.owner_id = c->id;
    nb.owner_kind = c->kind;
    nb.owner_main = c->main;
  } else {
    nb.owner_id = (uint64_t)syscall(SYS_gettid);
    nb.owner_kind = CTX_THREAD;
    nb.owner_main = nb.owner_id == (uint64_t)getpid();
  }
  nb.stack = depot_here_fp(c, pc, fp);
  struct stripe *s = stripe_of(a);
  race_spin_lock(&s->lock);
  if (2 * (s->used + 1) > s->cap) stripe_grow(s);
  struct race_block *b = slot_for(s, a, true);
  if (b->addr <= TOMBSTONE) s->used += b->addr == 0;
  *b = nb;
  race_spin_unlock(&s->lock);
}

/* Marks the block at a freed; returns its size (0 if unknown). */
static size_t block_freed(uintptr_t a) {
  struct stripe *s = stripe_of(a);
  size_t size = 0;
  race_spin_lock(&s->lock);
  if (s->cap) {
    struct race_block *b = slot_for(s, a, false);
    if (b && !b->freed) {
      size = b->size;
      b->freed = true;
      /* Large blocks come from mmap at ever new addresses: forget them. */
      if (size > 128 * 1024) b->addr = TOMBSTONE;
    }
  }
  race_spin_unlock(&s->lock);
  return size;
}

static size_t block_size(uintptr_t a) {
  struct stripe *s = stripe_of(a);
  size_t size = 0;
  race_spin_lock(&s->lock);
  if (s->cap) {
    struct race_block *b = slot_for(s, a, false);
    if (b && !b->freed) size = b->size;
  }
  race_spin_unlock(&s->lock);
  return size;
}

bool heap_find_block(uintptr_t addr, struct race_block *out) {
  bool found = false;
  for (int i = 0; i < STRIPES; i++) {
    struct stripe *s = &stripes[i];
    race_spin_lock(&s->lock);
    for (size_t j = 0; j < s->cap; j++) {
      struct race_block *b = &s->tab[j];
      if (b->addr <= TOMBSTONE || addr < b->addr || addr >= b->addr + (b->size ? b->size : 1)) continue;
      /* A live block wins over a freed one that overlapped it. */
      if (!found || (out->freed && !b->freed)) {
        *out = *b;
        found = true;
      }
    }
    race_spin_unlock(&s->lock);
  }
  return found;
}

static inline bool tracking(struct race_thread *t) {
  return atomic_load_explicit(&race_inited, memory_order_relaxed) && !t->in_rt;
}

static void on_alloc(void *p, size_t size, uintptr_t pc, void *fp) {
  struct race_thread *t = &race_tls;
  if (!p || !tracking(t)) return;
  t->in_rt++;
  shadow_clear((uintptr_t)p, size);
  block_record((uintptr_t)p, size, pc, fp);
  t->in_rt--;
}

static void on_free(void *p, uintptr_t pc) {
  struct race_thread *t = &race_tls;
  if (!p || !tracking(t)) return;
  size_t size = block_freed((uintptr_t)p);
  if (!size) size = malloc_usable_size(p);
  struct race_ctx *c = hook_enter(t);
  if (c) {
    access_free(c, (uintptr_t)p, size, pc);
    hook_exit(t);
  } else {
    shadow_clear((uintptr_t)p, size);
  }
  sync_forget_range((uintptr_t)p, size);
}

#define PC() ((uintptr_t)__builtin_return_address(0))
#define FP() __builtin_frame_address(0)

RACE_API void *malloc(size_t size) {
  void *p = __libc_malloc(size);
  on_alloc(p, size, PC(), FP());
  return p;
}

RACE_API void *calloc(size_t n, size_t size) {
  void *p = __libc_calloc(n, size);
  on_alloc(p, n * size, PC(), FP());
  return p;
}

RACE_API void free(void *p) {
  on_free(p, PC());
  __libc_free(p);
}

static void *do_realloc(void *p, size_t size, uintptr_t pc, uintptr_t cfa, void *fp) {
  if (!p) {
    void *q = __libc_malloc(size);
    on_alloc(q, size, pc, fp);
    return q;
  }
  if (size == 0) {
    on_free(p, pc);
    __libc_free(p);
    return NULL;
  }
  struct race_thread *t = &race_tls;
  size_t old = tracking(t) ? block_size((uintptr_t)p) : 0;
  if (!old) old = malloc_usable_size(p);
  void *q = __libc_malloc(size);
  if (!q) return NULL;
  on_alloc(q, size, pc, fp);
  size_t n = old < size ? old : size;
  if (tracking(t) && race_from_instrumented(cfa)) {
    race_access_range((uintptr_t)p, n, ACC_READ, pc);
    race_access_range((uintptr_t)q, n, 0, pc);
  }
  race_real_memcpy(q, p, n);
  on_free(p, pc);
  __libc_free(p);
  return q;
}

RACE_API void *realloc(void *p, size_t size) {
  return do_realloc(p, size, PC(), (uintptr_t)__builtin_dwarf_cfa(), FP());
}

RACE_API void *reallocarray(void *p, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return do_realloc(p, total, PC(), (uintptr_t)__builtin_dwarf_cfa(), FP());
}

RACE_API int posix_memalign(void **out, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1)) != 0) return EINVAL;
  void *p = __libc_memalign(align, size);
  if (!p) return ENOMEM;
  on_alloc(p, size, PC(), FP());
  *out = p;
  return 0;
}

RACE_API void *aligned_alloc(size_t align, size_t size) {
  if (align == 0 || (align & (align - 1)) != 0) {
    errno = EINVAL;
    return NULL;
  }
  void *p = __libc_memalign(align, size);
  on_alloc(p, size, PC(), FP());
  return p;
}

RACE_API void *memalign(size_t align, size_t size) {
  void *p = __libc_memalign(align, size);
  on_alloc(p, size, PC(), FP());
  return p;
}

RACE_API void *valloc(size_t size) {
  void *p = __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
  on_alloc(p, size, PC(), FP());
  return p;
}

RACE_API void *pvalloc(size_t size) {
  size_t ps = (size_t)sysconf(_SC_PAGESIZE);
  size = (size + ps - 1) & ~(ps - 1);
  void *p = __libc_memalign(ps, size ? size : ps);
  on_alloc(p, size, PC(), FP());
  return p;
}

#endif
