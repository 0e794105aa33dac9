/*
 * test_afterfunc.c - weft_ctx_after_func and weft_stop_call, with
 * context.AfterFunc's semantics: fn runs once, in its own goroutine, after
 * the context is done; stop returns true exactly when it prevented that.
 *
 * The seed's case: an after_func registered on a context is not called
 * before cancel and is called after.
 */
#include "ctx_testing.h"

struct probe {
  weft_chan *ran;           /* receives the goroutine id fn ran in */
  _Atomic int calls;
  weft_ctx *ctx;            /* if set: fn checks it is done */
};

static void probe_fn(void *arg) {
  struct probe *p = arg;
  atomic_fetch_add(&p->calls, 1);
  if (p->ctx) CHECK(weft_ctx_err(p->ctx) != 0);
  uint64_t self = weft_self();
  weft_chan_send(p->ran, &self);
}

static void probe_init(struct probe *p, weft_ctx *ctx) {
  p->ran = weft_chan_make(sizeof(uint64_t), 4);
  atomic_init(&p->calls, 0);
  p->ctx = ctx;
}

/* The seed's case. */
static void test_not_called_before_cancel_called_after(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  struct probe p;
  probe_init(&p, ctx);
  weft_stop *stop = weft_ctx_after_func(ctx, probe_fn, &p);
  weft_yield();
  weft_sleep(WEFT_MILLISECOND);            /* give a wrong implementation its chance */
  CHECK_EQ(atomic_load(&p.calls), 0);      /* not called before cancel */
  CHECK(!ready_now(p.ran));
  weft_cancel(ctx);
  uint64_t id = 0;
  CHECK(recv_within(p.ran, &id));          /* called after */
  CHECK(id != 0 && id != weft_self());     /* in its own goroutine */
  CHECK_EQ(atomic_load(&p.calls), 1);
  CHECK(!weft_stop_call(stop));            /* too late to stop */
  weft_cancel(ctx);
  weft_sleep(WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&p.calls), 1);      /* at most once */
  weft_ctx_release(ctx);
  weft_chan_free(p.ran);
}

static void test_stop_prevents_call(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  struct probe p;
  probe_init(&p, NULL);
  weft_stop *stop = weft_ctx_after_func(ctx, probe_fn, &p);
  CHECK(weft_stop_call(stop));             /* prevented */
  weft_cancel(ctx);
  weft_sleep(WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&p.calls), 0);
  weft_ctx_release(ctx);
  weft_chan_free(p.ran);
}

static void test_already_done_runs_at_once(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_cancel(ctx);
  struct probe p;
  probe_init(&p, ctx);
  weft_stop *stop = weft_ctx_after_func(ctx, probe_fn, &p);
  CHECK(recv_within(p.ran, NULL));
  CHECK(!weft_stop_call(stop));
  weft_ctx_release(ctx);
  weft_chan_free(p.ran);
}

static void test_background_never_runs(void) {
  static const char key;
  struct probe p;
  probe_init(&p, NULL);
  weft_stop *a = weft_ctx_after_func(weft_background(), probe_fn, &p);
  weft_ctx *v = weft_with_value(weft_background(), &key, NULL);
  weft_stop *b = weft_ctx_after_func(v, probe_fn, &p);
  weft_ctx_release(v);
  CHECK(weft_stop_call(a));
  CHECK(weft_stop_call(b));
  CHECK_EQ(atomic_load(&p.calls), 0);
  weft_chan_free(p.ran);
}

/* Registered through a value context and on a descendant: fires when an
 * ancestor is cancelled. */
static void test_fires_through_values_and_descendants(void) {
  static const char key;
  weft_ctx *root = weft_with_cancel(weft_background());
  weft_ctx *v = weft_with_value(root, &key, NULL);
  weft_ctx *leaf = weft_with_timeout(v, WEFT_HOUR);
  struct probe p;
  probe_init(&p, NULL);
  weft_stop *on_v = weft_ctx_after_func(v, probe_fn, &p);
  weft_stop *on_leaf = weft_ctx_after_func(leaf, probe_fn, &p);
  weft_cancel(root);
  CHECK(recv_within(p.ran, NULL));
  CHECK(recv_within(p.ran, NULL));
  CHECK_EQ(atomic_load(&p.calls), 2);
  CHECK(!weft_stop_call(on_v));
  CHECK(!weft_stop_call(on_leaf));
  weft_ctx_release(leaf);
  weft_ctx_release(v);
  weft_ctx_release(root);
  weft_chan_free(p.ran);
}

static void test_fires_on_timeout(void) {
  weft_ctx *ctx = weft_with_timeout(weft_background(), WEFT_MILLISECOND);
  struct probe p;
  probe_init(&p, ctx);
  weft_stop *stop = weft_ctx_after_func(ctx, probe_fn, &p);
  CHECK(recv_within(p.ran, NULL));
  CHECK_EQ(weft_ctx_err(ctx), ETIMEDOUT);
  CHECK(!weft_stop_call(stop));
  weft_ctx_release(ctx);
  weft_chan_free(p.ran);
}

