/*
 * shadow.c - shadow memory: where the detector remembers recent accesses.
 *
 * Every aligned 8-byte word of application memory has 16 bytes of shadow:
 * RACE_CELLS (4) cells of 32 bits (layout in race_private.h). The shadow of
 * address a is found in O(1) whatever a is (heap, globals, goroutine
 * stacks, foreign threads' stacks, mmap'ed memory):
 *
 *   region = a >> 30                  (1 GiB of application address space)
 *   shadow = regions[region] + (a % 1 GiB) / 8 * 16
 *
 * regions[] (2 MiB of zeroed BSS for a 48-bit address space, touched only
 * where used) holds the base of each region's 2 GiB shadow, reserved with
 * mmap(MAP_NORESERVE) the first time an address in the region is accessed.
 * The kernel commits shadow pages only when they are written, so the shadow
 * costs exactly twice the application memory that instrumented code has
 * touched (transparent huge pages are disabled on it so that one touched
 * word does not commit 2 MiB).
 *
 * Alternatives rejected:
 *   - One direct-mapped shadow (TSan's): 2x of the whole 47-bit address
 *     space does not fit in it, so TSan constrains where the heap, stacks
 *     and libraries live. We do not control where glibc, the loader or our
 *     own stack allocator put things.
 *   - A hash table of shadow pages: a lookup per access instead of one
 *     load from a table that stays in cache.
 *
 * Regions are never unmapped (their address space is reserved, not
 * committed). Emptying shadow (free, stack reuse, reset) writes zeros, or
 * for whole pages gives them back with madvise(MADV_DONTNEED), which reads
 * as zeros afterwards.
 */
#if WEFT_RACE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "race/race_private.h"

/* regions[r]: shadow base of region r, or NULL. Written once per region by
 * CAS (the loser unmaps its copy); read without a lock. */
char *_Atomic race_shadow_regions[RACE_REGIONS];

race_cell *shadow_region_new(uintptr_t a) {
  uintptr_t r = a >> RACE_REGION_SHIFT;
  char *base = atomic_load_explicit(&race_shadow_regions[r], memory_order_acquire);
  if (!base) {
    char *mem = mmap(NULL, RACE_REGION_SHADOW, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
      static const char msg[] = "fatal error: race detector: cannot reserve shadow memory\n";
      ssize_t unused = write(2, msg, sizeof msg - 1);
      (void)unused;
      _exit(2);
    }
    madvise(mem, RACE_REGION_SHADOW, MADV_NOHUGEPAGE);
    char *expected = NULL;
    if (atomic_compare_exchange_strong(&race_shadow_regions[r], &expected, mem)) {
      base = mem;
    } else {
      munmap(mem, RACE_REGION_SHADOW);
      base = expected;
    }
  }
  return (race_cell *)(base + ((a & (((uintptr_t)1 << RACE_REGION_SHIFT) - 1)) >> 3) * 16);
}

static size_t page_size(void) {
  static size_t size;
  if (!size) size = (size_t)sysconf(_SC_PAGESIZE);
  return size;
}

/* Zeroes shadow bytes [p, p+n) of one region. */
static void zero_shadow(char *p, size_t n) {
  size_t ps = page_size();
  if (n < 4 * ps) {
    race_real_memset(p, 0, n);
    return;
  }
  uintptr_t lo = ((uintptr_t)p + ps - 1) & ~(ps - 1);
  uintptr_t hi = ((uintptr_t)p + n) & ~(ps - 1);
  race_real_memset(p, 0, lo - (uintptr_t)p);
  if (madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0) race_real_memset((void *)lo, 0, hi - lo);
  race_real_memset((void *)hi, 0, (uintptr_t)p + n - hi);
}

void shadow_clear(uintptr_t addr, size_t size) {
  if (size == 0) return;
  uintptr_t lo = addr & ~(uintptr_t)7;
  uintptr_t end = addr + size;
  if (end < addr || end > ((uintptr_t)1 << RACE_ADDR_BITS)) end = (uintptr_t)1 << RACE_ADDR_BITS;
  uintptr_t hi = (end + 7) & ~(uintptr_t)7;
  while (lo < hi) {
    uintptr_t r = lo >> RACE_REGION_SHIFT;
    uintptr_t region_end = (r + 1) << RACE_REGION_SHIFT;
    uintptr_t stop = hi < region_end ? hi : region_end;
    char *base = atomic_load_explicit(&race_shadow_regions[r], memory_order_acquire);
    if (base) {
      uintptr_t off = lo & (((uintptr_t)1 << RACE_REGION_SHIFT) - 1);
      zero_shadow(base + (off >> 3) * 16, ((stop - lo) >> 3) * 16);
    }
    lo = stop;
  }
}

void shadow_clear_all(void) {
  for (size_t r = 0; r < RACE_REGIONS; r++) {
    char *base = atomic_load_explicit(&race_shadow_regions[r], memory_order_acquire);
    if (base) madvise(base, RACE_REGION_SHADOW, MADV_DONTNEED);
  }
}

#endif
