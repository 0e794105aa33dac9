/*
 * test_traceback.c - the stack printed by a panic, a fault and a stack
 * overflow: Go's layout, the faulting goroutine's own functions with the
 * file:line of this very file, weft's frames hidden, inlined calls shown as
 * frames of their own, "created by" naming the spawning function and line;
 * and WEFT_TRACEBACK (none | single | all | system) choosing how much.
 */
#include <stdatomic.h>
#include <weft.h>

#include "debug/debug_private.h"
#include "debug_test.h"
#include "runtime/runtime.h"

/* Source lines recorded by the children (see debug_test.h). */
struct lines {
  int spawn, panic, call_panic, inlined_panic, call_inlined, deref, call_deref, recurse,
      spawn_parked, parked, call_parked, main_sleep;
};
static struct lines *at;

/* Sets the environment of a forked child and re-reads the options, which
 * the library read at start-up, before the test changed anything. */
static void child_env(const char *debug, const char *traceback) {
  if (debug) setenv("WEFT_DEBUG", debug, 1);
  else unsetenv("WEFT_DEBUG");
  if (traceback) setenv("WEFT_TRACEBACK", traceback, 1);
  else unsetenv("WEFT_TRACEBACK");
  debug_options_init();
  alarm(60); /* a hang is a failure, not a stuck test run */
}

/* ---- a goroutine that panics, two calls deep ---------------------------- */

static __attribute__((noinline)) void panics(int v) {
  AT(at->panic, rt_panic("boom %d", v));
}
static __attribute__((noinline)) void calls_panic(void *arg) {
  AT(at->call_panic, panics(7));
  NO_TAIL();
}

/* A goroutine that is parked while another panics (for WEFT_TRACEBACK=all). */
static atomic_int parked;
static __attribute__((noinline)) void parks(void) {
  atomic_store(&parked, 1);
  AT(at->parked, rt_park(WAIT_CHAN_RECV, NULL, NULL, NULL));
  NO_TAIL();
}
static __attribute__((noinline)) void calls_parks(void *arg) {
  AT(at->call_parked, parks());
  NO_TAIL();
}

static int panic_app(int argc, char **argv) {
  AT(at->spawn_parked, weft_go(calls_parks, NULL));
  while (!atomic_load(&parked)) weft_sleep(WEFT_MILLISECOND);
  AT(at->spawn, weft_go(calls_panic, NULL));
  AT(at->main_sleep, weft_sleep(WEFT_HOUR));
  return 0;
}

static void panic_child(void *traceback) {
  child_env(NULL, traceback);
  exit(weft_main(panic_app, 0, NULL));
}

static void expect_panicking_goroutine(struct expect *e) {
  expect_add(e, "panic: boom 7");
  expect_add(e, "");
  expect_add(e, "goroutine {num} [running]:");
  FRAME(e, "panics", at->panic);
  FRAME(e, "calls_panic", at->call_panic);
  CREATED_BY(e, "panic_app", 1, at->spawn);
}

static void test_panic_prints_faulting_stack(void) {
  struct child_result r = check_child(panic_child, NULL);
  CHECK_EQ(r.status, 2);
  struct expect e = {0};
  expect_panicking_goroutine(&e);
  CHECK_BLOCK(r.output, &e);
  /* single (the default): only the goroutine at fault, no weft frames. */
  CHECK(strstr(r.output, "calls_parks") == NULL);
  CHECK(strstr(r.output, "rt_panic") == NULL);
  CHECK(strstr(r.output, "rt_goroutine") == NULL);
  free(r.output);
}

static void test_traceback_none(void) {
  struct child_result r = check_child(panic_child, "none");
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output, "panic: boom 7\n");
  CHECK(strstr(r.output, "goroutine") == NULL);
  free(r.output);
}

static void test_traceback_all(void) {
  struct child_result r = check_child(panic_child, "all");
  CHECK_EQ(r.status, 2);
  struct expect e = {0};
  expect_panicking_goroutine(&e);
  expect_add(&e, "");
  expect_add(&e, "goroutine 1 [sleep]:");
  PARKED_FRAME(&e, "panic_app", at->main_sleep);
  expect_add(&e, "");
  expect_add(&e, "goroutine {num} [chan receive]:");
  PARKED_FRAME(&e, "parks", at->parked);
  PARKED_FRAME(&e, "calls_parks", at->call_parked);
  CREATED_BY(&e, "panic_app", 1, at->spawn_parked);
  CHECK_BLOCK(r.output, &e);
  free(r.output);
}

static void test_traceback_system(void) {
  struct child_result r = check_child(panic_child, "system");
  CHECK_EQ(r.status, 2);
  /* weft's own frames appear, between the user's. */
  CHECK_CONTAINS(r.output, "\nrt_panic(...)\n");
  if (have_lines) CHECK_CONTAINS(r.output, "\nrt_park(...)\n"); /* parked stacks need libdw */
  long panic_frame = position(r.output, "\nrt_panic(...)\n");
  long user_frame = position(r.output, "\npanics(...)\n");
  CHECK(panic_frame >= 0 && user_frame > panic_frame);
  free(r.output);
}

