/*
 * test_ctx.c - the rules of contexts (weft/context.h, RULES and OWNERSHIP):
 * background, cancel, values, the tree, reference counting, and contexts
 * shared by goroutines and foreign threads. Timeouts are in
 * test_timeout.c, after_func in test_afterfunc.c. Run under ASan in CI,
 * where every case doubles as a leak and use-after-free check.
 */
#include "ctx_testing.h"

static void test_background(void) {
  weft_ctx *bg = weft_background();
  CHECK(bg != NULL);
  CHECK(bg == weft_background());
  CHECK(weft_ctx_done(bg) == NULL);
  CHECK_EQ(weft_ctx_err(bg), 0);
  weft_time t = 42;
  CHECK(!weft_ctx_deadline(bg, &t));
  CHECK_EQ(t, 42);
  static const char key;
  CHECK(weft_ctx_value(bg, &key) == NULL);
  for (int i = 0; i < 10; i++) weft_ctx_retain(bg);
  for (int i = 0; i < 20; i++) weft_ctx_release(bg);   /* no-ops: still fine */
  CHECK_EQ(weft_ctx_err(bg), 0);
  weft_ctx_release(NULL);
}

static void test_cancel_closes_done(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  CHECK_EQ(weft_ctx_err(ctx), 0);
  weft_chan *done = weft_ctx_done(ctx);
  CHECK(done != NULL);
  CHECK(weft_ctx_done(ctx) == done);     /* always the same channel */
  CHECK(!done_now(ctx));
  CHECK(!weft_ctx_deadline(ctx, NULL));
  weft_cancel(ctx);
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);
  CHECK(done_now(ctx));
  CHECK(!weft_chan_recv(done, NULL));   /* closed: receives return false */
  weft_cancel(ctx);                     /* idempotent */
  weft_cancel(ctx);
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);
  CHECK(weft_ctx_done(ctx) == done);
  weft_ctx_release(ctx);
}

static void test_done_made_after_cancel_is_closed(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_cancel(ctx);
  CHECK(done_now(ctx));                 /* first weft_ctx_done after cancel */
  weft_ctx_release(ctx);
}

static void test_cancel_reaches_every_descendant(void) {
  static const char key;
  weft_ctx *root = weft_with_cancel(weft_background());
  weft_ctx *a = weft_with_cancel(root);
  weft_ctx *v = weft_with_value(a, &key, "v");        /* transparent */
  weft_ctx *b = weft_with_cancel(v);                  /* registers with a */
  weft_ctx *c = weft_with_cancel(b);
  weft_ctx *d = weft_with_timeout(c, WEFT_HOUR);
  weft_ctx *sibling = weft_with_cancel(root);
  CHECK(weft_ctx_done(v) == weft_ctx_done(a));        /* a value context shares its canceler's */
  CHECK_EQ(children_of(a), 1);
  weft_cancel(a);
  weft_ctx *hit[] = {a, v, b, c, d};
  for (size_t i = 0; i < sizeof hit / sizeof *hit; i++) {
    CHECK_EQ(weft_ctx_err(hit[i]), ECANCELED);
    CHECK(done_now(hit[i]));
  }
  /* Never the parent, never a sibling. */
  CHECK_EQ(weft_ctx_err(root), 0);
  CHECK(!done_now(root));
  CHECK_EQ(weft_ctx_err(sibling), 0);
  CHECK_EQ(children_of(root), 1);       /* a detached itself */
  weft_cancel(root);
  CHECK_EQ(weft_ctx_err(sibling), ECANCELED);
  weft_ctx *all[] = {d, c, b, v, a, sibling, root};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) weft_ctx_release(all[i]);
}

