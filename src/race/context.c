/*
 * context.c - who is accessing memory: contexts, slots, the world reset,
 * and the scheduler's hooks.
 *
 * A context (struct race_ctx) is the detector's view of one goroutine or
 * of one OS thread's code outside goroutines. The scheduler tells us which
 * one runs on a thread through race_switch, called at every resumption
 * point; the hot path finds it in a thread-local (race_tls.ctx), so a
 * context switch costs the detector a few stores, not a copy of state.
 *
 * Slots. Vector clocks have RACE_SLOTS (256) columns, not one per
 * goroutine, so a clock is 512 bytes whether 10 or 1,000,000 goroutines
 * exist. A context needs a slot before it can access memory (its accesses
 * are stamped with the slot's id and epoch). It takes one on its first
 * access (never-used slots first, then those freed longest ago) and keeps
 * it while parked; it gives it back when it finishes. When every slot is
 * held, the slot of a context that is not running and has not run for the
 * longest while (a clock sweep over the slots) is stolen; the owner simply
 * takes another one when it next runs. A new owner continues the slot's
 * epochs, so it appears to have synchronised with the slot's earlier
 * owners: races between a slot's successive owners can be missed, never
 * invented. Each slot keeps a journal (epoch -> owner) so that a report can
 * say who made an access stamped (sid, epoch).
 *
 * Epochs have 14 bits. A context whose slot has used them all moves to a
 * fresh slot; when no slot has epochs left the world is reset: every
 * thread is brought out of the detector, the shadow, the sync clocks and
 * the slots are wiped, and the generation number advances so that every
 * context clears its clock the next time it runs. The reset's quiescence is
 * an asymmetric Dekker handshake: the hot path stores busy = 1 and compares
 * race_world_gen with its thread's gen_ok (no fence); the resetter makes
 * race_world_gen odd, calls membarrier() (a fence on every thread of the
 * process) and waits for each thread's busy to drop. Without membarrier the
 * hot path fences itself (race_fence_mode).
 *
 * Stealing and resuming race: the thief stores the new owner and then reads
 * the victim's running flag; race_switch stores running and then reads the
 * owner (both sequentially consistent), so one of them sees the other: the
 * thief backs off, or the victim takes the slow path and waits for the
 * thief's lock.
 *
 * Locks: race_slot_lock (slots, journals) and reset_lock. Nobody holds
 * race_slot_lock while waiting for a busy thread; the resetter holds no lock
 * that a busy thread may wait for (rule: never enter the detector while
 * holding one of its locks).
 */
#if WEFT_RACE
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "race/race_private.h"

__thread struct race_thread race_tls __attribute__((tls_model("initial-exec"))) = {
    .gen_ok = RACE_GEN_INVALID, .gen_window = RACE_GEN_INVALID};
_Atomic uint64_t race_world_gen = 2;
int race_fence_mode = 1;
_Atomic bool race_inited;

/* ---- memory and locks for the detector itself ------------------------------ */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static void out_of_memory(size_t size) {
  char msg[128];
  int n = snprintf(msg, sizeof msg, "fatal error: race detector: out of memory (%zu bytes)\n", size);
  ssize_t unused = write(2, msg, (size_t)n);
  (void)unused;
  _exit(2);
}

void *race_alloc(size_t size) {
  void *p = __libc_malloc(size);
  if (!p) out_of_memory(size);
  return p;
}

void *race_alloc_zero(size_t size) {
  void *p = __libc_calloc(1, size);
  if (!p) out_of_memory(size);
  return p;
}

void *race_realloc(void *p, size_t size) {
  void *q = __libc_realloc(p, size);
  if (!q) out_of_memory(size);
  return q;
}

void race_free(void *p) { __libc_free(p); }

void race_spin_lock_slow(race_spin *l) {
  for (int spins = 0;; spins++) {
    int expected = 0;
    if (atomic_load_explicit(&l->word, memory_order_relaxed) == 0 &&
        atomic_compare_exchange_weak_explicit(&l->word, &expected, 1, memory_order_acquire,
                                              memory_order_relaxed))
      return;
    if (spins > 64) sched_yield();
  }
}

