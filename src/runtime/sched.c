/*
 * sched.c - the M:N scheduler: workers, run queues, stealing, parking.
 *
 * Model (see sched.h for the data): WEFT_PROCS workers each run goroutines
 * from their own run queue. A goroutine runs until it parks (rt_park),
 * yields, or exits; then the worker picks the next goroutine:
 *
 *   1. every 61st pick, one from the global queue (so it cannot starve);
 *   2. runnext, the goroutine this one just readied (hand-off partner),
 *      unless runnext has won 61 times in a row (so a ping-pong pair cannot
 *      starve the rest of the queue on a single worker);
 *   3. the head of the local run queue;
 *   4. a batch from the global queue;
 * and only if all of those are empty does it switch to g0, the worker's own
 * stack, to steal half of another worker's queue or go idle. Steps 1-4 run
 * on the departing goroutine's stack and switch straight to the next one.
 *
 * Idle workers and wakeups (Go's "spinning" protocol, simplified):
 *   - A worker that finds no work may become "spinning" (searching other
 *     queues) if fewer than half of the busy workers are already spinning.
 *     It spins for a bounded time, then goes idle.
 *   - An idle worker pushes itself on the idle list, re-checks every queue
 *     (the other half of a Dekker handshake with wakep, separated by a
 *     seq_cst fence on both sides), and sleeps on its own futex word.
 *   - Whoever makes a goroutine runnable calls wakep(): if there is an idle
 *     worker and nobody is spinning, it pops one and wakes it as the new
 *     spinning worker. At most one wake is in flight, so a burst of readies
 *     costs one futex syscall, not one each.
 * A push to the caller's own queue can never be lost (its worker is running
 * and will look at its own queue), so only pushes to the global queue pay
 * the fence; local pushes call wakep only to gain parallelism.
 *
 * Timers: a worker that runs out of work fires due timers itself (see
 * timer.c), so a sleeping goroutine's wake-up lands in that worker's own
 * queue; the timer thread covers busy and sleeping workers.
 *
 * Global deadlock: the last worker to go idle checks whether anything could
 * still make a goroutine runnable (a pending timer, the timer thread firing,
 * a thread outside weft's knowledge). If nothing can and goroutines are
 * parked, it reports "all goroutines are asleep - deadlock!" at once.
 *
 * No preemption: a goroutine that never blocks keeps its worker.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "race/race.h"
#include "runtime/sanitizer.h"
#include "runtime/sched.h"
#include "runtime/switch.h"

struct sched sched;

static __thread struct worker *tls_worker __attribute__((tls_model("initial-exec")));

__attribute__((noinline)) struct worker *rt_worker(void) {
  struct worker *w = tls_worker;
  __asm__ __volatile__("" ::: "memory");
  return w;
}

struct weft_g *rt_goroutine(void) {
  struct worker *w = rt_worker();
  return w ? w->current : NULL;
}

static inline uint32_t fastrand(struct worker *w) {
  uint64_t x = w->rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  w->rng = x;
  return (uint32_t)(x >> 32);
}

/* ---- global queue ---------------------------------------------------- */

/* Appends a chain; with `due`, puts it instead at the end of the "due"
 * segment at the head of the queue: goroutines whose timer expired. Their
 * wake-up is already late by the time they run, while the rest of the
 * global queue may be thousands of goroutines not yet started, which no
 * clock is waiting for (Go's timers likewise ready into runnext). The due
 * segment itself stays FIFO, so an earlier expiry runs first. */
static void global_put_chain(struct weft_g *head, struct weft_g *tail, uint32_t n, bool due) {
  tail->sched_next = NULL;
  rt_lock_acquire(&sched.global_lock);
  if (due && sched.global_head) {
    struct weft_g **at = sched.global_due_tail ? &sched.global_due_tail->sched_next
                                               : &sched.global_head;
    tail->sched_next = *at;
    *at = head;
    if (!tail->sched_next) sched.global_tail = tail;
  } else {
    if (sched.global_tail) sched.global_tail->sched_next = head;
    else sched.global_head = head;
    sched.global_tail = tail;
  }
  if (due) {
    sched.global_due_tail = tail;
    atomic_store_explicit(&sched.global_due, atomic_load_explicit(&sched.global_due, memory_order_relaxed) + n,
                          memory_order_relaxed);
  }
  atomic_fetch_add_explicit(&sched.global_size, n, memory_order_relaxed);
  rt_lock_release(&sched.global_lock);
}