static void test_child_cancel_never_touches_parent(void) {
  weft_ctx *parent = weft_with_cancel(weft_background());
  for (int i = 0; i < 100; i++) {
    weft_ctx *child = weft_with_cancel(parent);
    weft_cancel(child);
    CHECK_EQ(weft_ctx_err(child), ECANCELED);
    weft_ctx_release(child);
  }
  CHECK_EQ(weft_ctx_err(parent), 0);
  CHECK(!done_now(parent));
  CHECK_EQ(children_of(parent), 0);
  weft_ctx_release(parent);
}

static void test_born_cancelled(void) {
  static const char key;
  weft_ctx *parent = weft_with_timeout(weft_background(), -1);   /* done: ETIMEDOUT */
  CHECK_EQ(weft_ctx_err(parent), ETIMEDOUT);
  weft_ctx *child = weft_with_cancel(parent);
  CHECK_EQ(weft_ctx_err(child), ETIMEDOUT);                       /* the parent's error */
  CHECK(done_now(child));
  weft_ctx *value = weft_with_value(child, &key, NULL);
  weft_ctx *grandchild = weft_with_cancel(value);
  CHECK_EQ(weft_ctx_err(grandchild), ETIMEDOUT);
  CHECK_EQ(children_of(parent), 0);     /* nothing registers with a done context */
  weft_cancel(grandchild);              /* keeps its first error */
  CHECK_EQ(weft_ctx_err(grandchild), ETIMEDOUT);
  weft_ctx_release(grandchild);
  weft_ctx_release(value);
  weft_ctx_release(child);
  weft_ctx_release(parent);
}

static void test_descendants_get_the_roots_error(void) {
  weft_ctx *root = weft_with_timeout(weft_background(), WEFT_HOUR);
  weft_ctx *child = weft_with_cancel(root);
  weft_ctx *grandchild = weft_with_cancel(child);
  weft_cancel(root);
  CHECK_EQ(weft_ctx_err(child), ECANCELED);
  CHECK_EQ(weft_ctx_err(grandchild), ECANCELED);
  weft_ctx_release(grandchild);
  weft_ctx_release(child);
  weft_ctx_release(root);
}

static void test_values(void) {
  static const char user_key, trace_key, missing_key;
  int alice = 1, bob = 2;
  weft_ctx *cancel = weft_with_cancel(weft_background());
  weft_ctx *v1 = weft_with_value(cancel, &user_key, &alice);
  weft_ctx *v2 = weft_with_value(v1, &trace_key, "trace-7");
  weft_ctx *v3 = weft_with_value(v2, &user_key, &bob);     /* shadows v1 */
  weft_ctx *leaf = weft_with_cancel(v3);
  CHECK(weft_ctx_value(v1, &user_key) == &alice);
  CHECK(weft_ctx_value(v2, &user_key) == &alice);
  CHECK(weft_ctx_value(v3, &user_key) == &bob);
  CHECK(weft_ctx_value(leaf, &user_key) == &bob);
  CHECK(strcmp(weft_ctx_value(leaf, &trace_key), "trace-7") == 0);
  CHECK(weft_ctx_value(leaf, &missing_key) == NULL);
  CHECK(weft_ctx_value(cancel, &user_key) == NULL);         /* never upwards */
  /* A value context is done when its canceler is. */
  CHECK_EQ(weft_ctx_err(v3), 0);
  weft_cancel(cancel);
  CHECK_EQ(weft_ctx_err(v1), ECANCELED);
  CHECK(done_now(v3));
  CHECK(weft_ctx_value(leaf, &user_key) == &bob);           /* values survive cancel */
  weft_ctx *all[] = {leaf, v3, v2, v1, cancel};
  for (size_t i = 0; i < 5; i++) weft_ctx_release(all[i]);
}

static void test_value_over_background_is_never_done(void) {
  static const char key;
  weft_ctx *v = weft_with_value(weft_background(), &key, "x");
  CHECK(weft_ctx_done(v) == NULL);
  CHECK_EQ(weft_ctx_err(v), 0);
  CHECK(!weft_ctx_deadline(v, NULL));
  weft_ctx_release(v);
}

