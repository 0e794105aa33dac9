/*
 * check.h - assertions and child-process helpers for weft's own tests.
 *
 * Each tests/<area>/test_*.c is a program: main() runs its cases and
 * returns 0 only when all of them held. CHECK* print the failing expression
 * with file:line and make the program fail; they do not stop it, so one run
 * reports every broken case. (The user-facing harness, weft/testing.h, is a
 * separate product feature; this header is only for testing weft itself.)
 *
 * check_child() forks, runs a function in the child (which is expected to
 * die loudly: a panic, a fatal error, a race report) and captures its
 * stdout+stderr and exit status, so tests can match messages word for word.
 */
#ifndef WEFT_TESTS_CHECK_H
#define WEFT_TESTS_CHECK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_failures;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      check_failures++;                                                      \
    }                                                                        \
  } while (0)

#define CHECK_EQ(got, want)                                                  \
  do {                                                                       \
    long long check_got_ = (long long)(got), check_want_ = (long long)(want); \
    if (check_got_ != check_want_) {                                         \
      fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__, \
              #got, check_got_, check_want_);                                \
      check_failures++;                                                      \
    }                                                                        \
  } while (0)

#define CHECK_CONTAINS(haystack, needle)                                     \
  do {                                                                       \
    const char *check_h_ = (haystack), *check_n_ = (needle);                 \
    if (!check_h_ || !strstr(check_h_, check_n_)) {                         \
      fprintf(stderr, "%s:%d: output lacks \"%s\"; output was:\n%s\n",       \
              __FILE__, __LINE__, check_n_, check_h_ ? check_h_ : "(null)"); \
      check_failures++;                                                      \
    }                                                                        \
  } while (0)

/* Checks a child's exit status; on mismatch shows what the child printed. */
#define CHECK_STATUS(r, want)                                                \
  do {                                                                       \
    if ((r).status != (want)) {                                              \
      fprintf(stderr, "%s:%d: child exit status %d, want %d; output:\n%s\n", \
              __FILE__, __LINE__, (r).status, (want), (r).output ? (r).output : ""); \
      check_failures++;                                                      \
    }                                                                        \
  } while (0)

/* Runs one named case and prints a go-test-like line for it. */
#define RUN(fn)                                                              \
  do {                                                                       \
    int check_before_ = check_failures;                                      \
    fn();                                                                    \
    fprintf(stderr, "%s %s\n", check_failures == check_before_ ? "ok  " : "FAIL", #fn); \
  } while (0)

static inline int check_done(void) {
  if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}

/* Stress tests multiply their sizes by this (WEFT_TEST_SCALE, default 1;
 * sanitizer and emulated builds set it lower through ctest). */
static inline double test_scale(void) {
  const char *s = getenv("WEFT_TEST_SCALE");
  double v = s ? atof(s) : 1.0;
  return v > 0 ? v : 1.0;
}
static inline long scaled(long n) {
  long v = (long)(n * test_scale());
  return v > 0 ? v : 1;
}

struct child_result {
  int status;      /* exit status, or 128+signal */
  char *output;    /* stdout and stderr interleaved, NUL-terminated; free() it */
};

/* Forks; the child runs fn(arg) and then exit(0). Output of both streams is
 * captured. Optional env: "NAME=value" strings set in the child only. */
static inline struct child_result check_child_env(void (*fn)(void *), void *arg,
                                                  const char *const *env) {
  struct child_result r = {0, NULL};
  int fds[2];
  if (pipe(fds) != 0) { perror("pipe"); exit(1); }
  fflush(stdout); fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1); dup2(fds[1], 2); close(fds[1]);
    for (; env && *env; env++) putenv((char *)*env);
    fn(arg);
    fflush(stdout); fflush(stderr);
    _exit(0);
  }
  close(fds[1]);
  size_t cap = 4096, len = 0;
  r.output = malloc(cap);
  for (;;) {
    if (len + 1024 > cap) { cap *= 2; r.output = realloc(r.output, cap); }
    ssize_t n = read(fds[0], r.output + len, cap - len - 1);
    if (n <= 0) break;
    len += (size_t)n;
  }
  r.output[len] = 0;
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}
static inline struct child_result check_child(void (*fn)(void *), void *arg) {
  return check_child_env(fn, arg, NULL);
}

#endif