static void global_put_batch(struct weft_g *head, struct weft_g *tail, uint32_t n) {
  global_put_chain(head, tail, n, false);
}

static bool runq_put_local(struct worker *w, struct weft_g *g);

/* Takes up to `max` goroutines from the global queue: returns one and puts
 * the rest in w's local queue. */
static struct weft_g *global_get(struct worker *w, uint32_t max) {
  if (atomic_load_explicit(&sched.global_size, memory_order_relaxed) == 0) return NULL;
  rt_lock_acquire(&sched.global_lock);
  uint32_t size = atomic_load_explicit(&sched.global_size, memory_order_relaxed);
  if (size == 0) {
    rt_lock_release(&sched.global_lock);
    return NULL;
  }
  uint32_t n = size / (uint32_t)sched.nprocs + 1;
  if (n > size) n = size;
  if (n > max) n = max;
  if (n > RUNQ_SIZE / 2) n = RUNQ_SIZE / 2;
  struct weft_g *first = sched.global_head;
  struct weft_g *g = first;
  for (uint32_t i = 1; i < n; i++) g = g->sched_next;
  sched.global_head = g->sched_next;
  if (!sched.global_head) sched.global_tail = NULL;
  uint32_t due = atomic_load_explicit(&sched.global_due, memory_order_relaxed);
  if (due <= n) {
    if (due) atomic_store_explicit(&sched.global_due, 0, memory_order_relaxed);
    sched.global_due_tail = NULL;
  } else {
    atomic_store_explicit(&sched.global_due, due - n, memory_order_relaxed);
  }
  atomic_fetch_sub_explicit(&sched.global_size, n, memory_order_relaxed);
  rt_lock_release(&sched.global_lock);
  g->sched_next = NULL;
  for (struct weft_g *x = first->sched_next; x;) {
    struct weft_g *next = x->sched_next;
    runq_put_local(w, x);
    x = next;
  }
  return first;
}

/* ---- local run queue (single producer, multiple consumers) ------------ */

/* Moves half of a full local queue plus g to the global queue. */
static void runq_overflow(struct worker *w, struct weft_g *g, uint32_t head, uint32_t tail) {
  uint32_t n = (tail - head) / 2;
  struct weft_g *batch[RUNQ_SIZE / 2 + 1];
  for (uint32_t i = 0; i < n; i++)
    batch[i] = atomic_load_explicit(&w->runq[(head + i) % RUNQ_SIZE], memory_order_relaxed);
  if (!atomic_compare_exchange_strong_explicit(&w->runq_head, &head, head + n,
          memory_order_release, memory_order_relaxed)) {
    /* Thieves took some meanwhile; there is room now. */
    runq_put_local(w, g);
    return;
  }
  batch[n] = g;
  for (uint32_t i = 0; i < n; i++) batch[i]->sched_next = batch[i + 1];
  global_put_batch(batch[0], batch[n], n + 1);
}

static bool runq_put_local(struct worker *w, struct weft_g *g) {
  uint32_t head = atomic_load_explicit(&w->runq_head, memory_order_acquire);
  uint32_t tail = atomic_load_explicit(&w->runq_tail, memory_order_relaxed);
  if (tail - head < RUNQ_SIZE) {
    atomic_store_explicit(&w->runq[tail % RUNQ_SIZE], g, memory_order_relaxed);
    atomic_store_explicit(&w->runq_tail, tail + 1, memory_order_release);
    return true;
  }
  runq_overflow(w, g, head, tail);
  return false;
}

/* With a single worker nobody steals: runnext has one reader and one
 * writer, its owner, and needs no locked instruction (the deadlock check
 * only reads it once the owner has gone idle, which is a seq_cst event).
 * Two locked instructions fewer per hand-off: ping-pong over unbuffered
 * channels at WEFT_PROCS=1 went from ~46 to ~37 ns per message. */
