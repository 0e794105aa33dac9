/*
 * debug_test.h - helpers for the diagnostics tests: knowing the source
 * lines a report must name, and matching reports line by line.
 *
 * Lines: a child process runs the code under test; the parent checks what
 * it printed. The child records the line of each interesting call with
 *     AT(at->park, rt_park(...));
 * which stores __LINE__ (the line of the call, since the macro is used on
 * one line) into a page shared with the parent, so no line number is ever
 * written by hand.
 *
 * Matching: expect_block(output, lines) checks that `lines` appear in
 * `output` as consecutive lines. In a pattern line "{hex}" matches one or
 * more hex digits, "{num}" one or more decimal digits and "{any}" any
 * text (a duration, an address); everything else is literal. A pattern
 * line "{lines}" stands for any number of non-empty lines. FRAME(fn, line) builds the two lines Go prints per frame:
 *     fn(...)
 *     \t/abs/path/test_x.c:LINE +0x{hex}
 */
#ifndef WEFT_TESTS_DEBUG_TEST_H
#define WEFT_TESTS_DEBUG_TEST_H

#include <ctype.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "check.h"

/* Atomic: several goroutines may pass the same line at once. */
#define AT(slot, expr) (__atomic_store_n(&(slot), __LINE__, __ATOMIC_RELAXED), (expr))

/* Keeps a call from being a tail call (so its caller keeps a frame). */
#define NO_TAIL() __asm__ __volatile__("" ::: "memory")

/* A zeroed page shared by parent and forked children. */
static inline void *shared_page(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  return p;
}

/* Pattern lines are built into a small arena of strings. */
struct expect {
  int n;
  const char *line[64];
  char buf[64][512];
};

static inline void expect_add(struct expect *e, const char *fmt, ...) {
  if (e->n == 64) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->buf[e->n], sizeof e->buf[e->n], fmt, ap);
  va_end(ap);
  e->line[e->n] = e->buf[e->n];
  e->n++;
}

/* Set by the test's main: whether the library reads DWARF (file:line).
 * Without it a frame's second line is "\t<module>+0x<offset> +0x<offset>". */
static bool have_lines = true;

static inline void expect_location(struct expect *e, const char *file, int line, bool offset) {
  if (!have_lines) expect_add(e, "\t{any}+0x{hex}%s", offset ? " +0x{hex}" : "");
  else if (offset) expect_add(e, "\t%s:%d +0x{hex}", file, line);
  else expect_add(e, "\t%s:%d", file, line);
}

/* fn(...) and its file:line with an offset: an ordinary frame. */
#define FRAME(e, fn, line) (expect_add((e), "%s(...)", fn), expect_location((e), __FILE__, (line), true))
/* An inlined frame: no offset. */
#define FRAME_INLINED(e, fn, line) (expect_add((e), "%s(...)", fn), expect_location((e), __FILE__, (line), false))
/* A frame of a goroutine that is not running. Its stack is unwound with
 * libdw; without it only by frame pointers, which may find some frames or
 * none: then any frames are accepted in its place. */
#define PARKED_FRAME(e, fn, line) \
  (have_lines ? FRAME((e), (fn), (line)) : expect_add((e), "{lines}"))
#define CREATED_BY(e, fn, parent, line)                                   \
  (expect_add((e), "created by %s in goroutine %d", fn, (int)(parent)), \
   expect_location((e), __FILE__, (line), true))

/* Does the text [s, end) match pattern p (one line, no newline)? */
static inline bool line_matches(const char *s, const char *end, const char *p) {
  while (*p) {
    if (strncmp(p, "{any}", 5) == 0) {
      for (const char *t = s; t <= end; t++)
        if (line_matches(t, end, p + 5)) return true;
      return false;
    }
    if (strncmp(p, "{hex}", 5) == 0 || strncmp(p, "{num}", 5) == 0) {
      bool hex = p[1] == 'h';
      const char *start = s;
      while (s < end && (hex ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s))) s++;
      if (s == start) return false;
      p += 5;
      continue;
    }
    if (s == end || *s != *p) return false;
    s++;
    p++;
  }
  return s == end;
}

/* Do lines i.. of e match the text from s on? The pattern line
 * "{lines}" matches any number of non-empty lines. */
static inline bool lines_match(const char *s, const struct expect *e, int i) {
  if (i == e->n) return true;
  if (strcmp(e->line[i], "{lines}") == 0) {
    for (;;) {
      if (lines_match(s, e, i + 1)) return true;
      if (!*s || *s == '\n') return false;
      const char *end = strchr(s, '\n');
      s = end ? end + 1 : s + strlen(s);
    }
  }
  if (!*s) return false;
  const char *end = strchr(s, '\n');
  if (!end) end = s + strlen(s);
  if (!line_matches(s, end, e->line[i])) return false;
  return lines_match(*end ? end + 1 : end, e, i + 1);
}

/* Do the lines of e occur consecutively in out, starting at a line start? */
static inline bool block_found(const char *out, const struct expect *e) {
  for (const char *start = out; start && *start;) {
    if (lines_match(start, e, 0)) return true;
    start = strchr(start, '\n');
    if (start) start++;
  }
  return false;
}

#define CHECK_BLOCK(out, e)                                                   \
  do {                                                                        \
    if (!block_found((out), (e))) {                                           \
      fprintf(stderr, "%s:%d: output lacks these lines:\n", __FILE__, __LINE__); \
      for (int i_ = 0; i_ < (e)->n; i_++) fprintf(stderr, "  | %s\n", (e)->line[i_]); \
      fprintf(stderr, "output was:\n%s\n", (out));                            \
      check_failures++;                                                       \
    }                                                                         \
  } while (0)

/* Position of needle in out, or -1 (to check the order of reports). */
static inline long position(const char *out, const char *needle) {
  const char *p = strstr(out, needle);
  return p ? (long)(p - out) : -1;
}

#endif
