/*
 * goroutine.c - goroutines: creation, identity, exit, and weft_main.
 *
 * A struct weft_g is recycled, never freed: an exited goroutine's g goes to
 * its worker's free list and its stack to the worker's stack cache (pages
 * warm), and both are the next ones used there, so spawn+exit costs no
 * malloc, no mmap and no lock in the steady state. Free lists that grow
 * past G_CACHE_MAX spill half to a global list. Every g ever allocated is
 * on a registry list (sched.all_head) that dumps and detectors walk.
 *
 * A new goroutine gets its stack only when it first runs (sched.c), so a
 * burst of a million spawns that have not started yet costs a million small
 * g structs, not a million stacks.
 *
 * Ids come from a global counter in batches of 16 per worker (Go's
 * goidcache), so spawns on different workers do not fight over one cache
 * line. Id 1 is reserved for the main goroutine of weft_main.
 *
 * Counting (weft_num_goroutines) is per worker: each worker counts the
 * goroutines spawned and exited on it, with owner-only stores; the total is
 * summed on demand.
 *
 * Foreign threads get a stand-in g (foreign = true) on first use; a
 * pthread key destructor returns it to a free list when the thread exits.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "race/race.h"
#include "runtime/sched.h"

#define GOID_BATCH 16

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t foreign_key;
static __thread struct weft_g *tls_foreign __attribute__((tls_model("initial-exec")));
static struct weft_g *foreign_free;  /* guarded by sched.free_lock */

static void foreign_release(void *p) {
  struct weft_g *g = p;
  atomic_store(&g->status, G_IDLE);
  atomic_fetch_sub(&sched.foreign_alive, 1);
  rt_lock_acquire(&sched.free_lock);
  g->sched_next = foreign_free;
  foreign_free = g;
  rt_lock_release(&sched.free_lock);
}

static void runtime_init(void) {
  atomic_store(&sched.goid_gen, 2);
  pthread_key_create(&foreign_key, foreign_release);
  signals_init();
  stack_init();
  sched_start();
  timers_start();
  sched_count_other_threads();
  atomic_store(&sched.started, true);
}

void rt_init(void) {
  if (__builtin_expect(atomic_load_explicit(&sched.started, memory_order_acquire), 1)) return;
  pthread_once(&init_once, runtime_init);
}

#define G_SLAB 32

/* Allocates G_SLAB zeroed g structs at once, registers them all, and
 * returns one; the rest go to w's free list (or the global one). */
static struct weft_g *g_new(struct worker *w) {
  struct weft_g *slab = NULL;
  if (posix_memalign((void **)&slab, 64, sizeof *slab * G_SLAB) != 0 || !slab)
    rt_fatal("out of memory: cannot allocate goroutines (%zu bytes)", sizeof *slab * G_SLAB);
  memset(slab, 0, sizeof *slab * G_SLAB);
  rt_lock_acquire(&sched.all_lock);
  for (int i = 0; i < G_SLAB; i++) {
    slab[i].all_next = sched.all_head;
    sched.all_head = &slab[i];
  }
  rt_lock_release(&sched.all_lock);
  if (w) {
    for (int i = 1; i < G_SLAB; i++) {
      slab[i].sched_next = w->g_free;
      w->g_free = &slab[i];
      w->g_free_count++;
    }
  } else {
    rt_lock_acquire(&sched.free_lock);
    for (int i = 1; i < G_SLAB; i++) {
      slab[i].sched_next = atomic_load_explicit(&sched.g_free, memory_order_relaxed);
      atomic_store_explicit(&sched.g_free, &slab[i], memory_order_relaxed);
      sched.g_free_count++;
    }
    rt_lock_release(&sched.free_lock);
  }
  return &slab[0];
}

struct weft_g *rt_current(void) {
  struct weft_g *g = rt_goroutine();
  if (g) return g;
  g = tls_foreign;
  if (g) return g;
  rt_init();
  rt_lock_acquire(&sched.free_lock);
  g = foreign_free;
  if (g) foreign_free = g->sched_next;
  rt_lock_release(&sched.free_lock);
  if (!g) g = g_new(NULL);
  g->foreign = true;
  g->id = (uint64_t)syscall(SYS_gettid);
  g->sched_next = NULL;
  atomic_store(&g->status, G_RUNNING);
  tls_foreign = g;
  pthread_setspecific(foreign_key, g);
  atomic_fetch_add(&sched.foreign_alive, 1);
  return g;
}

/* The runtime's own non-worker threads (the timer thread) are not foreign
 * threads of the program. */
static __thread bool tls_runtime_thread __attribute__((tls_model("initial-exec")));
void rt_mark_runtime_thread(void) { tls_runtime_thread = true; }