static inline bool runnext_private(void) { return sched.nprocs == 1; }

/* Puts g in runnext (if next) or at the tail. Owner only. */
static void runq_put(struct worker *w, struct weft_g *g, bool next) {
  if (next && runnext_private()) {
    struct weft_g *old = atomic_load_explicit(&w->runnext, memory_order_relaxed);
    atomic_store_explicit(&w->runnext, g, memory_order_relaxed);
    if (!old) return;
    g = old;
  } else if (next) {
    struct weft_g *old = atomic_exchange_explicit(&w->runnext, g, memory_order_acq_rel);
    if (!old) return;
    g = old;
  }
  runq_put_local(w, g);
}

static struct weft_g *runq_get(struct worker *w, bool skip_next) {
  if (!skip_next) {
    struct weft_g *g = atomic_load_explicit(&w->runnext, memory_order_relaxed);
    if (g && runnext_private()) {
      atomic_store_explicit(&w->runnext, NULL, memory_order_relaxed);
      return g;
    }
    if (g && atomic_compare_exchange_strong_explicit(&w->runnext, &g, NULL,
                 memory_order_acquire, memory_order_relaxed))
      return g;
  }
  for (;;) {
    uint32_t head = atomic_load_explicit(&w->runq_head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&w->runq_tail, memory_order_relaxed);
    if (head == tail) return NULL;
    struct weft_g *g = atomic_load_explicit(&w->runq[head % RUNQ_SIZE], memory_order_relaxed);
    if (atomic_compare_exchange_weak_explicit(&w->runq_head, &head, head + 1,
            memory_order_release, memory_order_relaxed))
      return g;
  }
}

bool runq_full(struct worker *w) {
  return atomic_load_explicit(&w->runq_tail, memory_order_relaxed) -
             atomic_load_explicit(&w->runq_head, memory_order_relaxed) >= RUNQ_SIZE - 1;
}

static bool runq_empty(struct worker *w) {
  return atomic_load_explicit(&w->runq_head, memory_order_acquire) ==
             atomic_load_explicit(&w->runq_tail, memory_order_acquire) &&
         atomic_load_explicit(&w->runnext, memory_order_acquire) == NULL;
}

/* Steals half of victim's queue into w's; returns one goroutine to run. */
static struct weft_g *runq_steal(struct worker *w, struct worker *victim, bool steal_next) {
  for (;;) {
    uint32_t head = atomic_load_explicit(&victim->runq_head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&victim->runq_tail, memory_order_acquire);
    uint32_t n = tail - head;
    n = n - n / 2;
    if (n == 0) {
      if (!steal_next) return NULL;
      struct weft_g *g = atomic_load_explicit(&victim->runnext, memory_order_relaxed);
      if (g && atomic_compare_exchange_strong_explicit(&victim->runnext, &g, NULL,
                   memory_order_acquire, memory_order_relaxed))
        return g;
      return NULL;
    }
    if (n > RUNQ_SIZE / 2) continue; /* read an inconsistent head/tail pair */
    struct weft_g *batch[RUNQ_SIZE / 2];
    for (uint32_t i = 0; i < n; i++)
      batch[i] = atomic_load_explicit(&victim->runq[(head + i) % RUNQ_SIZE], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&victim->runq_head, &head, head + n,
            memory_order_acq_rel, memory_order_relaxed))
      continue;
    for (uint32_t i = 1; i < n; i++) runq_put_local(w, batch[i]);
    return batch[0];
  }
}

/* ---- idle workers ----------------------------------------------------- */

static void idle_push(struct worker *w) {
  rt_lock_acquire(&sched.idle_lock);
  w->idle_next = sched.idle_list;
  sched.idle_list = w;
  w->idle = true;
  atomic_fetch_add(&sched.nidle, 1); /* seq_cst: the handshake with wakep */
  rt_lock_release(&sched.idle_lock);
}

static struct worker *idle_pop(void) {
  rt_lock_acquire(&sched.idle_lock);
  struct worker *w = sched.idle_list;
  if (w) {
    sched.idle_list = w->idle_next;
    w->idle = false;
    atomic_fetch_sub(&sched.nidle, 1);
  }
  rt_lock_release(&sched.idle_lock);
  return w;
}

