/*
 * test_stack.c - goroutine stacks: deep use within the size works, an
 * overflow is reported as "fatal error: stack overflow in goroutine N"
 * with exit status 2, and bad WEFT_STACK_SIZE / WEFT_PROCS values are
 * start-up errors with status 2.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <weft.h>

#include "check.h"

static atomic_int done;

/* Uses about `depth` KiB of stack. */
static __attribute__((noinline)) int recurse(int depth) {
  volatile char buf[1024];
  buf[0] = (char)depth;
  if (depth == 0) return buf[0];
  return recurse(depth - 1) + buf[0];
}

static void deep(void *arg) {
  recurse((int)(intptr_t)arg);
  atomic_fetch_add(&done, 1);
}

static int deep_app(int argc, char **argv) {
  /* 200 KiB of a 256 KiB stack, in many goroutines at once. */
  for (int i = 0; i < 64; i++) weft_go(deep, (void *)(intptr_t)200);
  while (atomic_load(&done) < 64) weft_sleep(WEFT_MILLISECOND);
  return 0;
}

static void test_deep_stack_fits(void) {
  CHECK_EQ(weft_main(deep_app, 0, NULL), 0);
}

static atomic_uint_fast64_t overflow_id;
static void overflow(void *arg) {
  atomic_store(&overflow_id, weft_self());
  printf("overflowing goroutine %llu\n", (unsigned long long)weft_self());
  fflush(stdout);
  recurse(1 << 20);
}
static int overflow_app(int argc, char **argv) {
  weft_go(overflow, NULL);
  weft_sleep(WEFT_HOUR);
  return 0;
}
static void overflow_child(void *arg) { exit(weft_main(overflow_app, 0, NULL)); }

static void test_overflow_reported(void) {
#if defined(WEFT_ASAN_FIBERS) || defined(WEFT_TSAN_FIBERS)
  /* Sanitizer runtimes own SIGSEGV; they report the overflow themselves. */
  return;
#endif
  struct child_result r = check_child(overflow_child, NULL);
  CHECK_STATUS(r, 2);
  unsigned long long id = 0;
  const char *line = strstr(r.output, "overflowing goroutine ");
  CHECK(line != NULL);
  if (line) {
    id = strtoull(line + strlen("overflowing goroutine "), NULL, 10);
    char want[128];
    snprintf(want, sizeof want, "fatal error: stack overflow in goroutine %llu\n", id);
    CHECK_CONTAINS(r.output, want);
  }
  free(r.output);
}

static int nothing_app(int argc, char **argv) { return 0; }
static void start_child(void *arg) { exit(weft_main(nothing_app, 0, NULL)); }

static void expect_env_error(const char *assignment, const char *message) {
  const char *env[] = {assignment, NULL};
  struct child_result r = check_child_env(start_child, NULL, env);
  CHECK_STATUS(r, 2);
  CHECK_CONTAINS(r.output, message);
  free(r.output);
}

static void test_bad_env(void) {
  expect_env_error("WEFT_STACK_SIZE=lots", "weft: bad WEFT_STACK_SIZE=\"lots\": want a size in bytes");
  expect_env_error("WEFT_STACK_SIZE=1K", "weft: bad WEFT_STACK_SIZE=\"1K\"");
  expect_env_error("WEFT_STACK_SIZE=-5", "weft: bad WEFT_STACK_SIZE=\"-5\"");
  expect_env_error("WEFT_PROCS=0", "weft: bad WEFT_PROCS=\"0\": want the number of worker threads, 1 to 1024");
  expect_env_error("WEFT_PROCS=two", "weft: bad WEFT_PROCS=\"two\"");
}

static void test_good_env(void) {
  const char *env[] = {"WEFT_STACK_SIZE=1M", "WEFT_PROCS=3", NULL};
  struct child_result r = check_child_env(start_child, NULL, env);
  CHECK_STATUS(r, 0);
  free(r.output);
}

/* Stacks a burst of goroutines used go back to the kernel once they have
 * sat unused in the pool for a while (stack.c, scavenging): the resident
 * set falls by most of what the burst's stacks had touched. */
enum { BURST = 512, TOUCH = 96 * 1024 };
static weft_chan *release_burst;
static weft_waitgroup burst_wg, touched_wg;
static void touch_stack(void *arg) {
  volatile char buf[TOUCH];
  for (size_t i = 0; i < sizeof buf; i += 512) buf[i] = (char)i;
  weft_waitgroup_done(&touched_wg);
  weft_chan_recv(release_burst, NULL);   /* all BURST alive at once */
  (void)buf[0];
  weft_waitgroup_done(&burst_wg);
}
static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
  fclose(f);
  return kb;
}
static int scavenge_app(int argc, char **argv) {
  release_burst = weft_chan_make(0, 0);
  long before = rss_kb();
  for (int i = 0; i < BURST; i++) {
    weft_waitgroup_add(&burst_wg, 1);
    weft_waitgroup_add(&touched_wg, 1);
    weft_go(touch_stack, NULL);
  }
  weft_waitgroup_wait(&touched_wg);
  weft_chan_close(release_burst);
  weft_waitgroup_wait(&burst_wg);
  long peak = rss_kb();
  long grown = peak - before;
  printf("rss before %ld KB, after the burst %ld KB\n", before, peak);
  if (grown < BURST * (TOUCH / 1024) / 2) return 3; /* the burst did not touch its stacks? */
  /* Generous upper bound: passes run about every second once idle. */
  for (int i = 0; i < 100; i++) {
    weft_sleep(100 * WEFT_MILLISECOND);
    long now = rss_kb();
    if (peak - now >= grown / 2) {
      printf("returned %ld KB of %ld KB\n", peak - now, grown);
      return 0;
    }
  }
  printf("still %ld KB after 10 s\n", rss_kb());
  return 4;
}
static void scavenge_child(void *arg) { exit(weft_main(scavenge_app, 0, NULL)); }
static void test_idle_stacks_returned(void) {
#if defined(__SANITIZE_ADDRESS__) || defined(WEFT_ASAN_FIBERS) || defined(WEFT_TSAN_FIBERS)
  /* Sanitizers keep their own shadow and fake stacks beside each stack:
   * the resident set says little about the stacks there. */
  return;
#endif
  struct child_result r = check_child(scavenge_child, NULL);
  CHECK_STATUS(r, 0);
  CHECK_CONTAINS(r.output, "returned ");
  free(r.output);
}

int main(void) {
  RUN(test_bad_env);
  RUN(test_good_env);
  RUN(test_overflow_reported);
  RUN(test_idle_stacks_returned);  /* forks: before this process starts weft */
  RUN(test_deep_stack_fits);
  return check_done();
}