void rt_note_foreign_thread(void) {
  if (!tls_foreign && !tls_runtime_thread) (void)rt_current();
}

struct weft_g *g_alloc(struct worker *w) {
  struct weft_g *g;
  if (w && w->g_free) {
    g = w->g_free;
    w->g_free = g->sched_next;
    w->g_free_count--;
    return g;
  }
  if (atomic_load_explicit(&sched.g_free, memory_order_relaxed)) {
    rt_lock_acquire(&sched.free_lock);
    g = atomic_load_explicit(&sched.g_free, memory_order_relaxed);
    if (g) {
      atomic_store_explicit(&sched.g_free, g->sched_next, memory_order_relaxed);
      sched.g_free_count--;
    }
    rt_lock_release(&sched.free_lock);
    if (g) return g;
  }
  return g_new(w);
}

void g_free(struct worker *w, struct weft_g *g) {
  /* The stack goes back to the worker's cache, hot, for the next goroutine
   * that starts here; the g goes to the free list without it. */
  stack_free(w, &g->stack);
  g->sp = NULL;
  g->fn = NULL;
  g->arg = NULL;
  g->param = NULL;
  g->reason = WAIT_NONE;
  g->wait_obj = NULL;
  g->main = false;
  g->system = false;
  g->bubble = NULL;
  atomic_store_explicit(&g->status, G_IDLE, memory_order_relaxed);
  g->sched_next = w->g_free;
  w->g_free = g;
  if (++w->g_free_count <= G_CACHE_MAX) return;
  /* Spill half to the global list. */
  struct weft_g *head = NULL;
  int n = 0;
  while (w->g_free_count > G_CACHE_MAX / 2) {
    struct weft_g *x = w->g_free;
    w->g_free = x->sched_next;
    w->g_free_count--;
    x->sched_next = head;
    head = x;
    n++;
  }
  rt_lock_acquire(&sched.free_lock);
  while (head) {
    struct weft_g *x = head;
    head = x->sched_next;
    x->sched_next = atomic_load_explicit(&sched.g_free, memory_order_relaxed);
    atomic_store_explicit(&sched.g_free, x, memory_order_relaxed);
    sched.g_free_count++;
  }
  rt_lock_release(&sched.free_lock);
}

static uint64_t goid_new(struct worker *w) {
  if (!w) return atomic_fetch_add(&sched.goid_gen, 1);
  if (w->goid_next == w->goid_end) {
    w->goid_next = atomic_fetch_add(&sched.goid_gen, GOID_BATCH);
    w->goid_end = w->goid_next + GOID_BATCH;
  }
  return w->goid_next++;
}

