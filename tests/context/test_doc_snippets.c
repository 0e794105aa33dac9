/*
 * test_doc_snippets.c - the C examples of docs/context.md compile and do
 * what the page says.
 *
 * The examples live in docs/context/, one .c file each, #included here,
 * so they are compiled with the project's warnings as errors. The page
 * shows them as code blocks, each announced by a comment naming its file
 * (<!-- snippet: context/name.c -->); test_page_matches_files checks that
 * every such block is byte for byte its file, and that every file is on
 * the page, so the page cannot drift from the compiled code.
 */
#include <signal.h>

#include "ctx_testing.h"

#include "../../docs/context/leave_concurrency.c"
#include "../../docs/context/bystander.c"
#include "../../docs/context/tie_lifetimes.c"
#include "../../docs/context/graceful_shutdown.c"

static const char *const snippet_files[] = {
  "leave_concurrency.c", "bystander.c", "tie_lifetimes.c", "graceful_shutdown.c",
};

/* ---- the page shows exactly the compiled files ------------------------- */

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len < 1024) buf = realloc(buf, cap *= 2);
  }
  buf[len] = 0;
  fclose(f);
  return buf;
}

/* The repository root, from this file's own path. */
static void repo_path(char *out, size_t size, const char *relative) {
  const char *me = __FILE__;
  const char *tail = strstr(me, "tests/context/test_doc_snippets.c");
  int root = tail ? (int)(tail - me) : 0;
  snprintf(out, size, "%.*s%s", root, me, relative);
}

static void test_page_matches_files(void) {
  char path[4096];
  repo_path(path, sizeof path, "docs/context.md");
  char *page = slurp(path);
  CHECK(page != NULL);
  if (!page) return;
  int blocks = 0;
  for (size_t i = 0; i < sizeof snippet_files / sizeof *snippet_files; i++) {
    char marker[256];
    snprintf(marker, sizeof marker, "<!-- snippet: context/%s -->\n```c\n", snippet_files[i]);
    char *at = strstr(page, marker);
    if (!at) {
      fprintf(stderr, "docs/context.md does not show %s\n", snippet_files[i]);
      CHECK(at != NULL);
      continue;
    }
    char *code = at + strlen(marker);
    char *end = strstr(code, "```\n");
    CHECK(end != NULL);
    if (!end) continue;
    char file[256];
    snprintf(file, sizeof file, "docs/context/%s", snippet_files[i]);
    repo_path(path, sizeof path, file);
    char *text = slurp(path);
    CHECK(text != NULL);
    bool same = text && strlen(text) == (size_t)(end - code) &&
                memcmp(text, code, (size_t)(end - code)) == 0;
    if (!same) fprintf(stderr, "docs/context.md: the block of %s differs from the file\n",
                       snippet_files[i]);
    CHECK(same);
    blocks++;
    free(text);
  }
  /* No block announces a file this test does not compile. */
  int markers = 0;
  for (char *p = page; (p = strstr(p, "<!-- snippet: ")); p++) markers++;
  CHECK_EQ(markers, blocks);
  free(page);
}

/* ---- leave concurrency to the caller ----------------------------------- */

static void feed(void *arg) {
  weft_chan *numbers = arg;
  for (long i = 1; i <= 100; i++) weft_chan_send(numbers, &i);
  weft_chan_close(numbers);
}

static void test_leave_concurrency(void) {
  int start = weft_num_goroutines();
  /* Synchronously, under a context that is cancelled midway. */
  weft_chan *numbers = weft_chan_make(sizeof(long), 0);
  weft_ctx *ctx = weft_with_cancel(weft_background());
  long total = 0;
  weft_cancel(ctx);
  CHECK_EQ(sum_numbers(ctx, numbers, &total), ECANCELED);
  weft_ctx_release(ctx);
  weft_chan_free(numbers);
  /* In the background, as the second caller chose. */
  numbers = weft_chan_make(sizeof(long), 0);
  weft_go(feed, numbers);
  CHECK_EQ(sum_in_background(numbers, &total), 0);
  CHECK_EQ(total, 5050);
  weft_chan_free(numbers);
  /* feed has closed the channel; let it return, so that the next test's
   * goroutine count does not include it (test_bystander counts). */
  CHECK(EVENTUALLY(weft_num_goroutines() == start));
}

/* ---- don't be a bystander ---------------------------------------------- */

