/*
 * intercept.c - the C library's memory and string functions, and mmap.
 *
 * Code compiled with -fsanitize=thread checks its own loads and stores, but
 * a memcpy it calls runs in (uninstrumented) libc. libweft-race therefore
 * defines memcpy, memmove, memset, memcmp, bcmp, memchr, strlen, strnlen,
 * strcpy, stpcpy, strncpy, strcat, strncat, strcmp, strncmp, strchr,
 * strrchr, strdup, strndup and the _FORTIFY_SOURCE variants
 * __memcpy_chk, __memmove_chk, __memset_chk, __strcpy_chk: each checks the
 * bytes it reads and writes as accesses of its caller, then calls glibc's.
 *
 * Only calls made *from instrumented code* are checked. weft's own runtime
 * is not instrumented and copies its internal data (goroutine arguments,
 * channel buffers) with memcpy under its own synchronisation, which the
 * detector does not see; checking those copies would report races that do
 * not exist. A call comes from instrumented code when the caller's stack
 * pointer at the call (the callee's CFA, __builtin_dwarf_cfa) equals the
 * one recorded by the caller's own __tsan_func_entry: an instrumented
 * function calls both from the same frame, while a runtime function called
 * from instrumented code has a frame of its own below. (The race flavour of
 * the library is built with -fno-optimize-sibling-calls, so a runtime
 * function never tail-calls memcpy from its caller's frame; an instrumented
 * function that calls memcpy after alloca is not checked.)
 *
 * gcc expands memcpy/memset of small constant sizes inline; inline copies
 * of struct-sized blocks are checked by gcc as ranges, but gcc may also
 * expand larger constant-size calls after instrumentation, unchecked.
 * -fno-builtin-memcpy -fno-builtin-memset -fno-builtin-memmove (docs/race.md)
 * keep them calls.
 *
 * mmap and munmap empty the shadow of the range (its previous contents
 * were another mapping's). They go straight to the system calls.
 *
 * The real functions are found with dlsym(RTLD_NEXT) from a constructor;
 * calls made before it (other libraries' constructors) use simple loops.
 */
#if WEFT_RACE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "race/race_private.h"

/* glibc's _FORTIFY_SOURCE entry points (declared only when fortifying). */
void *__memcpy_chk(void *d, const void *s, size_t n, size_t dlen);
void *__memmove_chk(void *d, const void *s, size_t n, size_t dlen);
void *__memset_chk(void *d, int c, size_t n, size_t dlen);
char *__strcpy_chk(char *d, const char *s, size_t dlen);

#define PC() ((uintptr_t)__builtin_return_address(0))
#define CFA() ((uintptr_t)__builtin_dwarf_cfa())

static void *(*real_memcpy)(void *, const void *, size_t);
static void *(*real_memmove)(void *, const void *, size_t);
static void *(*real_memset)(void *, int, size_t);
static int (*real_memcmp)(const void *, const void *, size_t);
static void *(*real_memchr)(const void *, int, size_t);
static size_t (*real_strlen)(const char *);
static size_t (*real_strnlen)(const char *, size_t);
static int (*real_strcmp)(const char *, const char *);
static int (*real_strncmp)(const char *, const char *, size_t);
static char *(*real_strchr)(const char *, int);
static char *(*real_strrchr)(const char *, int);
static void *(*real_memcpy_chk)(void *, const void *, size_t, size_t);
static void *(*real_memmove_chk)(void *, const void *, size_t, size_t);
static void *(*real_memset_chk)(void *, int, size_t, size_t);
static char *(*real_strcpy_chk)(char *, const char *, size_t);

/* Fallbacks for calls before the constructor ran (volatile: the compiler
 * must not turn them back into calls to memcpy). */
static void *slow_memmove(void *d, const void *s, size_t n) {
  volatile unsigned char *dst = d;
  const volatile unsigned char *src = s;
  if (dst < src) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
  } else {
    for (size_t i = n; i > 0; i--) dst[i - 1] = src[i - 1];
  }
  return d;
}

