/*
 * env.c - the runtime's environment variables, validated at start-up.
 *
 *   WEFT_PROCS       worker threads: a positive integer (default: the CPUs
 *                    this process may run on, from sched_getaffinity)
 *   WEFT_STACK_SIZE  goroutine stack reservation: bytes with an optional
 *                    K, M or G suffix (powers of 1024), 16K to 1G
 *                    (default 256K)
 * A bad value is a start-up error naming the variable and what it wants;
 * the program exits with status 2 (never a silent default).
 */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/sched.h"

#define DEFAULT_STACK_SIZE (256 * 1024)
#define MAX_PROCS 1024

_Noreturn static void env_error(const char *name, const char *value, const char *want) {
  fprintf(stderr, "weft: bad %s=\"%s\": %s\n", name, value, want);
  exit(2);
}

int env_procs(void) {
  const char *s = getenv("WEFT_PROCS");
  if (!s || !*s) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
      int n = CPU_COUNT(&set);
      if (n > 0) return n > MAX_PROCS ? MAX_PROCS : n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > MAX_PROCS ? MAX_PROCS : n) : 1;
  }
  char *end;
  errno = 0;
  long n = strtol(s, &end, 10);
  if (errno || end == s || *end || n < 1 || n > MAX_PROCS)
    env_error("WEFT_PROCS", s, "want the number of worker threads, 1 to 1024");
  return (int)n;
}

size_t env_stack_size(void) {
  const char *s = getenv("WEFT_STACK_SIZE");
  if (!s || !*s) return DEFAULT_STACK_SIZE;
  const char *want = "want a size in bytes with an optional K, M or G suffix, from 16K to 1G (e.g. 512K)";
  char *end;
  errno = 0;
  unsigned long long n = strtoull(s, &end, 10);
  if (errno || end == s || *s == '-') env_error("WEFT_STACK_SIZE", s, want);
  switch (toupper((unsigned char)*end)) {
  case 'K': n <<= 10; end++; break;
  case 'M': n <<= 20; end++; break;
  case 'G': n <<= 30; end++; break;
  default: break;
  }
  if (*end == 'B' || *end == 'b') end++;
  if (*end || n < 16 * 1024 || n > (1ULL << 30)) env_error("WEFT_STACK_SIZE", s, want);
  return (size_t)n;
}