/* OWNERSHIP 3: the parent lives as long as a child. */
static void test_release_parent_early(void) {
  static const char key;
  int payload = 7;
  weft_ctx *timeout = weft_with_timeout(weft_background(), WEFT_HOUR);
  weft_ctx *parent = weft_with_value(timeout, &key, &payload);
  weft_ctx_release(timeout);             /* parent holds it */
  weft_ctx *child = weft_with_cancel(parent);
  weft_ctx_release(parent);              /* child holds it */
  weft_time dl;
  CHECK(weft_ctx_deadline(child, &dl));
  CHECK(weft_ctx_value(child, &key) == &payload);
  CHECK_EQ(weft_ctx_err(child), 0);      /* releasing the parent did not cancel */
  weft_ctx_release(child);               /* frees the whole chain (ASan: no leak) */
}

static _Atomic int fired;
static void count_fire(void *arg) {
  atomic_fetch_add(&fired, 1);
  weft_chan_send(arg, NULL);
}

/* OWNERSHIP 5: the last release cancels. */
static void test_last_release_cancels(void) {
  weft_chan *ran = weft_chan_make(0, 1);
  atomic_store(&fired, 0);
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_stop *stop = weft_ctx_after_func(ctx, count_fire, ran);
  weft_ctx_retain(ctx);
  weft_ctx_release(ctx);                 /* not the last: nothing happens */
  CHECK(!ready_now(ran));
  CHECK_EQ(atomic_load(&fired), 0);
  weft_ctx_release(ctx);                 /* the last: cancelled, after_func runs */
  CHECK(recv_within(ran, NULL));
  CHECK_EQ(atomic_load(&fired), 1);
  CHECK(!weft_stop_call(stop));
  weft_chan_free(ran);
}

/* A child keeps its parent uncancelled: release is not cancel. */
static void test_release_with_live_child_does_not_cancel(void) {
  weft_ctx *parent = weft_with_cancel(weft_background());
  weft_ctx *child = weft_with_cancel(parent);
  weft_ctx_release(parent);
  CHECK_EQ(weft_ctx_err(child), 0);
  weft_ctx_release(child);
}

/* Many short-lived children of a long-lived parent, released without
 * cancel: each detaches itself, so the parent accumulates nothing. */
static void test_released_children_detach(void) {
  weft_ctx *parent = weft_with_cancel(weft_background());
  long n = scaled(20000);
  for (long i = 0; i < n; i++) {
    weft_ctx *child = weft_with_cancel(parent);
    if (i % 3 == 0) (void)weft_ctx_done(child);
    if (i % 5 == 0) {
      weft_ctx *grandchild = weft_with_timeout(child, WEFT_HOUR);
      weft_ctx_release(grandchild);
    }
    weft_ctx_release(child);
  }
  CHECK_EQ(children_of(parent), 0);
  weft_ctx_release(parent);
}

static void test_retain_release_balance(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  for (int i = 0; i < 100; i++) weft_ctx_retain(ctx);
  for (int i = 0; i < 100; i++) weft_ctx_release(ctx);
  CHECK_EQ(weft_ctx_err(ctx), 0);        /* still our reference */
  weft_ctx_release(ctx);
}

/* ---- goroutines and threads -------------------------------------------- */

struct watcher {
  weft_ctx *ctx;            /* a reference owned by the watcher */
  weft_chan *report;        /* int: the error it saw */
};

/* Holds its reference long after others cancelled and released theirs. */
static void watcher_run(void *arg) {
  struct watcher *w = arg;
  weft_ctx *ctx = w->ctx;
  weft_case cases[] = {WEFT_RECV(weft_ctx_done(ctx), NULL)};
  weft_select(cases, 1);
  weft_yield();
  weft_sleep(WEFT_MILLISECOND);          /* everyone else has released by now */
  int err = weft_ctx_err(ctx);
  weft_chan *done = weft_ctx_done(ctx);  /* still valid: we hold a reference */
  CHECK(!weft_chan_recv(done, NULL));
  weft_ctx *late_child = weft_with_cancel(ctx);   /* born cancelled */
  CHECK_EQ(weft_ctx_err(late_child), err);
  weft_ctx_release(late_child);
  weft_ctx_release(ctx);
  weft_chan_send(w->report, &err);
}