/* ---- threads ------------------------------------------------------------------ */

/* Every thread that has entered the detector (for the reset). */
static rt_lock threads_lock = RT_LOCK_INIT;
static struct race_thread *threads;
static pthread_key_t thread_key;

/* Every context ever made (for reports); contexts are never freed.
 * Thread contexts of exited threads are reused. */
static race_spin ctxs_lock;
static struct race_ctx **ctxs;
static size_t nctxs, ctxs_cap;
static struct race_ctx *free_thread_ctxs[64];
static int nfree_thread_ctxs;

static void ctx_register(struct race_ctx *c) {
  race_spin_lock(&ctxs_lock);
  if (nctxs == ctxs_cap) {
    ctxs_cap = ctxs_cap ? ctxs_cap * 2 : 256;
    ctxs = race_realloc(ctxs, ctxs_cap * sizeof *ctxs);
  }
  ctxs[nctxs++] = c;
  race_spin_unlock(&ctxs_lock);
}

void ctx_for_each(void (*fn)(struct race_ctx *c, void *arg), void *arg) {
  race_spin_lock(&ctxs_lock);
  size_t n = nctxs;
  race_spin_unlock(&ctxs_lock);
  /* ctxs only grows and entries never change: read the first n. */
  for (size_t i = 0; i < n; i++) fn(ctxs[i], arg);
}

static struct race_ctx *ctx_alloc(void) {
  struct race_ctx *c = __libc_memalign(64, sizeof *c);
  if (!c) out_of_memory(sizeof *c);
  memset(c, 0, sizeof *c);
  c->stack_low = UINTPTR_MAX;
  c->gen = atomic_load(&race_world_gen) & ~(uint64_t)1;
  ctx_register(c);
  return c;
}

static void slot_release(struct race_ctx *c);

static void thread_exit(void *arg) {
  struct race_thread *t = arg;
  struct race_ctx *c = t->thread_ctx;
  if (c) {
    atomic_store(&t->busy, 1);
    if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
    while (atomic_load(&race_world_gen) & 1) {
      atomic_store(&t->busy, 0);
      sched_yield();
      atomic_store(&t->busy, 1);
      if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
    }
    /* The thread's life happens before pthread_join (pthread.c). */
    sync_release(c, (uintptr_t)pthread_self(), true);
    atomic_store(&c->finished, true);
    slot_release(c);
    /* glibc reuses thread stacks: forget this one's accesses. */
    if (c->stk_hi && c->stack_low != UINTPTR_MAX) {
      uintptr_t lo = c->stack_low > 16384 ? c->stack_low - 16384 : 0;
      if (lo < c->stk_lo) lo = c->stk_lo;
      if (lo < c->stk_hi) shadow_clear(lo, c->stk_hi - lo);
    }
    atomic_store(&t->busy, 0);
    atomic_store(&c->running, 0);
    race_spin_lock(&ctxs_lock);
    if (nfree_thread_ctxs < (int)(sizeof free_thread_ctxs / sizeof free_thread_ctxs[0]))
      free_thread_ctxs[nfree_thread_ctxs++] = c;
    race_spin_unlock(&ctxs_lock);
  }
  rt_lock_acquire(&threads_lock);
  for (struct race_thread **p = &threads; *p; p = &(*p)->next) {
    if (*p == t) {
      *p = t->next;
      break;
    }
  }
  rt_lock_release(&threads_lock);
  t->registered = false;
  t->thread_ctx = NULL;
  if (t->ctx == c) t->ctx = NULL;
  t->gen_ok = t->gen_window = RACE_GEN_INVALID;
}

/* Called with busy clear. */
static void thread_register(struct race_thread *t) {
  rt_lock_acquire(&threads_lock);
  t->next = threads;
  threads = t;
  t->registered = true;
  rt_lock_release(&threads_lock);
  pthread_setspecific(thread_key, t);
}

