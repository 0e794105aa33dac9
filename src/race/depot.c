/*
 * depot.c - stacks stored once and named by a 32-bit id.
 *
 * Creation stacks (every weft_go) and allocation stacks (every malloc from
 * instrumented code) repeat endlessly: a loop spawning workers records the
 * same stack a million times. The depot hash-conses them: a stack is
 * stored once, in an append-only arena, and named by its id; the caller
 * keeps only the id.
 *
 * 16 independent shards (chosen by hash) keep threads that spawn or
 * allocate at once from serialising on one lock. id = shard << 27 | index + 1;
 * 0 means "no stack". Nothing is ever removed (a program has few distinct
 * stacks), so a reader needs no lock once it has an entry's address.
 */
#if WEFT_RACE
#include <string.h>

#include "race/race_private.h"

struct depot_entry {
  uint64_t hash;
  uint32_t n;
  uintptr_t pc[];
};

#define SHARDS 16
#define INDEX_BITS 27

struct shard {
  race_spin lock;
  struct depot_entry **table;          /* open addressing, power of two */
  size_t cap, len;
  struct depot_entry *_Atomic *_Atomic entries; /* by index; grows by copying (old copies kept) */
  _Atomic size_t nentries;
  size_t entries_cap;
};

static struct shard shards[SHARDS];

static uint64_t hash_pcs(const uintptr_t *pcs, int n) {
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)n;
  for (int i = 0; i < n; i++) {
    h ^= pcs[i];
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  }
  return h;
}

static void table_insert(struct shard *s, struct depot_entry *e) {
  size_t i = e->hash & (s->cap - 1);
  while (s->table[i]) i = (i + 1) & (s->cap - 1);
  s->table[i] = e;
}

uint32_t depot_put(const uintptr_t *pcs, int n) {
  if (n <= 0) return 0;
  uint64_t h = hash_pcs(pcs, n);
  unsigned si = (unsigned)(h >> 60) % SHARDS;
  struct shard *s = &shards[si];
  race_spin_lock(&s->lock);
  if (s->cap) {
    for (size_t i = h & (s->cap - 1); s->table[i]; i = (i + 1) & (s->cap - 1)) {
      struct depot_entry *e = s->table[i];
      if (e->hash == h && e->n == (uint32_t)n && memcmp(e->pc, pcs, (size_t)n * sizeof *pcs) == 0) {
        /* Found: its id is its index, kept in the slot after the pcs. */
        uint32_t id = (uint32_t)e->pc[n];
        race_spin_unlock(&s->lock);
        return id;
      }
    }
  }
  size_t index = atomic_load_explicit(&s->nentries, memory_order_relaxed);
  if (index + 1 >= ((size_t)1 << INDEX_BITS)) {
    race_spin_unlock(&s->lock);
    return 0;
  }
  if (2 * (s->len + 1) > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    struct depot_entry **old = s->table;
    size_t old_cap = s->cap;
    s->table = race_alloc_zero(cap * sizeof *s->table);
    s->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
      if (old[i]) table_insert(s, old[i]);
    race_free(old);
  }
  if (index == s->entries_cap) {
    /* Readers may hold the old array: keep it (never freed, small). */
    size_t cap = s->entries_cap ? s->entries_cap * 2 : 256;
    struct depot_entry *_Atomic *arr = race_alloc_zero(cap * sizeof *arr);
    struct depot_entry *_Atomic *old = atomic_load_explicit(&s->entries, memory_order_relaxed);
    for (size_t i = 0; i < index; i++) atomic_store_explicit(&arr[i], atomic_load(&old[i]), memory_order_relaxed);
    atomic_store_explicit(&s->entries, arr, memory_order_release);
    s->entries_cap = cap;
  }
  struct depot_entry *e = race_alloc(sizeof *e + ((size_t)n + 1) * sizeof(uintptr_t));
  e->hash = h;
  e->n = (uint32_t)n;
  memcpy(e->pc, pcs, (size_t)n * sizeof *pcs);
  uint32_t id = (uint32_t)(si << INDEX_BITS | (index + 1));
  e->pc[n] = id;
  table_insert(s, e);
  s->len++;
  struct depot_entry *_Atomic *arr = atomic_load_explicit(&s->entries, memory_order_relaxed);
  atomic_store_explicit(&arr[index], e, memory_order_release);
  atomic_store_explicit(&s->nentries, index + 1, memory_order_release);
  race_spin_unlock(&s->lock);
  return id;
}