static bool idle_remove(struct worker *w) {
  rt_lock_acquire(&sched.idle_lock);
  bool found = false;
  if (w->idle) {
    for (struct worker **p = &sched.idle_list; *p; p = &(*p)->idle_next) {
      if (*p == w) {
        *p = w->idle_next;
        break;
      }
    }
    w->idle = false;
    atomic_fetch_sub(&sched.nidle, 1);
    found = true;
  }
  rt_lock_release(&sched.idle_lock);
  return found;
}

static bool work_anywhere(void);

/* Wakes an idle worker to look for work, unless one is already looking.
 *
 * Our claim on nspinning makes every other waker return early, trusting
 * that someone will look at the queues. When the idle list turns out to be
 * empty (its last worker took itself off to look at work it saw), we drop
 * the claim, but a worker may have gone idle meanwhile, after missing work
 * whose waker saw our claim and left: so look at the queues once more and
 * try again if there is work. (Found under qemu: four goroutines readied by
 * foreign threads stayed runnable forever next to an idle worker.) */
static void wakep(void) {
  for (;;) {
    if (atomic_load_explicit(&sched.nidle, memory_order_relaxed) == 0) return;
    if (atomic_load_explicit(&sched.nspinning, memory_order_relaxed) != 0) return;
    int zero = 0;
    if (!atomic_compare_exchange_strong(&sched.nspinning, &zero, 1)) return;
    struct worker *w = idle_pop();
    if (w) {
      atomic_store_explicit(&w->wake, 1, memory_order_release);
      rt_futex_wake(&w->wake, 1);
      return;
    }
    atomic_fetch_sub(&sched.nspinning, 1); /* seq_cst: then re-read the queues */
    if (!work_anywhere()) return;
  }
}

static bool work_anywhere(void) {
  if (atomic_load(&sched.global_size) > 0) return true;
  for (int i = 0; i < sched.nprocs; i++)
    if (!runq_empty(&sched.workers[i])) return true;
  return false;
}

/* ---- making goroutines runnable -------------------------------------- */

/* A foreign thread that readies many goroutines at once (the timer thread
 * firing a batch of expired sleeps) collects them here and hands them to
 * the global queue with one lock and one wake-up (rt_ready_batch_*). */
static __thread struct {
  bool on;
  uint32_t n;
  struct weft_g *head, *tail;
} ready_batch;

void rt_ready_batch_begin(void) { ready_batch.on = true; }

void rt_ready_batch_flush(void) {
  if (ready_batch.n) {
    global_put_chain(ready_batch.head, ready_batch.tail, ready_batch.n, true);
    rt_fence();
    wakep();
  }
  ready_batch.head = ready_batch.tail = NULL;
  ready_batch.n = 0;
}

void rt_ready_batch_end(void) {
  rt_ready_batch_flush();
  ready_batch.on = false;
}

void runq_put_ready(struct weft_g *g) {
  atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
  struct worker *w = rt_worker();
  if (w) {
    runq_put(w, g, true);
    wakep();
  } else if (ready_batch.on) {
    g->sched_next = NULL;
    if (ready_batch.tail) ready_batch.tail->sched_next = g;
    else ready_batch.head = g;
    ready_batch.tail = g;
    if (++ready_batch.n >= 64) rt_ready_batch_flush();
  } else {
    g->sched_next = NULL;
    global_put_batch(g, g, 1);
    rt_fence();
    wakep();
  }
}

static void park_foreign(struct weft_g *g, bool (*commit)(struct weft_g *, void *), void *arg) {
  atomic_store_explicit(&g->park_word, 0, memory_order_relaxed);
  atomic_store_explicit(&g->status, G_WAITING, memory_order_relaxed);
  atomic_fetch_add(&sched.foreign_parked, 1);
  if (commit && !commit(g, arg)) {
    atomic_fetch_sub(&sched.foreign_parked, 1);
    atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
    return;
  }
  /* If every worker went idle before we counted ourselves parked, nobody
   * else will look again: check for a global deadlock ourselves. */
  if (sched_all_idle()) sched_check_dead();
  /* The waker takes us off foreign_parked (so the deadlock check never
   * counts a woken thread as asleep). */
  while (atomic_load_explicit(&g->park_word, memory_order_acquire) == 0)
    rt_futex_wait(&g->park_word, 0, -1);
  atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
}