/* The context for code running outside goroutines on this thread. */
static struct race_ctx *thread_ctx_new(void) {
  struct race_ctx *c = NULL;
  race_spin_lock(&ctxs_lock);
  if (nfree_thread_ctxs > 0) c = free_thread_ctxs[--nfree_thread_ctxs];
  race_spin_unlock(&ctxs_lock);
  if (c) {
    atomic_fetch_add(&c->incarnation, 1);
    c->depth = 0;
    c->ignore = 0;
    c->has_slot = false;
    c->time_valid = false;
    c->create_stack = 0;
    c->stk_lo = c->stk_hi = 0;
    c->stack_low = UINTPTR_MAX;
    atomic_store(&c->finished, false);
    ring_reset(c);
    memset(c->clock, 0, sizeof c->clock);
    c->gen = atomic_load(&race_world_gen) & ~(uint64_t)1;
  } else {
    c = ctx_alloc();
    atomic_store(&c->incarnation, 1);
  }
  c->kind = CTX_THREAD;
  c->id = (uint64_t)syscall(SYS_gettid);
  c->main = c->id == (uint64_t)getpid();
  c->started = true;
  atomic_store(&c->running, 1);
  if (!c->main) {
    /* pthread_getattr_np allocates: not as a tracked allocation. */
    race_tls.in_rt++;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void *lo;
      size_t size;
      if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
        c->stk_lo = (uintptr_t)lo;
        c->stk_hi = (uintptr_t)lo + size;
      }
      pthread_attr_destroy(&attr);
    }
    race_tls.in_rt--;
  }
  return c;
}

struct race_ctx *ctx_current(void) {
  struct race_thread *t = &race_tls;
  if (!t->ctx) {
    if (!t->thread_ctx) t->thread_ctx = thread_ctx_new();
    t->ctx = t->thread_ctx;
  }
  return t->ctx;
}

void ctx_describe(char *buf, size_t len, bool main, enum ctx_kind kind, uint64_t id) {
  if (kind == CTX_GOROUTINE) {
    if (main) snprintf(buf, len, "main goroutine");
    else snprintf(buf, len, "goroutine %llu", (unsigned long long)id);
  } else {
    if (main) snprintf(buf, len, "main thread");
    else snprintf(buf, len, "thread %llu", (unsigned long long)id);
  }
}

/* ---- slots ------------------------------------------------------------------- */

struct journal_entry {
  uint16_t epoch;                /* first epoch of this ownership */
  struct race_owner owner;
};

struct race_slot {
  struct race_ctx *_Atomic owner;
  _Atomic bool referenced;       /* owner ran since the last sweep */
  uint16_t epoch;                /* last epoch used (valid while unowned) */
  bool exhausted;
  bool queued;                   /* in the free queue */
  struct journal_entry *journal;
  uint32_t journal_len, journal_cap;
};

/* All under race_slot_lock. */
static rt_lock race_slot_lock = RT_LOCK_INIT;
static struct race_slot slots[RACE_SLOTS];
static uint8_t free_queue[RACE_SLOTS];    /* FIFO of unowned, non-exhausted slots */
static unsigned free_head, free_count;
static unsigned sweep_hand;
static bool slots_ready;

static void slots_init_locked(void) {
  for (unsigned i = 0; i < RACE_SLOTS; i++) {
    slots[i].epoch = 0;
    slots[i].exhausted = false;
    slots[i].queued = true;
    slots[i].journal_len = 0;
    atomic_store(&slots[i].owner, NULL);
    free_queue[i] = (uint8_t)i;
  }
  free_head = 0;
  free_count = RACE_SLOTS;
  slots_ready = true;
}

static void free_push(unsigned sid) {
  if (slots[sid].queued || slots[sid].exhausted) return;
  free_queue[(free_head + free_count) % RACE_SLOTS] = (uint8_t)sid;
  free_count++;
  slots[sid].queued = true;
}

static int free_pop(void) {
  while (free_count > 0) {
    unsigned sid = free_queue[free_head];
    free_head = (free_head + 1) % RACE_SLOTS;
    free_count--;
    slots[sid].queued = false;
    if (!slots[sid].exhausted && !atomic_load(&slots[sid].owner)) return (int)sid;
  }
  return -1;
}