void depot_get(uint32_t id, struct race_stack *out) {
  out->n = 0;
  out->truncated = false;
  if (!id) return;
  struct shard *s = &shards[id >> INDEX_BITS];
  size_t index = (id & (((uint32_t)1 << INDEX_BITS) - 1)) - 1;
  if (index >= atomic_load_explicit(&s->nentries, memory_order_acquire)) return;
  struct depot_entry *_Atomic *arr = atomic_load_explicit(&s->entries, memory_order_acquire);
  struct depot_entry *e = atomic_load_explicit(&arr[index], memory_order_acquire);
  if (!e) return;
  int n = (int)e->n;
  if (n > RACE_MAX_FRAMES) {
    n = RACE_MAX_FRAMES;
    out->truncated = true;
  }
  memcpy(out->pc, e->pc, (size_t)n * sizeof *e->pc);
  out->n = n;
}

/*
 * The frames between an entry point of the detector and the innermost
 * instrumented frame: weft's own functions (built with frame pointers in
 * the race flavour) that were called by user code, e.g. malloc <- rt_malloc
 * <- weft_chan_make <- app_main. The shadow stack knows app_main only by
 * where it was called from; this walk finds the line in app_main that
 * called into weft. It follows frame records from fp while they stay below
 * the innermost instrumented frame's stack pointer (recorded by its
 * __tsan_func_entry), so every read is inside the live stack; it stops at
 * the record whose return address goes back into that frame, or at
 * anything implausible (code without frame pointers, such as libc).
 * Returns how many return addresses it stored (0: nothing found).
 */
int stack_walk(struct race_ctx *c, void *fp, uintptr_t *out, int max) {
  if (!c || c->depth == 0 || !fp) return 0;
  uintptr_t top = c->stack_cfa[c->depth - 1];
  uintptr_t frame = (uintptr_t)fp;
  int n = 0;
  while (n < max) {
    if (frame & (sizeof(uintptr_t) - 1) || frame + 2 * sizeof(uintptr_t) > top) return 0;
    uintptr_t next = ((uintptr_t *)frame)[0];
    uintptr_t ret = ((uintptr_t *)frame)[1];
    out[n++] = ret;
#if defined(__x86_64__)
    /* [rbp] = saved rbp, [rbp+8] = return address, caller's sp = rbp+16. */
    if (frame + 2 * sizeof(uintptr_t) == top) return n;
#else
    /* aarch64: the frame record sits at the bottom of the callee's frame;
     * the caller's record (if any) is above its stack pointer. */
    if (next >= top) return n;
#endif
    if (next <= frame) return 0;
    frame = next;
  }
  return 0;
}

uint32_t depot_here_fp(struct race_ctx *c, uintptr_t pc, void *fp) {
  uintptr_t pcs[RACE_MAX_FRAMES];
  int n = stack_walk(c, fp, pcs, 16);
  if (n == 0) return depot_here(c, pc);
  if (c) {
    for (uint32_t i = c->depth; i > 0 && n < RACE_MAX_FRAMES; i--) pcs[n++] = c->stack_pc[i - 1];
  }
  return depot_put(pcs, n);
}

uint32_t depot_here(struct race_ctx *c, uintptr_t pc) {
  uintptr_t pcs[RACE_MAX_FRAMES];
  int n = 0;
  if (pc) pcs[n++] = pc;
  if (c) {
    for (uint32_t i = c->depth; i > 0 && n < RACE_MAX_FRAMES; i--) pcs[n++] = c->stack_pc[i - 1];
  }
  return depot_put(pcs, n);
}

#endif