void rt_ready(struct weft_g *g) {
  rt_note_foreign_thread();
  if (g->foreign) {
    atomic_fetch_sub(&sched.foreign_parked, 1);
    atomic_store_explicit(&g->park_word, 1, memory_order_release);
    rt_futex_wake(&g->park_word, 1);
    return;
  }
  runq_put_ready(g);
}

/* ---- switching --------------------------------------------------------- */

/* A goroutine that has never run has sp == NULL: give it a stack (the
 * worker's most recently freed one, still warm) and a fresh switch frame. */
static void prepare_first_run(struct worker *w, struct weft_g *g) {
  if (!g->stack.lo && !stack_alloc(w, &g->stack))
    rt_fatal("out of memory: cannot allocate a %zu-byte goroutine stack", rt_stack_size);
  g->sp = rt_switch_prepare(g->stack.hi);
#if defined(WEFT_TSAN_FIBERS)
  if (!g->sanitizer_fiber) g->sanitizer_fiber = __tsan_create_fiber(0);
#endif
}

/* Sanitizer bookkeeping around rt_switch; `dying` means `from` never runs
 * again on this stack. */
static inline void before_switch(struct worker *w, struct weft_g *from, struct weft_g *to, bool dying) {
#if defined(WEFT_TSAN_FIBERS)
  __tsan_switch_to_fiber(to ? to->sanitizer_fiber : w->g0_fiber, 0);
#endif
#if defined(WEFT_ASAN_FIBERS)
  void **save = dying ? NULL : from ? &from->sanitizer_fiber : &w->g0_fake_stack;
  if (to) __sanitizer_start_switch_fiber(save, to->stack.lo, (size_t)(to->stack.hi - to->stack.lo));
  else __sanitizer_start_switch_fiber(save, w->g0_stack_lo, w->g0_stack_size);
#endif
  (void)w; (void)from; (void)to; (void)dying;
}

/* Runs first thing in whatever context a switch resumes. */
static inline void after_switch_sanitizer(struct worker *w) {
#if defined(WEFT_ASAN_FIBERS)
  struct weft_g *g = w->current;
  __sanitizer_finish_switch_fiber(g ? g->sanitizer_fiber : w->g0_fake_stack, NULL, NULL);
#endif
  race_switch(w->current);
}

static void after_switch(struct worker *w);

/* Switches worker w from the context whose sp is saved in *save (goroutine
 * `from`, or g0 when from is NULL) to goroutine `to`; returns when the
 * saved context is resumed, on whichever worker that happens. */
static void switch_into(struct worker *w, struct weft_g *from, void **save,
                        struct weft_g *to, bool dying) {
  if (!to->sp) prepare_first_run(w, to);
  w->current = to;
  to->worker = w;
  atomic_store_explicit(&to->status, G_RUNNING, memory_order_relaxed);
  before_switch(w, from, to, dying);
  rt_switch(save, to->sp);
  w = rt_worker();
  after_switch_sanitizer(w);
  after_switch(w);
}

/* From goroutine `from` to goroutine `to` on worker w. */
static void switch_to(struct worker *w, struct weft_g *from, struct weft_g *to, bool dying) {
  switch_into(w, from, &from->sp, to, dying);
}

/* From goroutine `from` to g0 of worker w. */
static void switch_to_g0(struct worker *w, struct weft_g *from, bool dying) {
  w->current = NULL;
  before_switch(w, from, NULL, dying);
  rt_switch(&from->sp, w->g0_sp);
  w = rt_worker();
  after_switch_sanitizer(w);
  after_switch(w);
}

static void after_switch(struct worker *w) {
  enum after_kind kind = w->after;
  if (kind == AFTER_NONE) return;
  struct weft_g *g = w->after_g;
  w->after = AFTER_NONE;
  switch (kind) {
  case AFTER_PARK: {
    bool (*commit)(struct weft_g *, void *) = w->after_commit;
    if (commit && !commit(g, w->after_arg)) {
      atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
      runq_put(w, g, true);
    }
    break;
  }
  case AFTER_YIELD:
    runq_put_local(w, g);
    break;
  case AFTER_EXIT:
    g_free(w, g);
    break;
  case AFTER_NONE:
    break;
  }
}