static void test_goroutines_hold_after_cancel_and_release(void) {
  enum { N = 50 };
  weft_chan *report = weft_chan_make(sizeof(int), N);
  weft_ctx *root = weft_with_cancel(weft_background());
  weft_ctx *mid = weft_with_timeout(root, WEFT_HOUR);
  struct watcher w[N];
  for (int i = 0; i < N; i++) {
    w[i].ctx = i % 2 ? mid : root;
    weft_ctx_retain(w[i].ctx);             /* OWNERSHIP 4: retain, then hand over */
    w[i].report = report;
    weft_go(watcher_run, &w[i]);
  }
  weft_ctx_release(mid);                   /* we keep no reference to mid */
  weft_cancel(root);
  weft_ctx_release(root);                  /* ... nor to root */
  for (int i = 0; i < N; i++) {
    int err = 0;
    CHECK(recv_within(report, &err));
    CHECK_EQ(err, ECANCELED);
  }
  weft_chan_free(report);
}

struct thread_wait {
  weft_ctx *ctx;            /* a reference given to the thread */
  weft_chan *finished;
};

static void *thread_waits_done(void *arg) {
  struct thread_wait *w = arg;
  CHECK(wait_done(w->ctx));
  CHECK_EQ(weft_ctx_err(w->ctx), ECANCELED);
  weft_ctx_release(w->ctx);
  weft_chan_send(w->finished, NULL);
  return NULL;
}

static void canceller(void *arg) {
  weft_sleep(WEFT_MILLISECOND);
  weft_cancel(arg);
  weft_ctx_release(arg);
}

/* A foreign thread blocks on done; a goroutine cancels. (The main
 * goroutine parks on a channel rather than in pthread_join, which would
 * hold the only worker with WEFT_PROCS=1.) */
static void test_foreign_thread_waits(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_ctx_retain(ctx);
  struct thread_wait w = {ctx, weft_chan_make(0, 0)};
  pthread_t t;
  pthread_create(&t, NULL, thread_waits_done, &w);
  weft_go(canceller, ctx);                 /* our reference goes to the goroutine */
  CHECK(recv_within(w.finished, NULL));
  pthread_join(t, NULL);
  weft_chan_free(w.finished);
}

struct churn {
  weft_ctx *parent;
  long rounds;
  unsigned seed;
};

static void *thread_churns(void *arg) {
  struct churn *c = arg;
  unsigned seed = c->seed;
  for (long i = 0; i < c->rounds; i++) {
    weft_ctx *child = weft_with_cancel(c->parent);
    weft_ctx *grandchild = (rand_r(&seed) & 1) ? weft_with_timeout(child, WEFT_HOUR)
                                               : weft_with_cancel(child);
    if (rand_r(&seed) & 1) (void)weft_ctx_done(grandchild);
    switch (rand_r(&seed) % 3) {
    case 0: weft_cancel(child); break;
    case 1: weft_cancel(grandchild); break;
    default: break;
    }
    if (rand_r(&seed) & 1) {
      weft_ctx_release(child);
      weft_ctx_release(grandchild);
    } else {
      weft_ctx_release(grandchild);
      weft_ctx_release(child);
    }
  }
  return NULL;
}

/* Threads create, cancel and release children of one parent at once. */
static void test_threads_share_a_parent(void) {
  enum { T = 4 };
  weft_ctx *parent = weft_with_cancel(weft_background());
  pthread_t threads[T];
  struct churn c[T];
  for (int i = 0; i < T; i++) {
    c[i] = (struct churn){parent, scaled(5000), (unsigned)i * 7919u + 1};
    pthread_create(&threads[i], NULL, thread_churns, &c[i]);
  }
  for (int i = 0; i < T; i++) pthread_join(threads[i], NULL);
  CHECK_EQ(children_of(parent), 0);
  weft_ctx_release(parent);
}