static void *slow_memset(void *d, int c, size_t n) {
  volatile unsigned char *dst = d;
  for (size_t i = 0; i < n; i++) dst[i] = (unsigned char)c;
  return d;
}

static size_t slow_strlen(const char *s) {
  const volatile char *p = s;
  size_t n = 0;
  while (p[n]) n++;
  return n;
}

__attribute__((constructor(101))) static void resolve(void) {
  real_memmove = dlsym(RTLD_NEXT, "memmove");
  real_memset = dlsym(RTLD_NEXT, "memset");
  real_memcpy = dlsym(RTLD_NEXT, "memcpy");
  real_memcmp = dlsym(RTLD_NEXT, "memcmp");
  real_memchr = dlsym(RTLD_NEXT, "memchr");
  real_strlen = dlsym(RTLD_NEXT, "strlen");
  real_strnlen = dlsym(RTLD_NEXT, "strnlen");
  real_strcmp = dlsym(RTLD_NEXT, "strcmp");
  real_strncmp = dlsym(RTLD_NEXT, "strncmp");
  real_strchr = dlsym(RTLD_NEXT, "strchr");
  real_strrchr = dlsym(RTLD_NEXT, "strrchr");
  real_memcpy_chk = dlsym(RTLD_NEXT, "__memcpy_chk");
  real_memmove_chk = dlsym(RTLD_NEXT, "__memmove_chk");
  real_memset_chk = dlsym(RTLD_NEXT, "__memset_chk");
  real_strcpy_chk = dlsym(RTLD_NEXT, "__strcpy_chk");
}

void *race_real_memcpy(void *d, const void *s, size_t n) {
  if (RACE_LIKELY(real_memcpy != NULL)) return real_memcpy(d, s, n);
  return slow_memmove(d, s, n);
}

void *race_real_memset(void *d, int c, size_t n) {
  if (RACE_LIKELY(real_memset != NULL)) return real_memset(d, c, n);
  return slow_memset(d, c, n);
}

static inline size_t real_len(const char *s) {
  return RACE_LIKELY(real_strlen != NULL) ? real_strlen(s) : slow_strlen(s);
}

static inline size_t real_nlen(const char *s, size_t max) {
  if (RACE_LIKELY(real_strnlen != NULL)) return real_strnlen(s, max);
  size_t n = 0;
  const volatile char *p = s;
  while (n < max && p[n]) n++;
  return n;
}

#define from_instrumented race_from_instrumented

static inline void check_read(const void *p, size_t n, uintptr_t pc) {
  race_access_range((uintptr_t)p, n, ACC_READ, pc);
}
static inline void check_write(void *p, size_t n, uintptr_t pc) {
  race_access_range((uintptr_t)p, n, 0, pc);
}

/* ---- memory --------------------------------------------------------------------- */

RACE_API void *memcpy(void *restrict d, const void *restrict s, size_t n) {
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  return race_real_memcpy(d, s, n);
}

RACE_API void *memmove(void *d, const void *s, size_t n) {
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  return RACE_LIKELY(real_memmove != NULL) ? real_memmove(d, s, n) : slow_memmove(d, s, n);
}

RACE_API void *memset(void *d, int c, size_t n) {
  if (from_instrumented(CFA())) check_write(d, n, PC());
  return race_real_memset(d, c, n);
}