static void journal_append(struct race_slot *s, uint16_t epoch, struct race_ctx *c) {
  if (s->journal_len == s->journal_cap) {
    s->journal_cap = s->journal_cap ? s->journal_cap * 2 : 16;
    s->journal = race_realloc(s->journal, s->journal_cap * sizeof *s->journal);
  }
  struct journal_entry *e = &s->journal[s->journal_len++];
  e->epoch = epoch;
  e->owner.ctx = c;
  e->owner.incarnation = atomic_load(&c->incarnation);
  e->owner.id = c->id;
  e->owner.kind = c->kind;
  e->owner.main = c->main;
  e->owner.create_stack = c->create_stack;
}

bool slot_owner_at(unsigned sid, unsigned epoch, struct race_owner *out) {
  bool found = false;
  rt_lock_acquire(&race_slot_lock);
  struct race_slot *s = &slots[sid % RACE_SLOTS];
  uint32_t lo = 0, hi = s->journal_len;
  while (lo < hi) {            /* last entry with entry.epoch <= epoch */
    uint32_t mid = (lo + hi) / 2;
    if (s->journal[mid].epoch <= epoch) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0) {
    *out = s->journal[lo - 1].owner;
    found = true;
  }
  rt_lock_release(&race_slot_lock);
  return found;
}

/* Takes slot sid for c (race_slot_lock held). False if sid has no epochs left. */
static bool slot_take(struct race_ctx *c, unsigned sid) {
  struct race_slot *s = &slots[sid];
  if (s->epoch >= RACE_EPOCH_MAX) {
    s->exhausted = true;
    return false;
  }
  bool old_valid = c->time_valid;
  unsigned old_sid = c->sid, old_epoch = c->epoch;
  uint16_t epoch = (uint16_t)(s->epoch + 1);
  s->epoch = epoch;
  atomic_store(&s->owner, c);
  atomic_store_explicit(&s->referenced, true, memory_order_relaxed);
  c->sid = (uint8_t)sid;
  c->epoch = epoch;
  c->has_slot = true;
  c->time_valid = true;
  c->clock[sid] = epoch;
  c->fast = (uint32_t)sid << RACE_CELL_SID_SHIFT | (uint32_t)epoch << RACE_CELL_EPOCH_SHIFT;
  journal_append(s, epoch, c);
  history_epoch(c, old_valid, old_sid, old_epoch);
  return true;
}

/* Steals a slot from a context that is not running (race_slot_lock held).
 * Returns its sid or -1. */
static int slot_steal(void) {
  for (unsigned round = 0; round < 2 * RACE_SLOTS; round++) {
    unsigned sid = sweep_hand;
    sweep_hand = (sweep_hand + 1) % RACE_SLOTS;
    struct race_slot *s = &slots[sid];
    if (s->exhausted) continue;
    struct race_ctx *victim = atomic_load(&s->owner);
    if (!victim) return (int)sid;
    if (atomic_exchange_explicit(&s->referenced, false, memory_order_relaxed)) continue;
    if (atomic_load(&victim->running)) continue;
    /* Claim, then check that the victim did not start running meanwhile
     * (race_switch does the mirror image). */
    atomic_store(&s->owner, NULL);
    if (atomic_load(&victim->running)) {
      atomic_store(&s->owner, victim);
      continue;
    }
    s->epoch = victim->epoch;
    victim->has_slot = false;
    return (int)sid;
  }
  return -1;
}

/* Gives c's slot back (finished contexts). */
static void slot_release(struct race_ctx *c) {
  if (!c->has_slot) return;
  rt_lock_acquire(&race_slot_lock);
  struct race_slot *s = &slots[c->sid];
  if (atomic_load(&s->owner) == c && c->gen == (atomic_load(&race_world_gen) & ~(uint64_t)1)) {
    s->epoch = c->epoch;
    atomic_store(&s->owner, NULL);
    if (s->epoch >= RACE_EPOCH_MAX) s->exhausted = true;
    free_push(c->sid);
  }
  c->has_slot = false;
  rt_lock_release(&race_slot_lock);
}

