/*
 * stack.c - goroutine stacks.
 *
 * A stack is a fixed-size region of address space (WEFT_STACK_SIZE, default
 * 256 KiB) committed lazily by the kernel as it is touched, with a guard
 * region below it so an overflow faults instead of corrupting memory.
 * weft cannot grow stacks the way Go does (C code holds pointers into its
 * stack), so the size is a reservation, not a commitment: a goroutine that
 * uses 2 KiB costs one page of RAM.
 *
 * Stacks are carved from chunks of STACKS_PER_CHUNK so that mmap is rare.
 * The guard is the subtle part. mprotect(PROT_NONE) splits the chunk into
 * two VMAs per stack, and Linux caps a process at vm.max_map_count (65530)
 * VMAs: 100k goroutines would be impossible. Since Linux 6.13,
 * madvise(MADV_GUARD_INSTALL) installs guard pages in the page tables with
 * no VMA at all; we use it (with a 64 KiB guard, enough to catch most large
 * frames jumping the guard), fall back to mprotect with a 4 KiB guard on
 * older kernels, and when mprotect runs out of VMAs we hand out unguarded
 * stacks with a canary word checked when the goroutine switches out.
 *
 * Recycling: freed stacks go to the worker's small cache, then to a global
 * pool, and their touched pages stay committed for the next goroutine (as
 * Go keeps freed stacks until its scavenger runs). Returning them with
 * madvise on every free was measured: one syscall per exit, plus page
 * faults on reuse, doubled the cost of the sleep benchmark.
 *
 * Scavenging: stacks that sat in the pool, unused, for a whole interval
 * (SCAVENGE_INTERVAL_NS) give their pages back (MADV_DONTNEED), so a burst
 * of goroutines does not pin its peak stack memory for the rest of the
 * program. The pool is a LIFO, so "unused for an interval" is the bottom
 * of it: pool_low, the lowest the pool's size has been since the last
 * pass, marks the stacks nobody took in between. Passes run on idle
 * workers only (a worker with nothing to run sleeps until the next pass is
 * due instead of indefinitely), so they cost a busy program nothing and an
 * idle one a few wake-ups after a burst, and the pool lock is dropped
 * every SCAVENGE_BATCH stacks so spawns elsewhere are not held up. The
 * lowest page of each stack keeps its contents (the canary of an
 * unguarded stack lives there; a goroutine rarely reaches it). Worker
 * caches are left alone: they are small and hot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/sched.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define STACKS_PER_CHUNK 16
#define STACK_CANARY 0x5745465453544bULL /* "WEFTSTK" */

size_t rt_stack_size;
size_t rt_guard_size;
static size_t page_size;

enum guard_mode { GUARD_MADVISE, GUARD_MPROTECT, GUARD_CANARY };
static _Atomic int guard_mode;

/* Global pool and the list of chunks (for stack_owner). Guarded by pool_lock. */
static rt_lock pool_lock;
static struct rt_stack *pool;
static size_t pool_count, pool_cap;

#define SCAVENGE_INTERVAL_NS 1000000000LL
#define SCAVENGE_BATCH 64
static size_t pool_low;                /* lowest pool_count since the last pass (pool_lock) */
static size_t pool_dirty;              /* dirty stacks in the pool (pool_lock) */
static _Atomic int64_t scavenge_at = INT64_MAX; /* next pass; INT64_MAX: none pending */
static rt_lock scavenge_lock;          /* one pass at a time */

struct chunk {
  char *base;
  size_t len;
  struct chunk *next;
};
static struct chunk *_Atomic chunks;