struct chain_job {
  long depth;
  weft_chan *finished;
};

/* Builds a chain inside a goroutine (small stack): cancel and the cascade
 * of releases must both be iterative. */
static void chain_run(void *arg) {
  struct chain_job *job = arg;
  weft_ctx **chain = malloc((size_t)job->depth * sizeof *chain);
  weft_ctx *parent = weft_background();
  for (long i = 0; i < job->depth; i++) chain[i] = parent = weft_with_cancel(parent);
  (void)weft_ctx_done(chain[job->depth - 1]);
  weft_cancel(chain[0]);
  CHECK_EQ(weft_ctx_err(chain[job->depth - 1]), ECANCELED);
  CHECK(done_now(chain[job->depth - 1]));
  /* Root first: each release but the last only drops a count; the leaf's
   * release then frees the whole chain, upwards. */
  for (long i = 0; i < job->depth; i++) weft_ctx_release(chain[i]);
  free(chain);
  weft_chan_send(job->finished, NULL);
}

static void test_deep_chain(void) {
  struct chain_job job = {scaled(100000), weft_chan_make(0, 1)};
  weft_go(chain_run, &job);
  CHECK(recv_within(job.finished, NULL));
  weft_chan_free(job.finished);
}

static weft_waitgroup waiters;

static void waiter_run(void *arg) {
  weft_ctx *ctx = arg;
  weft_chan_recv(weft_ctx_done(ctx), NULL);
  CHECK_EQ(weft_ctx_err(ctx), ECANCELED);   /* done closed => err set */
  weft_ctx_release(ctx);
  weft_waitgroup_done(&waiters);
}

/* Many goroutines parked on one done channel are all released, and each
 * sees the error as soon as it sees the channel closed. */
static void test_cancel_wakes_every_waiter(void) {
  weft_ctx *ctx = weft_with_cancel(weft_background());
  long n = scaled(1000);
  for (long i = 0; i < n; i++) {
    weft_ctx_retain(ctx);
    weft_waitgroup_add(&waiters, 1);
    weft_go(waiter_run, ctx);
  }
  weft_yield();
  weft_cancel(ctx);
  weft_ctx_release(ctx);
  weft_waitgroup_wait(&waiters);
}

static int app(int argc, char **argv) {
  RUN(test_background);
  RUN(test_cancel_closes_done);
  RUN(test_done_made_after_cancel_is_closed);
  RUN(test_cancel_reaches_every_descendant);
  RUN(test_child_cancel_never_touches_parent);
  RUN(test_born_cancelled);
  RUN(test_descendants_get_the_roots_error);
  RUN(test_values);
  RUN(test_value_over_background_is_never_done);
  RUN(test_release_parent_early);
  RUN(test_last_release_cancels);
  RUN(test_release_with_live_child_does_not_cancel);
  RUN(test_released_children_detach);
  RUN(test_retain_release_balance);
  RUN(test_goroutines_hold_after_cancel_and_release);
  RUN(test_foreign_thread_waits);
  RUN(test_threads_share_a_parent);
  RUN(test_deep_chain);
  RUN(test_cancel_wakes_every_waiter);
  return check_done();
}

int main(int argc, char **argv) {
  /* Before the runtime: contexts work on a plain thread too. */
  weft_ctx *ctx = weft_with_cancel(weft_background());
  weft_ctx *child = weft_with_timeout(ctx, WEFT_HOUR);
  weft_cancel(ctx);
  CHECK_EQ(weft_ctx_err(child), ECANCELED);
  CHECK(!weft_chan_recv(weft_ctx_done(child), NULL));
  weft_ctx_release(child);
  weft_ctx_release(ctx);
  return weft_main(app, argc, argv);
}
