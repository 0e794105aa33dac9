/*
 * runtime.h - the scheduler's contract with the rest of weft (private).
 *
 * Everything that blocks in weft (channels, sync, sleep, contexts) is built
 * from two calls:
 *
 *   rt_park(reason, obj, commit, arg)   block the caller
 *   rt_ready(g)                         make a parked caller runnable again
 *
 * "The caller" is a struct weft_g. A goroutine has one of its own; a foreign
 * thread (any OS thread that is not running a goroutine) gets a stand-in g
 * the first time it calls into weft (rt_current() creates it), so primitives
 * never need to know which kind of waiter they hold. A goroutine parks by
 * switching away from its stack; a foreign thread parks on a futex.
 *
 * The lost-wakeup rule (Go's gopark/unlockf): a primitive keeps its own lock
 * held while it decides to park and enqueues g on its wait list, then parks
 * with a commit function that releases that lock. commit runs only once the
 * goroutine is off its stack, so a waker that takes the primitive's lock and
 * calls rt_ready(g) can never resume a goroutine that is still running.
 * If commit returns false the park is abandoned and rt_park returns at once.
 *
 * rt_ready(g) must be called exactly once per park that committed, and only
 * for a parked g; the waker passes data through g->param (set before
 * rt_ready, read by the parked g after rt_park returns).
 *
 * Internal locks (rt_lock, lock.h) are short critical sections that block
 * the OS thread; never park while holding one except through commit.
 */
#ifndef WEFT_RUNTIME_RUNTIME_H
#define WEFT_RUNTIME_RUNTIME_H

#include <weft.h>
#include <stdatomic.h>
#include <stdio.h>

#include "runtime/lock.h"

#ifndef WEFT_RACE
#define WEFT_RACE 0
#endif

/*
 * Wait reasons, printed in dumps and deadlock/leak reports with Go's words.
 * X(name, printable, durable-in-a-bubble)
 */
#define WEFT_WAIT_REASONS(X)                                   \
  X(WAIT_NONE, "running", 0)                                   \
  X(WAIT_RUNNABLE, "runnable", 0)                              \
  X(WAIT_CHAN_SEND, "chan send", 1)                            \
  X(WAIT_CHAN_RECV, "chan receive", 1)                         \
  X(WAIT_CHAN_SEND_NIL, "chan send (nil chan)", 1)             \
  X(WAIT_CHAN_RECV_NIL, "chan receive (nil chan)", 1)          \
  X(WAIT_SELECT, "select", 1)                                  \
  X(WAIT_SELECT_NO_CASES, "select (no cases)", 1)              \
  X(WAIT_SLEEP, "sleep", 1)                                    \
  X(WAIT_MUTEX_LOCK, "sync.Mutex.Lock", 0)                     \
  X(WAIT_RWMUTEX_RLOCK, "sync.RWMutex.RLock", 0)               \
  X(WAIT_RWMUTEX_LOCK, "sync.RWMutex.Lock", 0)                 \
  X(WAIT_COND_WAIT, "sync.Cond.Wait", 1)                       \
  X(WAIT_WAITGROUP_WAIT, "sync.WaitGroup.Wait", 1)             \
  X(WAIT_ONCE, "sync.Once.Do", 0)                              \
  X(WAIT_GROUP_WAIT, "errgroup.Wait", 1)                       \
  X(WAIT_IO, "IO wait", 0)                                     \
  X(WAIT_SYNCTEST_WAIT, "synctest.Wait", 1)                    \
  X(WAIT_SYNCTEST_RUN, "synctest.Run", 0)                    \
  X(WAIT_MAIN, "weft_main", 0)

typedef enum wait_reason {
#define WEFT_X(name, text, durable) name,
  WEFT_WAIT_REASONS(WEFT_X)
#undef WEFT_X
  WAIT_REASON_COUNT
} wait_reason;

const char *wait_reason_name(wait_reason r);
bool wait_reason_durable(wait_reason r);

/* Goroutine states (g->status). */
enum g_status {
  G_IDLE = 0,     /* on a free list */
  G_RUNNABLE,     /* in a run queue */
  G_RUNNING,      /* on a worker */
  G_WAITING,      /* parked; woken only by rt_ready */
  G_DEAD,         /* returned; stack being recycled */
};