static inline void counter_bump(_Atomic int64_t *c) {
  /* Owner-only writer: a plain load and store, no locked instruction. */
  atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

static uint64_t spawn(void (*fn)(void *), void *arg, const void *copy, size_t size,
                      bool system, uint64_t id, void *pc) {
  rt_init();
  struct worker *w = rt_worker();
  struct weft_g *self = w ? w->current : NULL;
  /* A foreign thread that spawns is active in weft until it exits: the
   * deadlock check must not take it for a bystander. */
  if (!w) rt_note_foreign_thread();
  struct weft_g *g = g_alloc(w);
  g->fn = fn;
  g->sp = NULL;
  if (copy) {
    if (size <= G_INLINE_ARG) {
      memcpy(g->arg_inline, copy, size);
      g->arg = g->arg_inline;
    } else {
      g->arg_heap = rt_malloc(size);
      memcpy(g->arg_heap, copy, size);
      g->arg = g->arg_heap;
    }
  } else {
    g->arg = arg;
  }
  g->id = id ? id : goid_new(w);
  g->parent_id = self ? self->id : 0;
  g->created_pc = pc;
  g->system = system;
  g->main = id == 1;
  g->foreign = false;
  if (system) atomic_fetch_add(&sched.system_goroutines, 1);
  else if (w) counter_bump(&w->spawned);
  else atomic_fetch_add(&sched.foreign_spawned, 1);
  uint64_t gid = g->id;
  race_go_start(self, g); /* NULL parent: spawned by a foreign thread or the timer thread */
  runq_put_ready(g);
  /* Backpressure: a goroutine that spawns faster than its worker can run
   * the spawned ones would pile up goroutines without bound (Go's spawner
   * is preempted after 10 ms; ours is never preempted). When the local run
   * queue is full, let it drain: the spawner stays runnable and continues
   * after the queued goroutines have had their turn. */
  if (w && self && runq_full(w)) weft_yield();
  return gid;
}

uint64_t weft_go(void (*fn)(void *), void *arg) {
  return spawn(fn, arg, NULL, 0, false, 0, __builtin_return_address(0));
}

uint64_t weft_go_copy(void (*fn)(void *), const void *arg, size_t size) {
  return spawn(fn, NULL, arg ? arg : "", arg ? size : 0, false, 0, __builtin_return_address(0));
}

uint64_t rt_go_system(void (*fn)(void *), void *arg) {
  return spawn(fn, arg, NULL, 0, true, 0, __builtin_return_address(0));
}

int64_t g_live_count(void) {
  int64_t n = atomic_load(&sched.foreign_spawned);
  for (int i = 0; i < sched.nprocs; i++) {
    n += atomic_load_explicit(&sched.workers[i].spawned, memory_order_relaxed);
    n -= atomic_load_explicit(&sched.workers[i].exited, memory_order_relaxed);
  }
  return n;
}

int weft_num_goroutines(void) {
  if (!atomic_load(&sched.started)) return 0;
  int64_t n = g_live_count();
  return n < 0 ? 0 : (int)n;
}

int weft_procs(void) {
  rt_init();
  return sched.nprocs;
}

uint64_t weft_self(void) {
  struct weft_g *g = rt_goroutine();
  return g ? g->id : 0;
}

/* The end of every goroutine: its function returned or it called weft_exit. */
_Noreturn static void g_finish(struct weft_g *g) {
  if (g->arg_heap) {
    free(g->arg_heap);
    g->arg_heap = NULL;
  }
  race_go_end(g);
  if (g->system) atomic_fetch_sub(&sched.system_goroutines, 1);
  else counter_bump(&rt_worker()->exited);
  sched_goexit(g);
}

_Noreturn void rt_goroutine_run(struct weft_g *g);
_Noreturn void rt_goroutine_run(struct weft_g *g) {
  g->fn(g->arg);
  g_finish(rt_goroutine());
}

_Noreturn void weft_exit(void) {
  struct weft_g *g = rt_goroutine();
  if (!g) pthread_exit(NULL);
  if (g->main) atomic_store(&sched.main_exited, true);
  g_finish(g);
}

void rt_for_each_g(void (*fn)(struct weft_g *g, void *arg), void *arg) {
  rt_lock_acquire(&sched.all_lock);
  for (struct weft_g *g = sched.all_head; g; g = g->all_next) fn(g, arg);
  rt_lock_release(&sched.all_lock);
}

void rt_for_each_g_report(void (*fn)(struct weft_g *g, void *arg), void *arg) {
  /* g_new links a slab's entries before it moves the head to them, so a
   * walk without the lock sees a well-formed list. */
  bool locked = false;
  for (int i = 0; i < 1000 && !(locked = rt_lock_try(&sched.all_lock)); i++) {
    struct timespec ts = {0, 100000}; /* nanosleep: async-signal-safe */
    nanosleep(&ts, NULL);
  }
  for (struct weft_g *g = sched.all_head; g; g = g->all_next) fn(g, arg);
  if (locked) rt_lock_release(&sched.all_lock);
}

/* ---- weft_main ---------------------------------------------------------- */

struct main_state {
  int (*fn)(int, char **);
  int argc;
  char **argv;
  int status;
  rt_lock lock;
  bool done;
  struct weft_g *waiter;
};

static void main_goroutine(void *p) {
  struct main_state *st = p;
  int status = st->fn(st->argc, st->argv);
  rt_lock_acquire(&st->lock);
  st->status = status;
  st->done = true;
  struct weft_g *waiter = st->waiter;
  rt_lock_release(&st->lock);
  if (waiter) rt_ready(waiter);
}

static bool main_wait_commit(struct weft_g *g, void *arg) {
  struct main_state *st = arg;
  rt_lock_release(&st->lock);
  return true;
}

int weft_main(int (*fn)(int, char **), int argc, char **argv) {
  static _Atomic bool running;
  if (rt_goroutine()) rt_fatal("weft_main called from a goroutine");
  if (atomic_exchange(&running, true)) rt_fatal("weft_main called while weft_main is running");
  rt_init();
  struct main_state st = {fn, argc, argv, 0, RT_LOCK_INIT, false, NULL};
  spawn(main_goroutine, &st, NULL, 0, false, 1, __builtin_return_address(0));
  rt_lock_acquire(&st.lock);
  if (!st.done) {
    st.waiter = rt_current();
    rt_park(WAIT_MAIN, &st, main_wait_commit, &st);
  } else {
    rt_lock_release(&st.lock);
  }
  int status = st.status;
  if (rt_hooks.main_exit) rt_hooks.main_exit(&status);
  fflush(stdout);
  atomic_store(&sched.stopping, true);
  atomic_store(&running, false);
  return status;
}