/* Gives c a slot. False when none has epochs left (the caller resets). */
static bool slot_attach(struct race_ctx *c) {
  rt_lock_acquire(&race_slot_lock);
  if (!slots_ready) slots_init_locked();
  if (c->has_slot && atomic_load(&slots[c->sid].owner) == c) {
    rt_lock_release(&race_slot_lock);
    return true;
  }
  c->has_slot = false;
  for (;;) {
    int sid = free_pop();
    if (sid < 0) sid = slot_steal();
    if (sid < 0) {
      rt_lock_release(&race_slot_lock);
      return false;
    }
    if (slot_take(c, (unsigned)sid)) break;
  }
  rt_lock_release(&race_slot_lock);
  return true;
}

/* c has used its slot's last epoch: retire the slot, take another. */
static bool slot_exhausted(struct race_ctx *c) {
  rt_lock_acquire(&race_slot_lock);
  struct race_slot *s = &slots[c->sid];
  if (atomic_load(&s->owner) == c) {
    s->epoch = c->epoch;
    s->exhausted = true;
    atomic_store(&s->owner, NULL);
  }
  rt_lock_release(&race_slot_lock);
  return slot_attach(c);
}

/* ---- the world reset ------------------------------------------------------------ */

static rt_lock reset_lock = RT_LOCK_INIT;
static _Atomic uint64_t resets;

static void membarrier_all(void) {
  if (race_fence_mode) {
    atomic_thread_fence(memory_order_seq_cst);
    return;
  }
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
    /* Cannot happen once registered; fall back to fences for good. */
    race_fence_mode = 1;
    atomic_thread_fence(memory_order_seq_cst);
  }
}

/* Wipes the detector's memory of the past. Called with busy set and no
 * detector lock held; returns with busy set. */
static void world_reset(struct race_thread *self, uint64_t seen) {
  atomic_store(&self->busy, 0);
  rt_lock_acquire(&reset_lock);
  if (atomic_load(&race_world_gen) != seen) {
    rt_lock_release(&reset_lock);
    atomic_store(&self->busy, 1);
    if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
    return;
  }
  atomic_store(&race_world_gen, seen + 1);
  membarrier_all();
  rt_lock_acquire(&threads_lock);
  for (struct race_thread *t = threads; t; t = t->next) {
    if (t == self) continue;
    while (atomic_load(&t->busy)) sched_yield();
  }
  /* Nobody is inside the detector now, and nobody can enter it. */
  shadow_clear_all();
  sync_clear_all();
  rt_lock_acquire(&race_slot_lock);
  slots_init_locked();
  rt_lock_release(&race_slot_lock);
  rt_lock_release(&threads_lock);
  atomic_fetch_add(&resets, 1);
  atomic_store_explicit(&race_world_gen, seen + 2, memory_order_release);
  rt_lock_release(&reset_lock);
  atomic_store(&self->busy, 1);
  if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
}

/* c meets a new generation: it forgets everything it knew. */
static void ctx_new_gen(struct race_ctx *c, uint64_t gen) {
  memset(c->clock, 0, sizeof c->clock);
  c->has_slot = false;
  c->time_valid = false;
  c->gen = gen;
}

/* ---- entering the detector --------------------------------------------------- */

static struct race_ctx *enter_slow(struct race_thread *t, bool for_sync) {
  if (!atomic_load_explicit(&race_inited, memory_order_acquire)) {
    atomic_store(&t->busy, 0);
    race_init();
    atomic_store(&t->busy, 1);
  }
  if (!t->registered) {
    atomic_store(&t->busy, 0);
    thread_register(t);
    atomic_store(&t->busy, 1);
  }
  for (;;) {
    if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
    else atomic_signal_fence(memory_order_seq_cst);
    uint64_t gen = atomic_load_explicit(&race_world_gen, memory_order_acquire);
    if (gen & 1) {
      atomic_store(&t->busy, 0);
      while (atomic_load_explicit(&race_world_gen, memory_order_acquire) == gen) sched_yield();
      atomic_store(&t->busy, 1);
      continue;
    }
    struct race_ctx *c = ctx_current();
    if (c->gen != gen) ctx_new_gen(c, gen);
    if (!c->has_slot || atomic_load(&slots[c->sid].owner) != c) {
      if (!slot_attach(c)) {
        world_reset(t, gen);
        continue;
      }
    }
    if (c->ignore > 0 || t->in_rt) {
      t->gen_ok = t->gen_window = RACE_GEN_INVALID;
      if (!for_sync) {
        atomic_store_explicit(&t->busy, 0, memory_order_release);
        return NULL;
      }
      return c;
    }
    /* In a relog window, accesses take the window's entry instead. */
    t->gen_ok = c->relog ? RACE_GEN_INVALID : gen;
    t->gen_window = c->relog ? gen : RACE_GEN_INVALID;
    return c;
  }
}

