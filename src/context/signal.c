/*
 * signal.c - weft_signal_ctx, Go's signal.NotifyContext.
 *
 * A signal context is a cancel context (struct signal_ctx starts with a
 * struct cancel_ctx) plus the set of signals it watches. Three parts:
 *
 *   The handler. Runs on whatever thread the kernel picks, at any
 *   instruction, maybe inside malloc or holding a runtime lock, so it may
 *   only do async-signal-safe things: it writes the signal number, one
 *   byte, to a non-blocking pipe (the self-pipe trick) and restores errno.
 *   A full pipe drops the byte; that only loses a repeat of a signal the
 *   helper thread has not read yet, as Go drops signals for a full channel.
 *
 *   The helper thread. A plain pthread, with every signal blocked, reads
 *   the pipe and, for each signal number, cancels every registered context
 *   that watches it (outside the registry lock: it pins each under the
 *   lock, which keeps the memory, not a reference, so that the program's
 *   own last release is always the one that unregisters, synchronously,
 *   as Go's stop() does). It is not a goroutine because it blocks in
 *   read(2), which would hold a worker. It runs only while at least one
 *   signal context is registered: the last unregistration writes a 0 byte
 *   and the thread exits. (While it runs, weft's deadlock check cannot
 *   prove a deadlock, since a signal may still wake someone; Go behaves the
 *   same once signal.Notify is in use.)
 *
 *   The registry. Process-wide: the registered contexts, and per signal a
 *   count of contexts watching it and the disposition that was in force
 *   before the first of them. The first registration for a signal installs
 *   the handler (sigaction, saving the old disposition); the last
 *   unregistration puts the saved one back. Guarded by a pthread mutex,
 *   not an rt_lock, because it is held across sigaction and
 *   pthread_create; it is never taken by the handler.
 *
 * Go's stop(): NotifyContext returns stop, which cancels and unregisters.
 * Cancellation by the signal itself or by the parent does NOT unregister
 * (a second Ctrl-C during shutdown is caught, not fatal, until stop). In
 * weft, stop is weft_cancel on the signal context, or the release of its
 * last reference (ctx.c calls signal_ctx_stop on both paths).
 *
 * Alternatives rejected: signalfd (needs the signals blocked in every
 * thread, including threads the program creates itself, or it misses them);
 * sigwait in the helper (same constraint); an atomic flag polled by the
 * scheduler (delays cancellation to the next scheduling point and couples
 * the scheduler to this file).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context/context_private.h"

#define SIG_MAX 64   /* Linux signals are 1..64 (NSIG 65) */

struct signal_ctx {
  struct cancel_ctx c;
  uint64_t mask;                       /* bit s-1 set: watches signal s */
  bool registered;                     /* under registry.lock */
  struct signal_ctx *prev, *next;      /* in registry.list */
};

/* Process-wide; see top of file. Everything but the two pipe words is
 * guarded by lock. */
static struct {
  pthread_mutex_t lock;
  struct signal_ctx *list;
  int registered;                      /* contexts in list */
  int watchers[SIG_MAX + 1];           /* contexts watching each signal */
  struct sigaction saved[SIG_MAX + 1]; /* disposition before the first watcher */
  bool thread_running;
  int read_fd;
} registry = {.lock = PTHREAD_MUTEX_INITIALIZER, .read_fd = -1};

/* Read by the handler: lock-free atomics are async-signal-safe. */
static _Atomic int pipe_write_fd = -1;

static void on_signal(int signo) {
  int saved_errno = errno;
  unsigned char byte = (unsigned char)signo;
  int fd = atomic_load_explicit(&pipe_write_fd, memory_order_relaxed);
  if (fd >= 0) {
    ssize_t n = write(fd, &byte, 1);
    (void)n;                           /* full pipe: dropped, see top */
  }
  errno = saved_errno;
}

/* Under registry.lock. */
static void pipe_open(void) {
  if (registry.read_fd >= 0) return;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) rt_fatal("weft_signal_ctx: pipe: %s", strerror(errno));
  int flags = fcntl(fds[1], F_GETFL);
  fcntl(fds[1], F_SETFL, flags | O_NONBLOCK);
  registry.read_fd = fds[0];
  atomic_store_explicit(&pipe_write_fd, fds[1], memory_order_release);
}