static int slow_memcmp(const void *a, const void *b, size_t n) {
  const volatile unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

RACE_API int memcmp(const void *a, const void *b, size_t n) {
  if (from_instrumented(CFA())) {
    check_read(a, n, PC());
    check_read(b, n, PC());
  }
  return RACE_LIKELY(real_memcmp != NULL) ? real_memcmp(a, b, n) : slow_memcmp(a, b, n);
}

/* (Its body must differ from memcmp's: identical functions get folded
 * into one calling the other, which breaks the caller check.) */
RACE_API int bcmp(const void *a, const void *b, size_t n) {
  if (from_instrumented(CFA())) {
    check_read(a, n, PC());
    check_read(b, n, PC());
  }
  return (RACE_LIKELY(real_memcmp != NULL) ? real_memcmp(a, b, n) : slow_memcmp(a, b, n)) != 0;
}

RACE_API void *memchr(const void *s, int c, size_t n) {
  void *r;
  if (RACE_LIKELY(real_memchr != NULL)) {
    r = real_memchr(s, c, n);
  } else {
    const volatile unsigned char *p = s;
    r = NULL;
    for (size_t i = 0; i < n; i++)
      if (p[i] == (unsigned char)c) {
        r = (void *)(uintptr_t)(p + i);
        break;
      }
  }
  if (from_instrumented(CFA())) check_read(s, r ? (size_t)((char *)r - (char *)s) + 1 : n, PC());
  return r;
}

RACE_API void *__memcpy_chk(void *d, const void *s, size_t n, size_t dlen) {
  if (n > dlen && real_memcpy_chk) return real_memcpy_chk(d, s, n, dlen);
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  return race_real_memcpy(d, s, n);
}

RACE_API void *__memmove_chk(void *d, const void *s, size_t n, size_t dlen) {
  if (n > dlen && real_memmove_chk) return real_memmove_chk(d, s, n, dlen);
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  return RACE_LIKELY(real_memmove != NULL) ? real_memmove(d, s, n) : slow_memmove(d, s, n);
}

RACE_API void *__memset_chk(void *d, int c, size_t n, size_t dlen) {
  if (n > dlen && real_memset_chk) return real_memset_chk(d, c, n, dlen);
  if (from_instrumented(CFA())) check_write(d, n, PC());
  return race_real_memset(d, c, n);
}

/* ---- strings --------------------------------------------------------------------- */

RACE_API size_t strlen(const char *s) {
  size_t n = real_len(s);
  if (from_instrumented(CFA())) check_read(s, n + 1, PC());
  return n;
}

RACE_API size_t strnlen(const char *s, size_t max) {
  size_t n = real_nlen(s, max);
  if (from_instrumented(CFA())) check_read(s, n < max ? n + 1 : n, PC());
  return n;
}

RACE_API char *strcpy(char *restrict d, const char *restrict s) {
  size_t n = real_len(s) + 1;
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  race_real_memcpy(d, s, n);
  return d;
}

RACE_API char *__strcpy_chk(char *d, const char *s, size_t dlen) {
  size_t n = real_len(s) + 1;
  if (n > dlen && real_strcpy_chk) return real_strcpy_chk(d, s, dlen);
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  race_real_memcpy(d, s, n);
  return d;
}

RACE_API char *stpcpy(char *restrict d, const char *restrict s) {
  size_t n = real_len(s) + 1;
  if (from_instrumented(CFA())) {
    check_read(s, n, PC());
    check_write(d, n, PC());
  }
  race_real_memcpy(d, s, n);
  return d + n - 1;
}

RACE_API char *strncpy(char *restrict d, const char *restrict s, size_t n) {
  size_t len = real_nlen(s, n);
  size_t copy = len < n ? len + 1 : n;
  if (from_instrumented(CFA())) {
    check_read(s, copy, PC());
    check_write(d, n, PC());
  }
  race_real_memcpy(d, s, copy);
  if (copy < n) race_real_memset(d + copy, 0, n - copy);
  return d;
}

RACE_API char *strcat(char *restrict d, const char *restrict s) {
  size_t dl = real_len(d), sl = real_len(s) + 1;
  if (from_instrumented(CFA())) {
    check_read(d, dl + 1, PC());
    check_read(s, sl, PC());
    check_write(d + dl, sl, PC());
  }
  race_real_memcpy(d + dl, s, sl);
  return d;
}

RACE_API char *strncat(char *restrict d, const char *restrict s, size_t n) {
  size_t dl = real_len(d), sl = real_nlen(s, n);
  if (from_instrumented(CFA())) {
    check_read(d, dl + 1, PC());
    check_read(s, sl < n ? sl + 1 : sl, PC());
    check_write(d + dl, sl + 1, PC());
  }
  race_real_memcpy(d + dl, s, sl);
  d[dl + sl] = 0;
  return d;
}

static int slow_strncmp(const char *a, const char *b, size_t n) {
  const volatile unsigned char *x = (const void *)a, *y = (const void *)b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    if (!x[i]) return 0;
  }
  return 0;
}

