/*
 * test_stack.c - goroutine stacks: deep use within the size works, an
 * overflow is reported as "fatal error: stack overflow in goroutine N"
 * with exit status 2, and bad WEFT_STACK_SIZE / WEFT_PROCS values are
 * start-up errors with status 2.
 */
#include <stdatomic.h>
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

int main(void) {
  RUN(test_bad_env);
  RUN(test_good_env);
  RUN(test_overflow_reported);
  RUN(test_deep_stack_fits);
  return check_done();
}