struct race_ctx *hook_enter_slow(struct race_thread *t) { return enter_slow(t, false); }

/* Enters for a synchronisation event: always returns the context (busy set),
 * even while accesses are ignored. */
static struct race_ctx *sync_enter(struct race_thread *t) {
  atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
  if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
  else atomic_signal_fence(memory_order_seq_cst);
  uint64_t gen = atomic_load_explicit(&race_world_gen, memory_order_acquire);
  if (RACE_LIKELY(gen == t->gen_ok || gen == t->gen_window)) return t->ctx;
  return enter_slow(t, true);
}

void ctx_refresh(struct race_thread *t) {
  struct race_ctx *c = t->ctx;
  uint64_t gen = atomic_load_explicit(&race_world_gen, memory_order_acquire);
  t->gen_ok = t->gen_window = RACE_GEN_INVALID;
  if (c && !(gen & 1) && c->gen == gen && c->ignore == 0 && !t->in_rt && c->has_slot &&
      atomic_load(&slots[c->sid].owner) == c) {
    if (c->relog) t->gen_window = gen;
    else t->gen_ok = gen;
  }
}

void ctx_epoch_next(struct race_ctx *c) {
  if (RACE_UNLIKELY(c->epoch >= RACE_EPOCH_MAX)) {
    struct race_thread *t = &race_tls;
    uint64_t gen = c->gen;
    while (!slot_exhausted(c)) {
      world_reset(t, gen);
      gen = atomic_load(&race_world_gen);
      if (c->gen != gen) ctx_new_gen(c, gen);
    }
    ctx_refresh(t);
    return;
  }
  unsigned old = c->epoch;
  c->epoch++;
  c->clock[c->sid] = c->epoch;
  c->fast = (uint32_t)c->sid << RACE_CELL_SID_SHIFT | (uint32_t)c->epoch << RACE_CELL_EPOCH_SHIFT;
  history_epoch(c, true, c->sid, old);
}

/* ---- the runtime's hooks (race.h) ------------------------------------------- */

void race_go_start(struct weft_g *parent, struct weft_g *child) {
  (void)parent; /* always the caller: its context is the current one */
  struct race_thread *t = &race_tls;
  struct race_ctx *p = sync_enter(t);
  struct race_ctx *c = child->race;
  if (!c) {
    c = ctx_alloc();
    child->race = c;
  }
  atomic_fetch_add(&c->incarnation, 1);
  c->kind = CTX_GOROUTINE;
  c->g = child;
  c->id = child->id;
  c->main = child->main;
  c->started = false;
  atomic_store(&c->finished, false);
  c->depth = 0;
  c->ignore = 0;
  c->stack_low = UINTPTR_MAX;
  c->stk_lo = c->stk_hi = 0;
  ring_reset(c);
  /* Spawned by a timer's delivery (race_timer_fire_begin): created where
   * the timer was armed. */
  c->create_stack = t->fire_stack && t->fire_ctx == p
                        ? t->fire_stack
                        : depot_here_fp(p, (uintptr_t)child->created_pc, __builtin_frame_address(0));
  /* The edge: the child starts knowing everything its parent knew. */
  c->gen = p->gen;
  c->has_slot = false;
  c->time_valid = false;
  race_real_memcpy(c->clock, p->clock, sizeof c->clock);
  ctx_epoch_next(p);
  hook_exit(t);
}