void stack_init(void) {
  page_size = (size_t)sysconf(_SC_PAGESIZE);
  rt_stack_size = env_stack_size();
  rt_stack_size = (rt_stack_size + page_size - 1) & ~(page_size - 1);
  /* Probe MADV_GUARD_INSTALL once on a scratch mapping. */
  size_t probe_len = 2 * page_size;
  char *p = mmap(NULL, probe_len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p != MAP_FAILED) {
    guard_mode = GUARD_MPROTECT;
    if (madvise(p, page_size, MADV_GUARD_INSTALL) == 0) {
      /* Trust but verify: some emulators (qemu-user) accept the advice and
       * ignore it. A guarded page cannot be read by write(2): EFAULT. */
      int fds[2];
      if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
        if (write(fds[1], p, 1) < 0 && errno == EFAULT) guard_mode = GUARD_MADVISE;
        close(fds[0]);
        close(fds[1]);
      }
    }
    munmap(p, probe_len);
  } else {
    guard_mode = GUARD_MPROTECT;
  }
  size_t want = guard_mode == GUARD_MADVISE ? 64 * 1024 : page_size;
  rt_guard_size = want < page_size ? page_size : want;
}

static bool guard(char *guard_lo, struct rt_stack *s) {
  int mode = atomic_load_explicit(&guard_mode, memory_order_relaxed);
  if (mode == GUARD_MADVISE && madvise(guard_lo, rt_guard_size, MADV_GUARD_INSTALL) == 0)
    return true;
  if (mode <= GUARD_MPROTECT && mprotect(guard_lo, rt_guard_size, PROT_NONE) == 0)
    return true;
  /* Out of VMAs (ENOMEM): from now on, canaries. */
  atomic_store_explicit(&guard_mode, GUARD_CANARY, memory_order_relaxed);
  *(uint64_t *)s->lo = STACK_CANARY;
  return false;
}

/* Carves a new chunk; returns its stacks through the pool. pool_lock held. */
static bool chunk_new(void) {
  size_t one = rt_guard_size + rt_stack_size;
  size_t len = one * STACKS_PER_CHUNK;
  char *base = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return false;
  madvise(base, len, MADV_NOHUGEPAGE);  /* one touched page must not become 2 MiB */
  struct chunk *c = malloc(sizeof *c);
  if (!c) { munmap(base, len); return false; }
  c->base = base;
  c->len = len;
  c->next = atomic_load(&chunks);
  atomic_store(&chunks, c);
  if (pool_count + STACKS_PER_CHUNK > pool_cap) {
    size_t cap = pool_cap ? pool_cap * 2 : 64;
    while (cap < pool_count + STACKS_PER_CHUNK) cap *= 2;
    struct rt_stack *np = realloc(pool, cap * sizeof *np);
    if (!np) return false;
    pool = np;
    pool_cap = cap;
  }
  for (int i = STACKS_PER_CHUNK - 1; i >= 0; i--) {
    char *guard_lo = base + (size_t)i * one;
    struct rt_stack s = {guard_lo + rt_guard_size, guard_lo + one, false, false};
    s.guarded = guard(guard_lo, &s);
    pool[pool_count++] = s;
  }
  return true;
}

/* ThreadSanitizer sees a recycled stack's old accesses but not the chain
 * of switches and locks that ordered them before the reuse: make the
 * hand-over explicit (free releases, alloc acquires). */
#if defined(WEFT_TSAN_FIBERS)
#include "runtime/sanitizer.h"
#define STACK_HANDOVER_RELEASE(s) __tsan_release((s)->lo)
#define STACK_HANDOVER_ACQUIRE(s) __tsan_acquire((s)->lo)
#else
#define STACK_HANDOVER_RELEASE(s) ((void)0)
#define STACK_HANDOVER_ACQUIRE(s) ((void)0)
#endif

static bool stack_take(struct worker *w, struct rt_stack *out);

bool stack_alloc(struct worker *w, struct rt_stack *out) {
  if (!stack_take(w, out)) return false;
  STACK_HANDOVER_ACQUIRE(out);
  return true;
}