/* Next goroutine from this worker's own queues and the global queue. */
static struct weft_g *find_local(struct worker *w) {
  if (__builtin_expect(atomic_load_explicit(&sched.stopping, memory_order_relaxed), 0))
    return NULL;
  w->schedtick++;
  /* Goroutines whose timer expired come first: a worker kept busy by its
   * own queue (a loop spawning thousands of goroutines) would otherwise
   * leave them in the global queue for as long as that lasts. One batch
   * per lock; all but the first wait behind the local queue (at most
   * RUNQ_SIZE goroutines, not the length of the busy spell). */
  uint32_t due = atomic_load_explicit(&sched.global_due, memory_order_relaxed);
  if (__builtin_expect(due != 0, 0)) {
    /* As many as fit in half the free room of the local queue: more
     * would overflow it, and the overflow goes to the global tail. */
    uint32_t used = atomic_load_explicit(&w->runq_tail, memory_order_relaxed) -
                    atomic_load_explicit(&w->runq_head, memory_order_relaxed);
    uint32_t room = used < RUNQ_SIZE ? (RUNQ_SIZE - used) / 2 : 0;
    struct weft_g *g = global_get(w, 1 + (due - 1 < room ? due - 1 : room));
    if (g) return g;
  }
  if (w->schedtick % 61 == 0) {
    struct weft_g *g = global_get(w, 1);
    if (g) return g;
    /* Also give the head of the local queue a turn over runnext. */
    g = runq_get(w, true);
    if (g) return g;
  }
  struct weft_g *g = runq_get(w, false);
  if (g) return g;
  return global_get(w, RUNQ_SIZE / 2);
}

/* Leaves the current goroutine (already marked parked/yielding/dead) for
 * the next runnable one; returns when the goroutine runs again. */
static void schedule_away(struct worker *w, struct weft_g *g, bool dying) {
  struct weft_g *next = find_local(w);
  if (next) switch_to(w, g, next, dying);
  else switch_to_g0(w, g, dying);
}

void rt_park(wait_reason reason, const void *wait_obj,
             bool (*commit)(struct weft_g *, void *), void *arg) {
  struct worker *w = rt_worker();
  struct weft_g *g = w ? w->current : NULL;
  if (!g) {
    g = rt_current();
    g->reason = reason;
    g->wait_obj = wait_obj;
    g->wait_since = rt_coarse_nanotime();
    park_foreign(g, commit, arg);
    g->reason = WAIT_NONE;
    g->wait_obj = NULL;
    return;
  }
  g->reason = reason;
  g->wait_obj = wait_obj;
  g->wait_since = rt_coarse_nanotime();
  atomic_store_explicit(&g->status, G_WAITING, memory_order_relaxed);
  w->after = AFTER_PARK;
  w->after_g = g;
  w->after_commit = commit;
  w->after_arg = arg;
  schedule_away(w, g, false);
  g->reason = WAIT_NONE;
  g->wait_obj = NULL;
}

void weft_yield(void) {
  struct worker *w = rt_worker();
  struct weft_g *g = w ? w->current : NULL;
  if (!g) {
    sched_yield();
    return;
  }
  struct weft_g *next = find_local(w);
  if (!next) {
    /* Nothing else is ready here; let an idle worker steal if it wants. */
    return;
  }
  atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
  w->after = AFTER_YIELD;
  w->after_g = g;
  switch_to(w, g, next, false);
}

_Noreturn void sched_goexit(struct weft_g *g) {
  struct worker *w = rt_worker();
  atomic_store_explicit(&g->status, G_DEAD, memory_order_relaxed);
  w->after = AFTER_EXIT;
  w->after_g = g;
  schedule_away(w, g, true);
  rt_fatal("a dead goroutine was resumed");
}

/* ---- the worker loop (g0) --------------------------------------------- */

#define SPIN_ROUNDS 64

