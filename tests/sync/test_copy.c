/*
 * test_copy.c - copy detection, the runtime twin of go vet's copylocks:
 * a primitive copied by value after first use is a fatal error at the
 * copy's next use, naming the type and both addresses:
 *   fatal error: sync: weft_mutex copied after first use (in use at 0x..., original at 0x...)
 * Tested for every type and every kind of use, in child processes. Copies
 * of never-used primitives (and of a WEFT_COND_INIT cond before its first
 * use) are fine, and the original stays usable after being copied.
 *
 * The primitives live in static storage so that this process knows their
 * addresses (a forked child has the same ones) and can build the exact
 * message expected.
 */
#include <stdatomic.h>

#include "sync_testing.h"

static weft_mutex mu_orig, mu_copy;
static weft_rwmutex rw_orig, rw_copy;
static weft_mutex cond_mu;
static weft_cond cond_orig = WEFT_COND_INIT(&cond_mu), cond_copy;
static weft_waitgroup wg_orig, wg_copy;
static weft_once once_orig, once_copy;

static void nothing(void *arg) {}

/* Each case: use the original, copy it, then use the copy one way. */
static void mutex_lock_copy(void) {
  weft_mutex_lock(&mu_orig);
  weft_mutex_unlock(&mu_orig);
  mu_copy = mu_orig;
  weft_mutex_lock(&mu_copy);
}
static void mutex_trylock_copy(void) {
  weft_mutex_lock(&mu_orig);
  weft_mutex_unlock(&mu_orig);
  mu_copy = mu_orig;
  weft_mutex_trylock(&mu_copy);
}
static void mutex_unlock_locked_copy(void) {   /* copied while locked */
  weft_mutex_lock(&mu_orig);
  memcpy(&mu_copy, &mu_orig, sizeof mu_orig);
  weft_mutex_unlock(&mu_copy);
}
static void mutex_lock_copy_out_of_line(void) {
  void (*lock)(weft_mutex *) = weft_mutex_lock;
  lock(&mu_orig);
  weft_mutex_unlock(&mu_orig);
  mu_copy = mu_orig;
  lock(&mu_copy);
}
static void rw_rlock_copy(void) {
  weft_rwmutex_rlock(&rw_orig);
  weft_rwmutex_runlock(&rw_orig);
  rw_copy = rw_orig;
  weft_rwmutex_rlock(&rw_copy);
}
static void rw_lock_copy(void) {
  weft_rwmutex_lock(&rw_orig);
  weft_rwmutex_unlock(&rw_orig);
  rw_copy = rw_orig;
  weft_rwmutex_lock(&rw_copy);
}
static void rw_tryrlock_copy(void) {
  weft_rwmutex_lock(&rw_orig);
  weft_rwmutex_unlock(&rw_orig);
  rw_copy = rw_orig;
  weft_rwmutex_tryrlock(&rw_copy);
}
static void rw_runlock_copy(void) {
  weft_rwmutex_rlock(&rw_orig);
  rw_copy = rw_orig;
  weft_rwmutex_runlock(&rw_copy);
}
static void cond_signal_copy(void) {
  weft_cond_signal(&cond_orig);
  cond_copy = cond_orig;
  weft_cond_signal(&cond_copy);
}
static void cond_wait_copy(void) {
  weft_cond_broadcast(&cond_orig);
  cond_copy = cond_orig;
  weft_mutex_lock(&cond_mu);
  weft_cond_wait(&cond_copy);
}
static void wg_wait_copy(void) {
  weft_waitgroup_add(&wg_orig, 1);
  weft_waitgroup_done(&wg_orig);
  wg_copy = wg_orig;
  weft_waitgroup_wait(&wg_copy);
}
static void wg_add_copy(void) {
  weft_waitgroup_wait(&wg_orig);
  wg_copy = wg_orig;
  weft_waitgroup_add(&wg_copy, 1);
}
static void once_copy_after_done(void) {
  weft_once_do(&once_orig, nothing, NULL);
  once_copy = once_orig;
  weft_once_do(&once_copy, nothing, NULL);    /* the inline fast path must notice */
}

struct copy_case {
  const char *name;
  void (*body)(void);
  const char *type;
  const void *copy, *orig;
};