struct worker;
struct rt_stack {
  char *lo;          /* lowest usable byte (just above the guard page) */
  char *hi;          /* one past the highest byte */
  bool guarded;      /* a guard page sits below lo */
  bool dirty;        /* has run a goroutine since its pages were last returned */
};

/* Inline storage for weft_go_copy arguments; larger ones are malloc'd. */
#define G_INLINE_ARG 48

struct weft_g {
  void *sp;                    /* saved stack pointer while switched out */
  struct worker *worker;       /* worker running it, while G_RUNNING */
  struct weft_g *sched_next;   /* run queue / free list link */
  _Atomic int status;          /* enum g_status */
  bool foreign;                /* stand-in for a foreign OS thread */
  bool system;                 /* runtime-internal, not counted or reported */
  bool main;                   /* goroutine 1 of weft_main */
  uint64_t id;                 /* goroutine id; a foreign stand-in's is its OS thread id */

  void (*fn)(void *);
  void *arg;
  void *arg_heap;              /* weft_go_copy argument when > G_INLINE_ARG */
  struct rt_stack stack;       /* lo == NULL until the goroutine first runs */

  /* Parking. */
  wait_reason reason;
  const void *wait_obj;        /* the primitive waited on, for reports */
  int64_t wait_since;          /* rt_nanotime() when parked */
  void *param;                 /* waker -> parked g (Go's g.param) */
  _Atomic uint32_t park_word;  /* foreign threads: futex word (1 = readied) */

  /* Diagnostics (src/debug): where and by whom it was created. */
  uint64_t parent_id;
  void *created_pc;

  /* Per-goroutine state of other subsystems; NULL when unused. */
  void *race;                  /* race detector (src/race) */
  void *bubble;                /* synctest bubble (src/synctest) */
  void *sanitizer_fiber;       /* TSan fiber / ASan fake stack (sanitizer builds) */

  struct weft_g *all_next;     /* registry of every g ever allocated */
  char arg_inline[G_INLINE_ARG] __attribute__((aligned(16)));
};

/* The caller's g: the running goroutine, or this thread's stand-in
 * (created on first use). Never NULL. */
struct weft_g *rt_current(void);
/* The running goroutine, or NULL on a foreign thread. */
struct weft_g *rt_goroutine(void);

/*
 * Blocks the caller until rt_ready(g). reason and wait_obj describe the wait
 * for dumps. commit(g, arg) runs after the caller is off-CPU (see top of
 * file); NULL commit means "nothing to release". Returns when readied, or at
 * once if commit returned false.
 */
void rt_park(wait_reason reason, const void *wait_obj,
             bool (*commit)(struct weft_g *g, void *arg), void *arg);

/* Makes a parked g runnable (or wakes a parked foreign thread). Safe from
 * any thread, including the timer thread and signal-free contexts; never
 * blocks beyond an internal lock. */
void rt_ready(struct weft_g *g);

/* Starts the runtime if it is not running yet (idempotent, thread-safe). */
void rt_init(void);

/* Monotonic clock, nanoseconds. */
int64_t rt_nanotime(void);
/* Wall clock, nanoseconds since the epoch. */
int64_t rt_walltime(void);

/* Spawns a goroutine that is not counted by weft_num_goroutines and not
 * reported as leaked (runtime helpers). */
uint64_t rt_go_system(void (*fn)(void *), void *arg);

/* Iterates every g ever allocated (live ones have status != G_IDLE,
 * G_DEAD). For dumps and detectors; takes the registry lock. */
void rt_for_each_g(void (*fn)(struct weft_g *g, void *arg), void *arg);
/* The same for reports on the way to _exit (SIGQUIT, fatal errors): if the
 * registry lock cannot be had within about 100 ms (the interrupted thread
 * may hold it), walks without it. The registry only grows and its g
 * structs are never freed, so the walk is safe, if not a snapshot. */
void rt_for_each_g_report(void (*fn)(struct weft_g *g, void *arg), void *arg);

/*
 * Timers (timer.c). A timer is owned by its user; the runtime only links it
 * into a heap while it is pending. fire(t, seq) runs on the runtime's timer
 * thread once t->when has passed, with no runtime lock held; it must not
 * block (ready a g, spawn a goroutine, do a non-blocking send). seq is the
 * value t->seq had when the timer expired. rt_timer_set/rt_timer_del
 * increment it when they change a PENDING timer (so a periodic timer's
 * in-flight tick is dropped by a stop or reset); a one-shot timer already
 * taken off the heap is committed to fire, which is what "stop returned
 * false" promises. A user that wants in-flight expiries dropped too (Go
 * 1.23 channel timers) uses rt_timer_rearm, or after rt_timer_del
 * increments seq itself under its own lock.
 * A timer with period > 0 re-arms itself at when + period before firing.
 */