static struct weft_g *steal_work(struct worker *w, bool steal_next) {
  int n = sched.nprocs;
  uint32_t start = fastrand(w) % (uint32_t)n;
  for (int i = 0; i < n; i++) {
    struct worker *victim = &sched.workers[(start + (uint32_t)i) % (uint32_t)n];
    if (victim == w) continue;
    struct weft_g *g = runq_steal(w, victim, steal_next);
    if (g) return g;
  }
  return NULL;
}

static void stop_spinning(struct worker *w) {
  if (!w->spinning) return;
  w->spinning = false;
  /* The last spinner that found work wakes another in case there is more. */
  if (atomic_fetch_sub(&sched.nspinning, 1) == 1) wakep();
}

static void sleep_forever(void) {
  _Atomic uint32_t never = 0;
  for (;;) rt_futex_wait(&never, 0, -1);
}

static struct weft_g *find_runnable(struct worker *w) {
  for (;;) {
    if (atomic_load_explicit(&sched.stopping, memory_order_relaxed)) sleep_forever();
    struct weft_g *g = find_local(w);
    if (g) {
      stop_spinning(w);
      return g;
    }
    /* Out of work: fire what is due ourselves rather than sleep and be
     * woken by the timer thread for it. */
    if (rt_timers_due(rt_nanotime())) {
      rt_timers_run();
      g = find_local(w);
      if (g) {
        stop_spinning(w);
        return g;
      }
    }
    if (!w->spinning && sched.nprocs > 1) {
      int busy = sched.nprocs - atomic_load(&sched.nidle);
      if (2 * atomic_load(&sched.nspinning) < busy) {
        w->spinning = true;
        atomic_fetch_add(&sched.nspinning, 1);
      }
    }
    if (w->spinning) {
      for (int round = 0; round < SPIN_ROUNDS; round++) {
        g = steal_work(w, round >= SPIN_ROUNDS / 2);
        if (!g) g = global_get(w, RUNQ_SIZE / 2);
        if (g) {
          stop_spinning(w);
          return g;
        }
        for (int i = 0; i < 50; i++) rt_cpu_relax();
      }
      w->spinning = false;
      atomic_fetch_sub(&sched.nspinning, 1);
    }
    idle_push(w);
    if (work_anywhere()) {
      if (idle_remove(w)) continue;
      /* wakep already took us off the list: its wake is on the way. */
    } else if (atomic_load(&sched.nidle) == sched.nprocs) {
      sched_check_dead();
    }
    /* Asleep until woken, except to return idle goroutine stacks to the
     * kernel when a pass is due (stack.c); we stay on the idle list
     * meanwhile: scavenging makes nothing runnable. */
    while (atomic_load_explicit(&w->wake, memory_order_acquire) == 0) {
      int64_t now = rt_nanotime();
      int64_t wait = stack_scavenge_in(now);
      if (wait == 0 && stack_scavenge(now)) continue;
      rt_futex_wait(&w->wake, 0, wait == 0 ? 1000000 : wait);
    }
    atomic_store_explicit(&w->wake, 0, memory_order_relaxed);
    w->spinning = true; /* wakep counted us in nspinning */
  }
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  tls_worker = w;
  rt_mark_runtime_thread();
  signals_init_thread(w);
#if defined(WEFT_TSAN_FIBERS)
  w->g0_fiber = __tsan_get_current_fiber();
#endif
#if defined(WEFT_ASAN_FIBERS)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *lo;
    size_t size;
    pthread_attr_getstack(&attr, &lo, &size);
    w->g0_stack_lo = lo;
    w->g0_stack_size = size;
    pthread_attr_destroy(&attr);
  }
#endif
  for (;;) switch_into(w, NULL, &w->g0_sp, find_runnable(w), false);
  return NULL;
}

/* Counts the threads that are neither ours nor the caller once our own
 * have started: an emulator's helpers (qemu-user), a sanitizer's
 * background threads (TSan starts its own inside the first pthread_create,
 * i.e. ours), or the program's own early threads (which, once they call
 * into weft, are tracked as foreign anyway). */