void race_go_end(struct weft_g *g) {
  struct race_ctx *c = g->race;
  if (!c) return;
  struct race_thread *t = &race_tls;
  sync_enter(t);
  atomic_store(&c->finished, true);
  slot_release(c);
  /* The stack goes back to the runtime's cache for another goroutine:
   * forget what this one did on it. Only the part instrumented frames
   * reached (stack_low, with a margin for their callees) was used. */
  if (c->stk_hi && c->stack_low != UINTPTR_MAX) {
    uintptr_t lo = c->stack_low > 16384 ? c->stack_low - 16384 : 0;
    if (lo < c->stk_lo) lo = c->stk_lo;
    if (lo < c->stk_hi) shadow_clear(lo, c->stk_hi - lo);
  }
  t->gen_ok = t->gen_window = RACE_GEN_INVALID;
  hook_exit(t);
}

void race_switch(struct weft_g *g) {
  struct race_thread *t = &race_tls;
  struct race_ctx *old = t->ctx;
  if (old) atomic_store_explicit(&old->running, 0, memory_order_release);
  struct race_ctx *c;
  if (g) {
    c = g->race;
    if (!c) {
      t->ctx = NULL;
      t->gen_ok = t->gen_window = RACE_GEN_INVALID;
      return;
    }
    if (!c->started) {
      c->started = true;
      c->stk_lo = (uintptr_t)g->stack.lo;
      c->stk_hi = (uintptr_t)g->stack.hi;
    }
  } else {
    c = t->thread_ctx;
  }
  t->ctx = c;
  if (c) {
    atomic_store(&c->running, 1);
    if (c->has_slot && !atomic_load_explicit(&slots[c->sid].referenced, memory_order_relaxed))
      atomic_store_explicit(&slots[c->sid].referenced, true, memory_order_relaxed);
  }
  ctx_refresh(t);
}

void race_thread_fork(struct race_fork *f, uintptr_t pc) {
  struct race_thread *t = &race_tls;
  f->valid = false;
  if (!atomic_load_explicit(&race_inited, memory_order_acquire) || t->in_rt) return;
  struct race_ctx *p = sync_enter(t);
  race_real_memcpy(f->clock, p->clock, sizeof f->clock);
  f->gen = p->gen;
  f->create_stack = depot_here_fp(p, pc, __builtin_frame_address(0));
  f->valid = true;
  ctx_epoch_next(p);
  hook_exit(t);
}

void race_thread_begin(const struct race_fork *f) {
  if (!f->valid) return;
  struct race_thread *t = &race_tls;
  if (!t->ctx) {
    /* Named before it takes a slot: the slot's journal copies the name. */
    ctx_current()->create_stack = f->create_stack;
  }
  struct race_ctx *c = sync_enter(t);
  if (c->gen == f->gen) {
    for (int i = 0; i < RACE_SLOTS; i++)
      if (f->clock[i] > c->clock[i]) c->clock[i] = f->clock[i];
  }
  c->create_stack = f->create_stack;
  hook_exit(t);
}

void race_acquire(const void *addr) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  sync_acquire(c, (uintptr_t)addr);
  hook_exit(t);
}

void race_release(const void *addr) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  sync_release(c, (uintptr_t)addr, false);
  ctx_epoch_next(c);
  hook_exit(t);
}

void race_release_merge(const void *addr) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  sync_release(c, (uintptr_t)addr, true);
  ctx_epoch_next(c);
  hook_exit(t);
}

void race_read_range_pc(const void *addr, size_t size, const void *pc) {
  race_access_range((uintptr_t)addr, size, ACC_READ, (uintptr_t)pc);
}

void race_write_range_pc(const void *addr, size_t size, const void *pc) {
  race_access_range((uintptr_t)addr, size, 0, (uintptr_t)pc);
}