static void (*child_body)(void);
static int run_body(int argc, char **argv) {
  child_body();
  printf("copy went unnoticed\n");
  return 0;
}
static void child(void *arg) {
  child_body = ((const struct copy_case *)arg)->body;
  exit(weft_main(run_body, 0, NULL));
}

static void expect_copy(const struct copy_case *c) {
  char want[256];
  snprintf(want, sizeof want,
           "fatal error: sync: %s copied after first use (in use at %p, original at %p)\n", c->type,
           c->copy, c->orig);
  struct child_result r = check_child(child, (void *)c);
  if (r.status != 2 || !strstr(r.output, want)) fprintf(stderr, "case %s:\n", c->name);
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output, want);
  CHECK(strstr(r.output, "copy went unnoticed") == NULL);
  free(r.output);
}

static void test_each_type_detected(void) {
  const struct copy_case cases[] = {
      {"mutex lock", mutex_lock_copy, "weft_mutex", &mu_copy, &mu_orig},
      {"mutex trylock", mutex_trylock_copy, "weft_mutex", &mu_copy, &mu_orig},
      {"mutex unlock (copied locked)", mutex_unlock_locked_copy, "weft_mutex", &mu_copy, &mu_orig},
      {"mutex lock out of line", mutex_lock_copy_out_of_line, "weft_mutex", &mu_copy, &mu_orig},
      {"rwmutex rlock", rw_rlock_copy, "weft_rwmutex", &rw_copy, &rw_orig},
      {"rwmutex lock", rw_lock_copy, "weft_rwmutex", &rw_copy, &rw_orig},
      {"rwmutex tryrlock", rw_tryrlock_copy, "weft_rwmutex", &rw_copy, &rw_orig},
      {"rwmutex runlock", rw_runlock_copy, "weft_rwmutex", &rw_copy, &rw_orig},
      {"cond signal", cond_signal_copy, "weft_cond", &cond_copy, &cond_orig},
      {"cond wait", cond_wait_copy, "weft_cond", &cond_copy, &cond_orig},
      {"waitgroup wait", wg_wait_copy, "weft_waitgroup", &wg_copy, &wg_orig},
      {"waitgroup add", wg_add_copy, "weft_waitgroup", &wg_copy, &wg_orig},
      {"once do", once_copy_after_done, "weft_once", &once_copy, &once_orig},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) expect_copy(&cases[i]);
}

/* ---- what is allowed --------------------------------------------------- */

struct account {             /* a typical embedding */
  weft_mutex mu;
  long balance;
};

static int allowed(int argc, char **argv) {
  /* Copying zero values (never used) is fine; both copies work. */
  struct account a = {{0}, 10};
  struct account b = a;
  weft_mutex_lock(&a.mu);
  weft_mutex_lock(&b.mu);
  weft_mutex_unlock(&b.mu);
  weft_mutex_unlock(&a.mu);

  /* A cond built by WEFT_COND_INIT may be copied before first use. */
  weft_mutex m = {0};
  weft_cond templ = WEFT_COND_INIT(&m);
  weft_cond c1 = templ, c2 = templ;
  weft_cond_signal(&c1);
  weft_cond_broadcast(&c2);

  /* The original keeps working after it was copied. */
  weft_mutex orig = {0};
  weft_mutex_lock(&orig);
  weft_mutex_unlock(&orig);
  weft_mutex copy = orig;
  (void)copy;
  weft_mutex_lock(&orig);
  weft_mutex_unlock(&orig);

  /* Re-zeroing a used primitive (not in use) makes it a fresh zero value. */
  weft_waitgroup wg = {0};
  weft_waitgroup_add(&wg, 1);
  weft_waitgroup_done(&wg);
  memset(&wg, 0, sizeof wg);
  weft_waitgroup_wait(&wg);
  printf("all allowed\n");
  return 0;
}
static void allowed_child(void *arg) { exit(weft_main(allowed, 0, NULL)); }

static void test_allowed_copies(void) {
  struct child_result r = check_child(allowed_child, NULL);
  CHECK_EQ(r.status, 0);
  CHECK_CONTAINS(r.output, "all allowed\n");
  free(r.output);
}

int main(void) {
  RUN(test_each_type_detected);
  RUN(test_allowed_copies);
  return check_done();
}