static bool stack_take(struct worker *w, struct rt_stack *out) {
  if (w && w->stack_cache_count > 0) {
    *out = w->stack_cache[--w->stack_cache_count];
    return true;
  }
  rt_lock_acquire(&pool_lock);
  if (pool_count == 0 && !chunk_new()) {
    rt_lock_release(&pool_lock);
    return false;
  }
  *out = pool[--pool_count];
  pool_dirty -= out->dirty;
  /* Refill half the worker cache while we hold the lock. */
  while (w && pool_count > 0 && w->stack_cache_count < STACK_CACHE_MAX / 2) {
    struct rt_stack *s = &pool[--pool_count];
    pool_dirty -= s->dirty;
    w->stack_cache[w->stack_cache_count++] = *s;
  }
  if (pool_count < pool_low) pool_low = pool_count;
  rt_lock_release(&pool_lock);
  return true;
}

void stack_free(struct worker *w, struct rt_stack *s) {
  if (!s->lo) return;
  STACK_HANDOVER_RELEASE(s);
  s->dirty = true;
  if (!s->guarded && *(uint64_t *)s->lo != STACK_CANARY)
    rt_fatal("stack overflow (unguarded stack at %p clobbered)", (void *)s->lo);
  if (w && w->stack_cache_count < STACK_CACHE_MAX) {
    w->stack_cache[w->stack_cache_count++] = *s;
    s->lo = s->hi = NULL;
    return;
  }
  rt_lock_acquire(&pool_lock);
  if (pool_count == pool_cap) {
    size_t cap = pool_cap ? pool_cap * 2 : 64;
    struct rt_stack *np = realloc(pool, cap * sizeof *np);
    if (!np) rt_fatal("out of memory growing the stack pool");
    pool = np;
    pool_cap = cap;
  }
  pool[pool_count++] = *s;
  pool_dirty++;
  if (atomic_load_explicit(&scavenge_at, memory_order_relaxed) == INT64_MAX)
    atomic_store_explicit(&scavenge_at, rt_nanotime() + SCAVENGE_INTERVAL_NS, memory_order_relaxed);
  rt_lock_release(&pool_lock);
  s->lo = s->hi = NULL;
}

int64_t stack_scavenge_in(int64_t now) {
  int64_t at = atomic_load_explicit(&scavenge_at, memory_order_relaxed);
  if (at == INT64_MAX) return -1;
  return at > now ? at - now : 0;
}

bool stack_scavenge(int64_t now) {
  if (!rt_lock_try(&scavenge_lock)) return false;
  rt_lock_acquire(&pool_lock);
  size_t i = 0;
  for (;;) {
    int done = 0;
    /* Stacks below pool_low have not been taken since the last pass;
     * pool_low only falls meanwhile (stack_take), never rises. */
    for (; i < pool_low && done < SCAVENGE_BATCH; i++) {
      struct rt_stack *s = &pool[i];
      if (!s->dirty) continue;
      madvise(s->lo + page_size, (size_t)(s->hi - s->lo) - page_size, MADV_DONTNEED);
      s->dirty = false;
      pool_dirty--;
      done++;
    }
    if (i >= pool_low) break;
    rt_lock_release(&pool_lock); /* let other workers take and free stacks */
    rt_lock_acquire(&pool_lock);
  }
  pool_low = pool_count;
  atomic_store_explicit(&scavenge_at, pool_dirty ? now + SCAVENGE_INTERVAL_NS : INT64_MAX,
                        memory_order_relaxed);
  rt_lock_release(&pool_lock);
  rt_lock_release(&scavenge_lock);
  return true;
}

/* Is addr inside some chunk's guard region? Returns true and sets *lo to
 * the stack's lowest usable byte. Lock-free: chunks are never unmapped. */
bool stack_guard_hit(const void *addr, char **lo);
bool stack_guard_hit(const void *addr, char **lo) {
  const char *a = addr;
  size_t one = rt_guard_size + rt_stack_size;
  for (struct chunk *c = atomic_load(&chunks); c; c = c->next) {
    if (a < c->base || a >= c->base + c->len) continue;
    size_t off = (size_t)(a - c->base) % one;
    char *stack_lo = (char *)a - off + rt_guard_size;
    if (off < rt_guard_size) { *lo = stack_lo; return true; }
    return false;
  }
  return false;
}
