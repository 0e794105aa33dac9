/*
 * test_stress.c - contexts under random concurrent use.
 *
 * Goroutines and foreign threads share a table of contexts and, in random
 * order, make children of any kind (cancel, short timeout, deadline,
 * value) under random slots, cancel, release, register and stop
 * after_funcs, and hand references to goroutines that wait on done for a
 * random while. The table holds one reference per slot; every operation
 * first takes a reference of its own under the table lock, so contexts
 * are cancelled and released by some while others still use them.
 *
 * What must hold, checked as it goes and at the end: a done channel that
 * is closed means a non-zero error; an error never changes once set; every
 * after_func either runs exactly once or is stopped (stop returned true),
 * never both, never neither; nothing leaks and nothing is used after free
 * (ASan, in CI). Sizes scale with WEFT_TEST_SCALE.
 */
#include "ctx_testing.h"

enum { SLOTS = 64, THREADS = 2, GOROUTINES = 6 };

static weft_mutex table_lock;
static weft_ctx *table[SLOTS];            /* one reference each; NULL: empty */

static weft_mutex handles_lock;
static weft_stop **handles;               /* after_func handles not stopped yet */
static size_t nhandles, handles_cap;

static _Atomic long registered, fired, stopped;
static weft_waitgroup everyone;           /* workers, watchers */

static weft_ctx *take(unsigned *seed) {
  weft_mutex_lock(&table_lock);
  weft_ctx *ctx = table[rand_r(seed) % SLOTS];
  if (ctx) weft_ctx_retain(ctx);
  weft_mutex_unlock(&table_lock);
  return ctx ? ctx : weft_background();
}

static void put(unsigned *seed, weft_ctx *ctx) {
  weft_mutex_lock(&table_lock);
  size_t i = rand_r(seed) % SLOTS;
  weft_ctx *old = table[i];
  table[i] = ctx;
  weft_mutex_unlock(&table_lock);
  weft_ctx_release(old);                  /* maybe the last: cancels */
}

static void after_fired(void *arg) {
  atomic_fetch_add(&fired, 1);
}

static void add_handle(weft_stop *s) {
  weft_mutex_lock(&handles_lock);
  if (nhandles == handles_cap) {
    handles_cap = handles_cap ? 2 * handles_cap : 64;
    handles = realloc(handles, handles_cap * sizeof *handles);
  }
  handles[nhandles++] = s;
  weft_mutex_unlock(&handles_lock);
}

static weft_stop *pop_handle(unsigned *seed) {
  weft_mutex_lock(&handles_lock);
  weft_stop *s = NULL;
  if (nhandles) {
    size_t i = rand_r(seed) % nhandles;
    s = handles[i];
    handles[i] = handles[--nhandles];
  }
  weft_mutex_unlock(&handles_lock);
  return s;
}

static void stop_handle(weft_stop *s) {
  if (weft_stop_call(s)) atomic_fetch_add(&stopped, 1);
}

struct watch {
  weft_ctx *ctx;            /* a reference owned by the watcher */
  weft_duration patience;
};

static void watcher(void *arg) {
  struct watch *w = arg;   /* own copy */
  int before = weft_ctx_err(w->ctx);
  weft_timer *t = weft_timer_new(w->patience);
  weft_case cases[] = {WEFT_RECV(weft_ctx_done(w->ctx), NULL),
                       WEFT_RECV(weft_timer_chan(t), NULL)};
  int i = weft_select(cases, 2);
  weft_timer_free(t);
  int after = weft_ctx_err(w->ctx);
  if (i == 0) CHECK(after != 0);           /* closed done => error */
  if (before != 0) CHECK_EQ(after, before); /* an error never changes */
  weft_ctx_release(w->ctx);
  weft_waitgroup_done(&everyone);
}