/* ---- inlined calls are frames of their own ------------------------------- */

static inline __attribute__((always_inline)) void inlined_panic(int v) {
  AT(at->inlined_panic, rt_panic("inlined %d", v));
}
static __attribute__((noinline)) void calls_inlined(void *arg) {
  AT(at->call_inlined, inlined_panic(3));
  NO_TAIL();
}
static int inlined_app(int argc, char **argv) {
  AT(at->spawn, weft_go(calls_inlined, NULL));
  weft_sleep(WEFT_HOUR);
  return 0;
}
static void inlined_child(void *arg) {
  child_env(NULL, NULL);
  exit(weft_main(inlined_app, 0, NULL));
}

static void test_inlined_frames(void) {
  if (!have_lines) return; /* inline expansion needs the DWARF reader */
  struct child_result r = check_child(inlined_child, NULL);
  CHECK_EQ(r.status, 2);
  struct expect e = {0};
  expect_add(&e, "goroutine {num} [running]:");
  FRAME_INLINED(&e, "inlined_panic", at->inlined_panic);
  FRAME(&e, "calls_inlined", at->call_inlined);
  CREATED_BY(&e, "inlined_app", 1, at->spawn);
  CHECK_BLOCK(r.output, &e);
  free(r.output);
}

/* ---- a fault ------------------------------------------------------------ */

static __attribute__((noinline)) int deref(int *p) {
  return AT(at->deref, *(volatile int *)p);
}
static __attribute__((noinline)) void calls_deref(void *arg) {
  AT(at->call_deref, deref(arg));
  NO_TAIL();
}
static int fault_app(int argc, char **argv) {
  AT(at->spawn, weft_go(calls_deref, NULL));
  weft_sleep(WEFT_HOUR);
  return 0;
}
static void fault_child(void *arg) {
  child_env(NULL, NULL);
  exit(weft_main(fault_app, 0, NULL));
}

static void test_fault_stack_starts_at_faulting_line(void) {
#if defined(WEFT_ASAN_FIBERS) || defined(WEFT_TSAN_FIBERS)
  return; /* the sanitizer runtime owns SIGSEGV and reports it itself */
#endif
  struct child_result r = check_child(fault_child, NULL);
  CHECK_EQ(r.status, 2);
  struct expect e = {0};
  expect_add(&e, "panic: runtime error: invalid memory address or nil pointer dereference");
  expect_add(&e, "[signal SIGSEGV: segmentation violation {any}]");
  expect_add(&e, "");
  expect_add(&e, "goroutine {num} [running]:");
  FRAME(&e, "deref", at->deref);
  FRAME(&e, "calls_deref", at->call_deref);
  CREATED_BY(&e, "fault_app", 1, at->spawn);
  CHECK_BLOCK(r.output, &e);
  /* Nothing of the signal handler or the C library's trampoline. */
  CHECK(strstr(r.output, "restore") == NULL);
  CHECK(strstr(r.output, "fault_handler") == NULL);
  free(r.output);
}

/* ---- stack overflow, with few frames ------------------------------------ */

static __attribute__((noinline)) int recurse(int depth) {
  volatile char buf[1024];
  buf[0] = (char)depth;
  if (depth == 0) return buf[0];
  return AT(at->recurse, recurse(depth - 1)) + buf[0];
}
static void overflows(void *arg) {
  recurse(1 << 22);
}
static int overflow_app(int argc, char **argv) {
  AT(at->spawn, weft_go(overflows, NULL));
  weft_sleep(WEFT_HOUR);
  return 0;
}
static void overflow_child(void *arg) {
  child_env("maxframes=3", NULL);
  exit(weft_main(overflow_app, 0, NULL));
}

static void test_overflow_elides_frames(void) {
#if defined(WEFT_ASAN_FIBERS) || defined(WEFT_TSAN_FIBERS)
  return;
#endif
  struct child_result r = check_child(overflow_child, NULL);
  CHECK_EQ(r.status, 2);
  struct expect e = {0};
  expect_add(&e, "goroutine {num} [running]:");
  expect_add(&e, "recurse(...)");
  /* The faulting instruction: the frame's setup or the store to buf. */
  expect_add(&e, have_lines ? "\t%s:{num} +0x{hex}" : "\t{any}+0x{hex} +0x{hex}", __FILE__);
  FRAME(&e, "recurse", at->recurse);
  FRAME(&e, "recurse", at->recurse);
  expect_add(&e, "...additional frames elided...");
  CREATED_BY(&e, "overflow_app", 1, at->spawn);
  CHECK_BLOCK(r.output, &e);
  CHECK_CONTAINS(r.output, "fatal error: stack overflow in goroutine ");
  free(r.output);
}

int main(void) {
  at = shared_page(sizeof *at);
  have_lines = debug_have_libdw();
  RUN(test_panic_prints_faulting_stack);
  RUN(test_traceback_none);
  RUN(test_traceback_all);
  RUN(test_traceback_system);
  RUN(test_inlined_frames);
  RUN(test_fault_stack_starts_at_faulting_line);
  RUN(test_overflow_elides_frames);
  return check_done();
}
