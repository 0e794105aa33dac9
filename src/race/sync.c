/*
 * sync.c - clocks of synchronisation objects.
 *
 * Every address that has been released on (a mutex, a channel slot, an
 * atomic variable written with release order, an annotation) has a sync
 * object holding a vector clock: RACE_SLOTS epochs, one per slot.
 *   release        sync.clock  = ctx.clock       (the holder's knowledge)
 *   release_merge  sync.clock |= ctx.clock       (join: max per slot)
 *   acquire        ctx.clock  |= sync.clock
 * followed, for releases, by a new epoch of the releasing context, so that
 * what it does afterwards is not covered by what it released.
 *
 * The objects live in a hash table of 65536 buckets keyed by the 64-byte
 * line of the address, each bucket a spin lock and a chain. Keying by line
 * lets free() forget the objects inside a block by probing one bucket per
 * line (or sweeping the table for huge blocks) instead of keeping a second
 * shadow. An acquire on an address that never saw a release (the common
 * case for atomic loads) reads one bucket head and takes no lock.
 *
 * Memory: 512 bytes per object, freed with the memory they describe (heap
 * blocks) or at a world reset; objects for globals and stacks stay.
 */
#if WEFT_RACE
#include <string.h>

#include "race/race_private.h"

struct race_sync {
  uintptr_t addr;
  struct race_sync *next;
  uint32_t stack;              /* sync_set_stack (timers), 0: none */
  uint16_t clock[RACE_SLOTS];
};

struct bucket {
  race_spin lock;
  struct race_sync *_Atomic head;
};

#define SYNC_BUCKET_BITS 16
#define SYNC_BUCKETS ((size_t)1 << SYNC_BUCKET_BITS)

static struct bucket buckets[SYNC_BUCKETS];
static _Atomic long sync_count;

/* Recycled objects (sync_free_lock). */
static race_spin sync_free_lock;
static struct race_sync *sync_free_list;

static inline struct bucket *bucket_of(uintptr_t addr) {
  uint64_t line = addr >> 6;
  return &buckets[(line * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SYNC_BUCKET_BITS)];
}

static struct race_sync *sync_new(uintptr_t addr) {
  race_spin_lock(&sync_free_lock);
  struct race_sync *s = sync_free_list;
  if (s) sync_free_list = s->next;
  race_spin_unlock(&sync_free_lock);
  if (!s) s = race_alloc(sizeof *s);
  s->addr = addr;
  s->next = NULL;
  s->stack = 0;
  memset(s->clock, 0, sizeof s->clock);
  atomic_fetch_add_explicit(&sync_count, 1, memory_order_relaxed);
  return s;
}

static void sync_delete(struct race_sync *s) {
  atomic_fetch_sub_explicit(&sync_count, 1, memory_order_relaxed);
  race_spin_lock(&sync_free_lock);
  s->next = sync_free_list;
  sync_free_list = s;
  race_spin_unlock(&sync_free_lock);
}

static struct race_sync *find(struct bucket *b, uintptr_t addr) {
  for (struct race_sync *s = atomic_load_explicit(&b->head, memory_order_relaxed); s; s = s->next)
    if (s->addr == addr) return s;
  return NULL;
}

static inline void clock_join(uint16_t *restrict dst, const uint16_t *restrict src) {
  for (int i = 0; i < RACE_SLOTS; i++) dst[i] = dst[i] > src[i] ? dst[i] : src[i];
}

bool sync_lock(uintptr_t addr, bool create, struct race_sync_ref *ref) {
  struct bucket *b = bucket_of(addr);
  if (!create && !atomic_load_explicit(&b->head, memory_order_acquire)) return false;
  race_spin_lock(&b->lock);
  struct race_sync *s = find(b, addr);
  if (!s) {
    if (!create) {
      race_spin_unlock(&b->lock);
      return false;
    }
    s = sync_new(addr);
    s->next = atomic_load_explicit(&b->head, memory_order_relaxed);
    atomic_store_explicit(&b->head, s, memory_order_release);
  }
  ref->bucket = b;
  ref->sync = s;
  return true;
}

void sync_unlock(struct race_sync_ref *ref) {
  race_spin_unlock(&((struct bucket *)ref->bucket)->lock);
}

void sync_acquire_locked(struct race_ctx *c, struct race_sync_ref *ref) {
  clock_join(c->clock, ref->sync->clock);
}

void sync_release_locked(struct race_ctx *c, struct race_sync_ref *ref, bool merge) {
  if (merge) clock_join(ref->sync->clock, c->clock);
  else memcpy(ref->sync->clock, c->clock, sizeof c->clock);
}

void sync_set_stack(struct race_sync_ref *ref, uint32_t stack) { ref->sync->stack = stack; }

uint32_t sync_stack(const struct race_sync_ref *ref) { return ref->sync->stack; }

bool sync_exists(uintptr_t addr) {
  struct bucket *b = bucket_of(addr);
  return atomic_load_explicit(&b->head, memory_order_acquire) != NULL;
}

void sync_acquire(struct race_ctx *c, uintptr_t addr) {
  struct race_sync_ref ref;
  if (!sync_lock(addr, false, &ref)) return;
  sync_acquire_locked(c, &ref);
  sync_unlock(&ref);
}

void sync_release(struct race_ctx *c, uintptr_t addr, bool merge) {
  struct race_sync_ref ref;
  sync_lock(addr, true, &ref);
  sync_release_locked(c, &ref, merge);
  sync_unlock(&ref);
}

/* Drops the objects of bucket b whose address is in [lo, hi). */
static void forget_in_bucket(struct bucket *b, uintptr_t lo, uintptr_t hi) {
  if (!atomic_load_explicit(&b->head, memory_order_acquire)) return;
  struct race_sync *dead = NULL;
  race_spin_lock(&b->lock);
  struct race_sync *_Atomic *link = &b->head;
  struct race_sync *s;
  while ((s = atomic_load_explicit(link, memory_order_relaxed))) {
    if (s->addr >= lo && s->addr < hi) {
      atomic_store_explicit(link, s->next, memory_order_relaxed);
      s->next = dead;
      dead = s;
    } else {
      link = (struct race_sync *_Atomic *)&s->next;
    }
  }
  race_spin_unlock(&b->lock);
  while (dead) {
    struct race_sync *next = dead->next;
    sync_delete(dead);
    dead = next;
  }
}

void sync_forget_range(uintptr_t addr, size_t size) {
  if (atomic_load_explicit(&sync_count, memory_order_relaxed) == 0 || size == 0) return;
  uintptr_t hi = addr + size;
  size_t lines = ((hi + 63) >> 6) - (addr >> 6);
  if (lines > SYNC_BUCKETS) {
    for (size_t i = 0; i < SYNC_BUCKETS; i++) forget_in_bucket(&buckets[i], addr, hi);
    return;
  }
  for (uintptr_t line = addr & ~(uintptr_t)63; line < hi; line += 64)
    forget_in_bucket(bucket_of(line), addr, hi);
}

void sync_clear_all(void) {
  /* The world is stopped (reset): no lock needed, but take them anyway
   * for the benefit of the reader. */
  for (size_t i = 0; i < SYNC_BUCKETS; i++) {
    struct bucket *b = &buckets[i];
    if (!atomic_load_explicit(&b->head, memory_order_relaxed)) continue;
    forget_in_bucket(b, 0, UINTPTR_MAX);
  }
}

#endif