/* The handle outlives the context's references: stop_call after the last
 * release (which cancelled and fired) is valid and says false. */
static void test_handle_outlives_context(void) {
  struct probe p;
  probe_init(&p, NULL);
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_stop *fired = weft_ctx_after_func(ctx, probe_fn, &p);
  weft_ctx_release(ctx);                    /* cancels: fires */
  CHECK(recv_within(p.ran, NULL));
  CHECK(!weft_stop_call(fired));
  /* Stopped first, then the context released: fn never runs. */
  ctx = weft_with_cancel(weft_background());
  weft_stop *stopped = weft_ctx_after_func(ctx, probe_fn, &p);
  CHECK(weft_stop_call(stopped));
  weft_ctx_release(ctx);
  weft_sleep(WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&p.calls), 1);
  weft_chan_free(p.ran);
}

/* Many registrations, half stopped, the rest fire: each fn exactly once. */
static void test_many_registrations(void) {
  enum { N = 200 };
  weft_ctx *ctx = weft_with_cancel(weft_background());
  struct probe p;
  p.ran = weft_chan_make(sizeof(uint64_t), N);
  atomic_init(&p.calls, 0);
  p.ctx = ctx;
  weft_stop *stops[N];
  for (int i = 0; i < N; i++) stops[i] = weft_ctx_after_func(ctx, probe_fn, &p);
  int stopped = 0;
  for (int i = 0; i < N; i += 2) stopped += weft_stop_call(stops[i]);
  CHECK_EQ(stopped, N / 2);
  weft_cancel(ctx);
  for (int i = 0; i < N / 2; i++) CHECK(recv_within(p.ran, NULL));
  for (int i = 1; i < N; i += 2) CHECK(!weft_stop_call(stops[i]));
  weft_sleep(WEFT_MILLISECOND);
  CHECK_EQ(atomic_load(&p.calls), N / 2);
  weft_ctx_release(ctx);
  weft_chan_free(p.ran);
}

/* Cancel and stop race from two goroutines: exactly one of "stop returned
 * true" and "fn ran" happens, every time. */
static _Atomic long race_ran;
static void race_fn(void *arg) {
  atomic_fetch_add(&race_ran, 1);
  weft_waitgroup_done(arg);
}
struct race_round {
  weft_ctx *ctx;
  weft_waitgroup *wg;
};
static void race_cancel(void *arg) {
  struct race_round *r = arg;
  weft_cancel(r->ctx);
  weft_ctx_release(r->ctx);
  weft_waitgroup_done(r->wg);
}

static void test_stop_races_cancel(void) {
  long rounds = scaled(2000), stopped = 0;
  atomic_store(&race_ran, 0);
  weft_waitgroup fn_wg = {0}, cancel_wg = {0};
  for (long i = 0; i < rounds; i++) {
    weft_ctx *ctx = weft_with_cancel(weft_background());
    weft_waitgroup_add(&fn_wg, 1);
    weft_stop *stop = weft_ctx_after_func(ctx, race_fn, &fn_wg);
    struct race_round r = {ctx, &cancel_wg};
    weft_waitgroup_add(&cancel_wg, 1);
    weft_go_copy(race_cancel, &r, sizeof r);  /* our reference goes along */
    if (i % 3 == 0) weft_yield();
    if (weft_stop_call(stop)) {
      stopped++;
      weft_waitgroup_done(&fn_wg);          /* fn will never run */
    }
  }
  weft_waitgroup_wait(&cancel_wg);
  weft_waitgroup_wait(&fn_wg);
  CHECK_EQ(stopped + atomic_load(&race_ran), rounds);
}

/* A foreign thread registers and stops. */
static void *thread_registers(void *arg) {
  struct probe *p = arg;
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_stop *s = weft_ctx_after_func(ctx, probe_fn, p);
  weft_cancel(ctx);
  uint64_t id = 0;
  CHECK(recv_within(p->ran, &id));
  CHECK(id != 0);                            /* ran in a goroutine, not in this thread */
  CHECK(!weft_stop_call(s));
  weft_ctx_release(ctx);
  return NULL;
}

static void test_foreign_thread(void) {
  struct probe p;
  probe_init(&p, NULL);
  pthread_t t;
  pthread_create(&t, NULL, thread_registers, &p);
  pthread_join(t, NULL);
  weft_chan_free(p.ran);
}

static int app(int argc, char **argv) {
  RUN(test_not_called_before_cancel_called_after);
  RUN(test_stop_prevents_call);
  RUN(test_already_done_runs_at_once);
  RUN(test_background_never_runs);
  RUN(test_fires_through_values_and_descendants);
  RUN(test_fires_on_timeout);
  RUN(test_handle_outlives_context);
  RUN(test_many_registrations);
  RUN(test_stop_races_cancel);
  return check_done();
}

int main(int argc, char **argv) {
  RUN(test_foreign_thread);                  /* before the runtime is in use */
  return weft_main(app, argc, argv);
}