static void operate(unsigned *seed, bool goroutine) {
  static const char keys[4];
  weft_ctx *ctx = take(seed);
  switch (rand_r(seed) % 10) {
  case 0:
  case 1:
    put(seed, weft_with_cancel(ctx));
    break;
  case 2:
    put(seed, weft_with_timeout(ctx, (weft_duration)(rand_r(seed) % 2000) * WEFT_MICROSECOND));
    break;
  case 3:
    put(seed, weft_with_deadline(ctx, weft_now() + (weft_duration)(rand_r(seed) % 5) * WEFT_MILLISECOND));
    break;
  case 4:
    put(seed, weft_with_value(ctx, &keys[rand_r(seed) % 4], NULL));
    break;
  case 5:
    if (ctx != weft_background() && ctx->kind != CTX_VALUE) weft_cancel(ctx);
    break;
  case 6:
    put(seed, NULL);                      /* drop a slot */
    break;
  case 7:
    atomic_fetch_add(&registered, 1);
    add_handle(weft_ctx_after_func(ctx, after_fired, NULL));
    break;
  case 8: {
    weft_stop *s = pop_handle(seed);
    if (s) stop_handle(s);
    break;
  }
  default:
    if (goroutine) {
      weft_ctx_retain(ctx);
      struct watch w = {ctx, (weft_duration)(rand_r(seed) % 3000) * WEFT_MICROSECOND};
      weft_waitgroup_add(&everyone, 1);
      weft_go_copy(watcher, &w, sizeof w);
    } else {
      /* A thread checks the invariant without blocking. */
      bool closed = done_now(ctx);
      if (closed) CHECK(weft_ctx_err(ctx) != 0);
    }
    break;
  }
  weft_ctx_release(ctx);
}

static long ops;

static void goroutine_worker(void *arg) {
  unsigned seed = (unsigned)(uintptr_t)arg;
  for (long i = 0; i < ops; i++) {
    operate(&seed, true);
    if (i % 16 == 0) weft_yield();
  }
  weft_waitgroup_done(&everyone);
}

struct thread_arg {
  unsigned seed;
  weft_chan *finished;
};
static void *thread_worker(void *arg) {
  struct thread_arg *a = arg;
  for (long i = 0; i < ops; i++) operate(&a->seed, false);
  weft_chan_send(a->finished, NULL);
  return NULL;
}

static void test_random_concurrent_use(void) {
  ops = scaled(100000);
  weft_chan *finished = weft_chan_make(0, THREADS);
  pthread_t threads[THREADS];
  struct thread_arg targs[THREADS];
  for (int i = 0; i < THREADS; i++) {
    targs[i] = (struct thread_arg){(unsigned)(1000 + i), finished};
    pthread_create(&threads[i], NULL, thread_worker, &targs[i]);
  }
  for (int i = 0; i < GOROUTINES; i++) {
    weft_waitgroup_add(&everyone, 1);
    weft_go(goroutine_worker, (void *)(uintptr_t)(7 + i * 31));
  }
  for (int i = 0; i < THREADS; i++) CHECK(recv_within(finished, NULL));
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  weft_waitgroup_wait(&everyone);
  weft_chan_free(finished);

  /* Tear down: every slot released (each release may cancel), then every
   * handle stopped; afterwards no after_func can still start. */
  for (int i = 0; i < SLOTS; i++) {
    weft_ctx_release(table[i]);
    table[i] = NULL;
  }
  unsigned seed = 1;
  weft_stop *s;
  while ((s = pop_handle(&seed))) stop_handle(s);
  free(handles);
  CHECK(EVENTUALLY(atomic_load(&fired) + atomic_load(&stopped) == atomic_load(&registered)));
  /* Deadline and after_func goroutines finish too (nothing outlives the
   * contexts it served; LeakSanitizer checks the memory at exit). */
  CHECK(EVENTUALLY(weft_num_goroutines() == 1));
  CHECK_EQ(atomic_load(&fired) + atomic_load(&stopped), atomic_load(&registered));
}

static int app(int argc, char **argv) {
  RUN(test_random_concurrent_use);
  return check_done();
}

int main(int argc, char **argv) {
  return weft_main(app, argc, argv);
}
