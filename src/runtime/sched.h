/*
 * sched.h - scheduler internals shared by the files of src/runtime (private).
 *
 * A worker is an OS thread that runs goroutines (Go's M and P in one: weft
 * has no syscall hand-off, so the two never separate). Each worker owns:
 *   - a bounded lock-free run queue (owner pushes at the tail; the owner and
 *     thieves take from the head with a CAS), plus a `runnext` slot for the
 *     goroutine just readied by the running one, so that a hand-off partner
 *     runs next on the same CPU with a warm cache;
 *   - caches of free g structs and stacks, so spawn and exit take no lock.
 * Overflow and work from foreign threads go to the global queue (a locked
 * list). A worker with nothing to do steals half of another's queue, and
 * parks on its own futex word when there is nothing anywhere.
 *
 * "g0" is the worker thread's own stack, where the scheduler loop runs when
 * a goroutine blocks and no other goroutine is ready locally. Otherwise a
 * blocking goroutine switches straight to the next one (one switch, not two).
 *
 * Whatever must happen after a goroutine is off its stack (the park's
 * commit, requeueing a yielder, recycling an exited goroutine) is recorded
 * in worker->after and done by whoever runs next on that worker
 * (after_switch), because until the switch completes no other thread may
 * see that goroutine.
 */
#ifndef WEFT_RUNTIME_SCHED_H
#define WEFT_RUNTIME_SCHED_H

#include <pthread.h>

#include "runtime/runtime.h"

#define RUNQ_SIZE 256
#define G_CACHE_MAX 64
#define STACK_CACHE_MAX 16

enum after_kind { AFTER_NONE, AFTER_PARK, AFTER_YIELD, AFTER_EXIT };

struct worker {
  int id;
  struct weft_g *current;           /* running goroutine, NULL on g0 */
  void *g0_sp;                      /* g0's saved sp while a goroutine runs */

  _Atomic uint32_t runq_head;       /* taken from by owner and thieves */
  _Atomic uint32_t runq_tail;       /* written only by the owner */
  struct weft_g *_Atomic runnext;
  struct weft_g *_Atomic runq[RUNQ_SIZE];

  uint32_t schedtick;               /* goroutines started; global-queue fairness */
  uint64_t rng;                     /* xorshift state for steal order */

  /* Deferred work for after the next switch (see top of file). */
  enum after_kind after;
  struct weft_g *after_g;
  bool (*after_commit)(struct weft_g *, void *);
  void *after_arg;

  /* Caches, owner-only. */
  struct weft_g *g_free;            /* with stacks attached */
  int g_free_count;
  struct rt_stack stack_cache[STACK_CACHE_MAX];
  int stack_cache_count;
  uint64_t goid_next, goid_end;     /* batch of goroutine ids */

  /* Goroutine accounting (owner writes; anyone reads, relaxed). */
  _Atomic int64_t spawned, exited;

  /* Idle parking. */
  _Atomic uint32_t wake;            /* 1: woken by wakep */
  bool spinning;
  struct worker *idle_next;
  bool idle;

  pthread_t thread;
  void *altstack;
  void *g0_fiber;                   /* sanitizer fiber of g0 */
  void *g0_fake_stack;
  const void *g0_stack_lo;
  size_t g0_stack_size;
} __attribute__((aligned(64)));

struct sched {
  int nprocs;
  struct worker *workers;
  _Atomic bool started;
  _Atomic bool stopping;            /* weft_main returned: run nothing more */

  rt_lock global_lock;              /* global run queue */
  struct weft_g *global_head, *global_tail;
  struct weft_g *global_due_tail;   /* last of the due segment at the head */
  _Atomic uint32_t global_due;      /* its length (written under global_lock) */
  _Atomic uint32_t global_size;

  rt_lock idle_lock;                /* idle worker stack */
  struct worker *idle_list;
  _Atomic int nidle;
  _Atomic int nspinning;

  rt_lock free_lock;                /* global free g list */
  struct weft_g *_Atomic g_free;    /* written under free_lock; peeked without */
  int g_free_count;

  rt_lock all_lock;                 /* registry of all g structs */
  struct weft_g *all_head;

  _Atomic uint64_t goid_gen;        /* next id batch */
  _Atomic int64_t foreign_spawned, foreign_exited;
  _Atomic int system_goroutines;    /* rt_go_system goroutines alive */

  _Atomic int foreign_alive;        /* foreign threads with a stand-in g */
  _Atomic int foreign_parked;       /* ... of which parked in rt_park */

  _Atomic bool main_exited;         /* main goroutine called weft_exit */
  _Atomic int threads_before;       /* threads not ours (see sched_count_other_threads);
                                       huge until measured, so no early report */
};

extern struct sched sched;

/* The worker this thread is, or NULL for a foreign thread. Never inlined:
 * a goroutine can resume on another thread, so the TLS address must be
 * recomputed after every switch. */
struct worker *rt_worker(void);

/* sched.c */
void sched_start(void);
void sched_count_other_threads(void);   /* after all runtime threads started */
void runq_put_ready(struct weft_g *g);       /* make runnable from anywhere */
bool runq_full(struct worker *w);            /* local queue has no room */
/* Foreign thread only: collect readied goroutines, hand them over at once. */
void rt_ready_batch_begin(void);
void rt_ready_batch_flush(void);
void rt_ready_batch_end(void);
_Noreturn void sched_goexit(struct weft_g *g);
void sched_check_dead(void);
bool sched_all_idle(void);
int process_threads(void);

/* goroutine.c */
void rt_mark_runtime_thread(void);          /* the calling thread is weft's own */
void rt_note_foreign_thread(void);          /* register a foreign caller (stand-in g) */
struct weft_g *g_alloc(struct worker *w);
void g_free(struct worker *w, struct weft_g *g);
uint64_t g_spawn(void (*fn)(void *), void *arg, const void *copy, size_t size,
                 bool system, void *pc);
int64_t g_live_count(void);

/* stack.c */
extern size_t rt_stack_size;
extern size_t rt_guard_size;
void stack_init(void);
bool stack_alloc(struct worker *w, struct rt_stack *out);
void stack_free(struct worker *w, struct rt_stack *s);
/* Idle-time scavenging (stack.c): ns until a pass is due (0: now; -1: none
 * pending), and the pass itself (false if another thread is running it). */
int64_t stack_scavenge_in(int64_t now);
bool stack_scavenge(int64_t now);
/* For the SIGSEGV handler: is addr in a stack's guard? (*lo = that stack's lo) */
bool stack_guard_hit(const void *addr, char **lo);

/* env.c: parse WEFT_PROCS / WEFT_STACK_SIZE (exit 2 on bad values) */
int env_procs(void);
size_t env_stack_size(void);

/* panic.c */
/* The caller is about to report a fatal error and exit; returns only to
 * the first caller, every later one waits for the process to end. */
void rt_die_claim(void);
void signals_init_thread(struct worker *w);
void signals_init(void);
void rt_print_goroutine_header(FILE *out, struct weft_g *g, const char *state);

/* timer.c */
void timers_start(void);

/* Coarse monotonic time for wait_since (cheap, 1-4 ms resolution). */
int64_t rt_coarse_nanotime(void);

#endif