void sched_count_other_threads(void) {
  int all = process_threads();
  int others = all - sched.nprocs - 1 /* timer thread */ - 1 /* caller */;
  atomic_store(&sched.threads_before, others > 0 ? others : 0);
}

void sched_start(void) {
  atomic_store(&sched.threads_before, 1 << 20);
  int n = env_procs();
  sched.nprocs = n;
  struct worker *ws = NULL;
  if (posix_memalign((void **)&ws, 64, sizeof(struct worker) * (size_t)n) != 0)
    rt_fatal("out of memory allocating %d workers", n);
  memset(ws, 0, sizeof(struct worker) * (size_t)n);
  sched.workers = ws;
  for (int i = 0; i < n; i++) {
    ws[i].id = i;
    ws[i].rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  /* Workers start with nothing to do: they go idle at once. */
  for (int i = 0; i < n; i++) {
    int err = pthread_create(&ws[i].thread, &attr, worker_main, &ws[i]);
    if (err) rt_fatal("cannot start worker thread %d: %s", i, strerror(err));
  }
  pthread_attr_destroy(&attr);
}

/* ---- global deadlock ------------------------------------------------- */

/* Threads in this process, from /proc/self/status; -1 if unknown. */
int process_threads(void) {
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return -1;
  char line[256];
  int n = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "Threads:", 8) == 0) {
      n = atoi(line + 8);
      break;
    }
  }
  fclose(f);
  return n;
}

bool sched_all_idle(void) {
  return atomic_load(&sched.nidle) == sched.nprocs && !work_anywhere();
}

int rt_timer_thread_busy(void);

/* Nothing outside the run queues may be about to make a goroutine
 * runnable: no timer pending or being fired, and every foreign thread that
 * has used weft is parked in it. A foreign thread counts itself in
 * foreign_alive before it spawns or readies anything (seq_cst), so a check
 * that still sees it inactive afterwards has also missed nothing it did. */
static bool nothing_outside(void) {
  if (rt_timers_pending() > 0 || rt_timer_thread_busy()) return false;
  return atomic_load(&sched.foreign_alive) <= atomic_load(&sched.foreign_parked);
}

void sched_check_dead(void) {
  /* Before the runtime has counted the threads it did not start, the
   * thread check below would compare against a placeholder. */
  if (!atomic_load(&sched.started) || atomic_load(&sched.stopping)) return;
  /* Order matters: whoever readies a goroutine makes it visible in a run
   * queue before it stops looking busy, so read "busy" before "idle". */
  if (!nothing_outside() || !sched_all_idle()) return;
  /* Every thread we know is a worker (all idle), the timer thread (idle),
   * a foreign thread parked in weft, or was there before the runtime
   * started (an emulator's or sanitizer's helper). Any other thread could
   * still call into weft and wake someone: then it is not a deadlock. */
  int known = sched.nprocs + 1 + atomic_load(&sched.foreign_parked) + atomic_load(&sched.threads_before);
  int threads = process_threads();
  if (threads < 0 || threads > known) return;
  int64_t live = g_live_count();
  bool main_exited = atomic_load(&sched.main_exited);
  if (live <= 0 && !main_exited && atomic_load(&sched.foreign_parked) == 0) return;
  /* Re-check everything after the slow /proc read: nothing may have moved.
   * A foreign thread that spawned during the check (so `live` counts its
   * goroutine, not yet queued) shows up in foreign_alive here. */
  if (!nothing_outside() || !sched_all_idle()) return;
  if (live <= 0 && main_exited)
    rt_fatal("no goroutines (main called weft_exit) - deadlock!");
  rt_die_claim(); /* a worker and the timer thread may both get here */
  fflush(stdout);
  fprintf(stderr, "fatal error: all goroutines are asleep - deadlock!\n\n");
  if (rt_hooks.dump_all) rt_hooks.dump_all(stderr, "deadlock");
  fflush(stderr);
  _exit(2);
}

/* ---- the first frame of every goroutine -------------------------------- */

_Noreturn void rt_goroutine_run(struct weft_g *g);

_Noreturn void rt_goroutine_entry(void) {
  struct worker *w = rt_worker();
  after_switch_sanitizer(w);
  after_switch(w);
  rt_goroutine_run(w->current);
}