struct rt_timer {
  int64_t when;                       /* monotonic ns */
  int64_t period;                     /* 0: one-shot */
  void (*fire)(struct rt_timer *t, uint64_t seq);
  void *arg;
  int32_t heap_index;                 /* -1 when not pending (under the heap lock) */
  _Atomic uint64_t seq;
};

void rt_timer_init(struct rt_timer *t, void (*fire)(struct rt_timer *, uint64_t), void *arg);
/* Arms (or re-arms) t to fire at `when`; returns true if it was pending. */
bool rt_timer_set(struct rt_timer *t, int64_t when, int64_t period);
/* Same, and atomically makes any expiry already taken off the heap stale
 * (Go 1.23 channel timers: nothing from before a reset is delivered). */
bool rt_timer_rearm(struct rt_timer *t, int64_t when, int64_t period);
/* Disarms t; returns true if it was pending (so it will not fire). */
bool rt_timer_del(struct rt_timer *t);
/* Disarms t and waits until any fire() in progress has returned, so that t
 * may be freed. Must not be called from t's own fire(). */
void rt_timer_del_sync(struct rt_timer *t);
/* Number of pending timers (for deadlock detection). */
size_t rt_timers_pending(void);
/* Is a timer due at `now`? (lock-free, for the scheduler) */
bool rt_timers_due(int64_t now);
/* Fires due timers on the calling thread unless another thread is firing. */
void rt_timers_run(void);

/*
 * The public weft_timer (weft/time.h). after_func timers are made in
 * src/runtime/timer.c; channel timers and tickers (src/chan) fill in `kind`
 * with their own delivery. weft_timer_stop/reset/free (timer.c) serve both:
 * they take t->lock, change the rt_timer, then call kind->drain so that no
 * stale value stays in the channel (Go 1.23); the expiry path takes t->lock
 * too and drops an expiry whose seq is stale, so stop/reset and delivery
 * never interleave.
 */
struct weft_timer;
struct timer_kind {
  /* Deliver one expiry (t->lock held, on the timer thread; must not block). */
  void (*deliver)(struct weft_timer *t, int64_t now_wall);
  /* Remove an expiry delivered but not received, after stop/reset (t->lock
   * held); true if there was one. May be NULL. */
  bool (*drain)(struct weft_timer *t);
  /* Release what the kind owns (the channel) before t is freed. May be NULL. */
  void (*dispose)(struct weft_timer *t);
};
struct weft_timer {
  struct rt_timer rt;
  rt_lock lock;
  const struct timer_kind *kind;    /* after_func's kind is timer.c's own */
  void (*fn)(void *);               /* after_func callback */
  void *arg;
  struct weft_chan *chan;           /* channel timers and tickers */
  void *owner;                      /* kind-specific (e.g. the weft_ticker) */
};
/* Initialises t (not yet armed) with the given kind. */
void rt_weft_timer_init(struct weft_timer *t, const struct timer_kind *kind);
/* Arms t to expire after d, every period if period > 0 (under t->lock). */
void rt_weft_timer_start(struct weft_timer *t, weft_duration d, weft_duration period);

/*
 * Fatal errors and panics (panic.c). Both print the message the Go way,
 * the current goroutine's stack, and exit with status 2.
 *   rt_fatal("sync: unlock of unlocked mutex") -> "fatal error: sync: ..."
 *   rt_panic("send on closed channel")         -> "panic: send on closed channel"
 */
_Noreturn void rt_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void rt_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Out-of-memory-checked allocation: a fatal error naming the size. */
void *rt_malloc(size_t size);
void *rt_calloc(size_t n, size_t size);

/* Hooks other subsystems install (NULL when unused); called by the
 * scheduler. Kept as pointers so that the runtime does not depend on them. */
struct rt_hooks {
  void (*print_stack)(FILE *out, struct weft_g *g);     /* src/debug */
  void (*main_exit)(int *status);                       /* end-of-program checks */
  void (*dump_all)(FILE *out, const char *why);         /* goroutine dump (src/debug) */
};
/* Installed by subsystems from constructors; read by the scheduler. */
extern struct rt_hooks rt_hooks;

#endif