/* Bytes strcmp-like functions read: up to the first difference or NUL. */
static size_t compared(const char *a, const char *b, size_t max) {
  size_t i = 0;
  while (i < max && a[i] == b[i] && a[i]) i++;
  return i < max ? i + 1 : max;
}

RACE_API int strcmp(const char *a, const char *b) {
  if (from_instrumented(CFA())) {
    size_t n = compared(a, b, SIZE_MAX);
    check_read(a, n, PC());
    check_read(b, n, PC());
  }
  return RACE_LIKELY(real_strcmp != NULL) ? real_strcmp(a, b) : slow_strncmp(a, b, SIZE_MAX);
}

RACE_API int strncmp(const char *a, const char *b, size_t max) {
  if (from_instrumented(CFA())) {
    size_t n = compared(a, b, max);
    check_read(a, n, PC());
    check_read(b, n, PC());
  }
  return RACE_LIKELY(real_strncmp != NULL) ? real_strncmp(a, b, max) : slow_strncmp(a, b, max);
}

RACE_API char *strchr(const char *s, int c) {
  char *r = RACE_LIKELY(real_strchr != NULL) ? real_strchr(s, c) : NULL;
  if (!real_strchr) {
    for (const char *p = s;; p++) {
      if (*p == (char)c) { r = (char *)(uintptr_t)p; break; }
      if (!*p) break;
    }
  }
  if (from_instrumented(CFA())) check_read(s, r ? (size_t)(r - s) + 1 : real_len(s) + 1, PC());
  return r;
}

RACE_API char *strrchr(const char *s, int c) {
  char *r = NULL;
  if (RACE_LIKELY(real_strrchr != NULL)) {
    r = real_strrchr(s, c);
  } else {
    for (const char *p = s;; p++) {
      if (*p == (char)c) r = (char *)(uintptr_t)p;
      if (!*p) break;
    }
  }
  if (from_instrumented(CFA())) check_read(s, real_len(s) + 1, PC());
  return r;
}

RACE_API char *strdup(const char *s) {
  size_t n = real_len(s) + 1;
  if (from_instrumented(CFA())) check_read(s, n, PC());
  char *d = malloc(n);
  if (d) race_real_memcpy(d, s, n);
  return d;
}

RACE_API char *strndup(const char *s, size_t max) {
  size_t n = real_nlen(s, max);
  if (from_instrumented(CFA())) check_read(s, n < max ? n + 1 : n, PC());
  char *d = malloc(n + 1);
  if (d) {
    race_real_memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

/* ---- mappings -------------------------------------------------------------------- */

static void *do_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  void *p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
  if (p == MAP_FAILED) return MAP_FAILED;   /* errno set by syscall() */
  if (atomic_load_explicit(&race_inited, memory_order_relaxed) && !(prot == PROT_NONE))
    shadow_clear((uintptr_t)p, len);
  return p;
}

RACE_API void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  return do_mmap(addr, len, prot, flags, fd, off);
}

RACE_API void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  return do_mmap(addr, len, prot, flags, fd, off);
}

RACE_API int munmap(void *addr, size_t len) {
  if (atomic_load_explicit(&race_inited, memory_order_relaxed)) shadow_clear((uintptr_t)addr, len);
  return (int)syscall(SYS_munmap, addr, len);
}

#endif