/* Timers, as Go's race runtime treats them: arming releases into the
 * timer's clock, and the expiry (on the timer thread, or a worker's
 * scheduler context) acquires it only for as long as it delivers. The
 * delivering context must not keep that knowledge: it serves every timer,
 * and whatever it later released would carry every armer's past. So the
 * clock is saved and restored around the delivery, except the context's
 * own entry, whose epochs only move forward. */
/* The arming stack, as SPEC section 6 shows it: the public function that
 * armed the timer (weft_after_func, weft_timer_reset, ...: our caller),
 * printed although it is weft's, then the user's frames. fp and ret are
 * race_timer_arm's frame and return address; pc is where the user called
 * the public function. The frame walk also finds the user's line through
 * weft's own frames when the public function was reached through another
 * (weft_with_timeout -> weft_with_deadline). */
static uint32_t arming_stack(struct race_ctx *c, const void *pc, void *fp, void *ret) {
  uintptr_t pcs[RACE_MAX_FRAMES];
  int n = stack_walk(c, fp, pcs, 16);
  if (n == 0) {
    pcs[n++] = (uintptr_t)ret;
    if (pc) pcs[n++] = (uintptr_t)pc;
  }
  pcs[0] |= RACE_PC_SHOWN;
  for (uint32_t i = c->depth; i > 0 && n < RACE_MAX_FRAMES; i--) pcs[n++] = c->stack_pc[i - 1];
  return depot_put(pcs, n);
}

void race_timer_arm(const void *timer, const void *pc) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  uint32_t stack = arming_stack(c, pc, __builtin_frame_address(0), __builtin_return_address(0));
  struct race_sync_ref ref;
  sync_lock((uintptr_t)timer, true, &ref);
  sync_release_locked(c, &ref, true);
  sync_set_stack(&ref, stack);
  sync_unlock(&ref);
  ctx_epoch_next(c);
  hook_exit(t);
}

void race_timer_fire_begin(const void *timer) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  if (!t->fire_saved) t->fire_saved = race_alloc(sizeof c->clock);
  race_real_memcpy(t->fire_saved, c->clock, sizeof c->clock);
  t->fire_ctx = c;
  t->fire_gen = c->gen;
  t->fire_stack = 0;
  struct race_sync_ref ref;
  if (sync_lock((uintptr_t)timer, false, &ref)) {
    sync_acquire_locked(c, &ref);
    t->fire_stack = sync_stack(&ref);
    sync_unlock(&ref);
  }
  hook_exit(t);
}

void race_timer_fire_end(void) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  if (c == t->fire_ctx && c->gen == t->fire_gen) {
    for (int i = 0; i < RACE_SLOTS; i++)
      if (!c->has_slot || i != (int)c->sid) c->clock[i] = t->fire_saved[i];
  }
  t->fire_ctx = NULL;
  t->fire_stack = 0;
  hook_exit(t);
}

void race_ignore(bool begin) {
  struct race_thread *t = &race_tls;
  struct race_ctx *c = sync_enter(t);
  if (begin) c->ignore++;
  else if (c->ignore > 0) c->ignore--;
  ctx_refresh(t);
  hook_exit(t);
}

/* ---- start-up ------------------------------------------------------------------ */

void race_init(void) {
  static _Atomic int state;   /* 0: not yet, 1: in progress, 2: done */
  static _Atomic long initialiser;
  if (atomic_load(&state) == 2) return;
  long self = (long)syscall(SYS_gettid);
  int expected = 0;
  if (!atomic_compare_exchange_strong(&state, &expected, 1)) {
    /* Re-entered from our own initialisation (malloc in getenv?): go on. */
    if (atomic_load(&initialiser) == self) return;
    while (atomic_load(&state) != 2) sched_yield();
    return;
  }
  atomic_store(&initialiser, self);
  pthread_key_create(&thread_key, thread_exit);
  race_options_init();
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
    race_fence_mode = 0;
  rt_lock_acquire(&race_slot_lock);
  if (!slots_ready) slots_init_locked();
  rt_lock_release(&race_slot_lock);
  report_init();
  atomic_store(&state, 2);
  atomic_store_explicit(&race_inited, true, memory_order_release);
}

__attribute__((constructor(101))) static void race_constructor(void) { race_init(); }

#endif