static void deliver(int signo) {
  struct signal_ctx *stack_buf[16];
  struct signal_ctx **hits = stack_buf;
  size_t n = 0, cap = 16;
  pthread_mutex_lock(&registry.lock);
  for (struct signal_ctx *s = registry.list; s; s = s->next) {
    if (!(s->mask & (UINT64_C(1) << (signo - 1)))) continue;
    ctx_pin(&s->c);                  /* the registry holds one: allowed */
    if (n == cap) {
      struct signal_ctx **grown = rt_malloc(2 * cap * sizeof *grown);
      memcpy(grown, hits, n * sizeof *grown);
      if (hits != stack_buf) free(hits);
      hits = grown;
      cap *= 2;
    }
    hits[n++] = s;
  }
  pthread_mutex_unlock(&registry.lock);
  for (size_t i = 0; i < n; i++) {
    /* Without detaching: that needs a reference, and taking one could
     * make us, not the program, drop the last one, delaying the restore
     * of the dispositions past the program's release. The context leaves
     * its parent's list when it is released. */
    ctx_cancel(&hits[i]->c, ECANCELED, false);
    ctx_unpin(&hits[i]->c);
  }
  if (hits != stack_buf) free(hits);
}

static void *signal_thread(void *arg) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  int fd = registry.read_fd;                      /* set before we were created */
  for (;;) {
    unsigned char byte;
    ssize_t got = read(fd, &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got != 1) rt_fatal("weft_signal_ctx: reading the signal pipe: %s",
                           got < 0 ? strerror(errno) : "end of file");
    if (byte != 0) deliver(byte);
    /* After the last context went away (it wrote a 0 byte, unless the pipe
     * was full), leave, unless one came back. */
    pthread_mutex_lock(&registry.lock);
    if (registry.registered == 0) {
      registry.thread_running = false;
      pthread_mutex_unlock(&registry.lock);
      return NULL;
    }
    pthread_mutex_unlock(&registry.lock);
  }
}

/* Under registry.lock. */
static void thread_start(void) {
  if (registry.thread_running) return;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, signal_thread, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0) rt_fatal("weft_signal_ctx: cannot start the signal thread: %s", strerror(rc));
  registry.thread_running = true;
}

static uint64_t signal_mask(const int *signals, size_t n) {
  if (n == 0 || !signals)
    rt_panic("weft_signal_ctx: no signals given (Go's NotifyContext would relay every "
             "signal; weft needs them named)");
  uint64_t mask = 0;
  for (size_t i = 0; i < n; i++) {
    int s = signals[i];
    if (s < 1 || s > SIG_MAX || s >= NSIG)
      rt_panic("weft_signal_ctx: %d is not a signal number", s);
    if (s == SIGKILL || s == SIGSTOP)
      rt_panic("weft_signal_ctx: signal %d (%s) cannot be caught", s, strsignal(s));
    mask |= UINT64_C(1) << (s - 1);
  }
  return mask;
}

weft_ctx *weft_signal_ctx(weft_ctx *parent, const int *signals, size_t n) {
  if (!parent) rt_panic("cannot create context from nil parent");
  uint64_t mask = signal_mask(signals, n);
  struct signal_ctx *s = ctx_alloc(sizeof *s);
  cancel_ctx_init(&s->c, CTX_SIGNAL, parent);
  s->mask = mask;

  struct sigaction ours;
  memset(&ours, 0, sizeof ours);
  ours.sa_handler = on_signal;
  sigfillset(&ours.sa_mask);
  ours.sa_flags = SA_RESTART | SA_ONSTACK;

  pthread_mutex_lock(&registry.lock);
  pipe_open();
  for (int sig = 1; sig <= SIG_MAX; sig++) {
    if (!(mask & (UINT64_C(1) << (sig - 1)))) continue;
    if (registry.watchers[sig]++ == 0 && sigaction(sig, &ours, &registry.saved[sig]) != 0)
      rt_fatal("weft_signal_ctx: sigaction(%d): %s", sig, strerror(errno));
  }
  s->registered = true;
  s->prev = NULL;
  s->next = registry.list;
  if (registry.list) registry.list->prev = s;
  registry.list = s;
  registry.registered++;
  ctx_pin(&s->c);                                  /* the registry's pin */
  thread_start();
  pthread_mutex_unlock(&registry.lock);
  return &s->c.base;
}

void signal_ctx_stop(struct cancel_ctx *c) {
  struct signal_ctx *s = (struct signal_ctx *)c;
  pthread_mutex_lock(&registry.lock);
  bool was = s->registered;
  if (was) {
    s->registered = false;
    if (s->prev) s->prev->next = s->next;
    else registry.list = s->next;
    if (s->next) s->next->prev = s->prev;
    for (int sig = 1; sig <= SIG_MAX; sig++) {
      if (!(s->mask & (UINT64_C(1) << (sig - 1)))) continue;
      if (--registry.watchers[sig] == 0) sigaction(sig, &registry.saved[sig], NULL);
    }
    if (--registry.registered == 0) {
      unsigned char quit = 0;
      ssize_t w = write(atomic_load(&pipe_write_fd), &quit, 1);
      (void)w;   /* a full pipe: the thread checks after every byte anyway */
    }
  }
  pthread_mutex_unlock(&registry.lock);
  if (was) ctx_unpin(c);
}