static void test_bystander(void) {
  int before = weft_num_goroutines();
  beat_for(20 * WEFT_MILLISECOND);
  CHECK(atomic_load(&beats) >= 1);
  bool ended = EVENTUALLY(weft_num_goroutines() == before);   /* the heartbeat ended */
  if (!ended) fprintf(stderr, "goroutines: before %d, now %d\n", before, weft_num_goroutines());
  CHECK(ended);
}

/* ---- tie lifetimes with a group ---------------------------------------- */

static void test_tie_lifetimes(void) {
  struct service api = {weft_chan_make(sizeof(int), 4), 0};
  struct service admin = {weft_chan_make(sizeof(int), 4), 0};
  int req = 1;
  weft_chan_send(api.requests, &req);
  weft_chan_send(admin.requests, &req);
  weft_chan_close(api.requests);             /* the API's listener dies ... */
  CHECK_EQ(run_services(weft_background(), &api, &admin), EPIPE);
  CHECK_EQ(api.served, 1);                   /* ... and admin was shut down too */
  weft_chan_free(api.requests);
  weft_chan_free(admin.requests);

  /* A parent's cancel stops both, and is no error of theirs. */
  struct service a = {weft_chan_make(sizeof(int), 1), 0};
  struct service b = {weft_chan_make(sizeof(int), 1), 0};
  weft_ctx *parent = weft_with_timeout(weft_background(), 5 * WEFT_MILLISECOND);
  CHECK_EQ(run_services(parent, &a, &b), 0);
  weft_ctx_release(parent);
  weft_chan_free(a.requests);
  weft_chan_free(b.requests);
}

/* ---- graceful shutdown with a deadline --------------------------------- */

static weft_chan *queue;
static int flushed;

/* Sends SIGTERM once run_until_signalled's signal context is listening
 * (a fixed delay was not always enough under qemu: the default action then
 * killed the child). */
static void terminate_soon(void *arg) {
  struct sigaction now;
  while (sigaction(SIGTERM, NULL, &now) == 0 && !(now.sa_flags & SA_SIGINFO) &&
         now.sa_handler == SIG_DFL)
    weft_sleep(WEFT_MILLISECOND);
  kill(getpid(), SIGTERM);
}

static int shutdown_main(int argc, char **argv) {
  queue = weft_chan_make(sizeof(int), 16);
  for (int i = 0; i < 10; i++) weft_chan_send(queue, &i);
  weft_chan_close(queue);                    /* nothing new comes */
  weft_go(terminate_soon, NULL);
  int err = run_until_signalled(queue, &flushed);
  printf("err=%d flushed=%d\n", err, flushed);
  weft_chan_free(queue);
  return 0;
}

static void shutdown_child(void *arg) { exit(weft_main(shutdown_main, 0, NULL)); }

static void test_graceful_shutdown(void) {
#if defined(WEFT_TSAN_FIBERS)
  (void)shutdown_child;          /* deferred signals under TSan: see test_signal.c */
#else
  struct child_result r = check_child(shutdown_child, NULL);
  CHECK_EQ(r.status, 0);
  CHECK_CONTAINS(r.output, "err=0 flushed=10");
  free(r.output);
#endif
  /* The grace period ends before the queue is drained: given up. The
   * queued job must be taken first, while the grace period still runs: if
   * both were ready at the first select, it would pick either at random.
   * 100 ms is ample for the few instructions in between, even under qemu
   * (2 ms was not: a loaded emulator took longer and select then chose
   * the expired grace period). */
  weft_chan *open_queue = weft_chan_make(sizeof(int), 4);
  int job = 7, done_jobs = 0;
  weft_chan_send(open_queue, &job);
  weft_ctx *grace = weft_with_timeout(weft_background(), 100 * WEFT_MILLISECOND);
  CHECK_EQ(flush(grace, open_queue, &done_jobs), ETIMEDOUT);
  CHECK_EQ(done_jobs, 1);
  weft_ctx_release(grace);
  weft_chan_free(open_queue);
}

static int app(int argc, char **argv) {
  RUN(test_page_matches_files);
  RUN(test_leave_concurrency);
  RUN(test_bystander);
  RUN(test_tie_lifetimes);
  return check_done();
}

int main(int argc, char **argv) {
  /* The shutdown example runs in a child (it catches SIGTERM); fork it
   * before this process starts the runtime. */
  RUN(test_graceful_shutdown);
  return weft_main(app, argc, argv);
}
