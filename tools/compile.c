/*
 * compile.c - running the C compiler and the built program.
 *
 * A build is always two steps: each .c file is compiled to an object in a
 * private temporary folder, then the objects are linked with libweft. The
 * split is what -race needs: the program's code is compiled with
 * -fsanitize=thread (the compiler inserts __tsan_* calls at every memory
 * access) but the link must NOT say -fsanitize=thread, or the compiler
 * would pull in its own TSan runtime, which defines the same __tsan_*
 * symbols as libweft-race and knows nothing about goroutines. Doing it the
 * same way for normal builds keeps one code path.
 *
 * Flags (docs/cli.md is the user's copy of this table):
 *   normal   -g -O2              (weft run without -O: -g -O0, it compiles faster)
 *   -race    -fsanitize=thread -g -O1 -fno-builtin [-mcx16 with clang on x86-64]
 *            -fno-builtin keeps gcc from expanding memcpy/memset/memmove inline
 *            after the instrumentation pass, where the copies would go
 *            unchecked (src/race/intercept.c); -mcx16 makes clang emit
 *            16-byte atomics as instructions, hence as __tsan_atomic128_*
 *            calls, instead of libatomic calls (as cmake/race.cmake does).
 *   link     libweft.a (or libweft-race.a) -pthread -ldl [-ldw]
 *            static, so that a built program runs without LD_LIBRARY_PATH;
 *            -ldw only when the library was configured with libdw.
 * then $WEFT_CFLAGS (compile) and $WEFT_LDFLAGS (link), split on blanks.
 *
 * The compiler is $CC (which may be several words: "ccache gcc") or cc. It
 * is started with posix_spawnp, which reports a missing executable as an
 * error, so "no C compiler" is told apart from "the compiler failed". A
 * failing compile leaves the compiler's own diagnostics on stderr; the
 * driver adds nothing to them and exits 2.
 *
 * Before a -race build the compiler is probed with an empty program
 * compiled with -fsanitize=thread, so an old or limited compiler gets a
 * clear message instead of an unknown-option error on the user's file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weft.h"
#include "weft_config.h"

extern char **environ;

void tool_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("weft: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void argv_add(struct argv *a, const char *s) {
  if (a->n + 2 > a->cap) {
    a->cap = a->cap ? a->cap * 2 : 16;
    a->v = realloc(a->v, a->cap * sizeof *a->v);
    if (!a->v) {
      tool_error("out of memory");
      exit(2);
    }
  }
  a->v[a->n] = strdup(s);
  if (!a->v[a->n]) {
    tool_error("out of memory");
    exit(2);
  }
  a->n++;
  a->v[a->n] = NULL;
}

void argv_add_words(struct argv *a, const char *words) {
  if (!words)
    return;
  char *copy = strdup(words), *save = NULL;
  for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
    argv_add(a, w);
  free(copy);
}

void argv_free(struct argv *a) {
  for (size_t i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}

const char *cc_command(void) {
  const char *cc = getenv("CC");
  return cc && *cc ? cc : "cc";
}

void build_flags(const struct buildopts *o, struct argv *cflags) {
  if (o->race) {
    argv_add_words(cflags, "-fsanitize=thread -g -O1 -fno-builtin");
  } else {
    argv_add(cflags, "-g");
    argv_add(cflags, o->optimize ? "-O2" : "-O0");
  }
}

void link_libs(const struct layout *l, bool race, struct argv *libs) {
  char lib[4200];
  snprintf(lib, sizeof lib, "%s/%s", l->lib_dir, race ? "libweft-race.a" : "libweft.a");
  argv_add(libs, lib);
  argv_add(libs, "-pthread");
  argv_add(libs, "-ldl");
  if (WEFT_CONFIG_HAVE_LIBDW)
    argv_add(libs, "-ldw");
}

static void print_command(char **v) {
  for (size_t i = 0; v[i]; i++)
    fprintf(stderr, "%s%s", i ? " " : "", v[i]);
  fputc('\n', stderr);
}

/* Runs v; stdout/stderr go to `out_file`/`err_file` when given. Returns the
 * exit status, 128+signal, or -1 if the program could not be started
 * (errno set). */
static int spawn_wait(char **v, const char *out_file, const char *err_file, bool verbose) {
  if (verbose)
    print_command(v);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (out_file)
    posix_spawn_file_actions_addopen(&fa, 1, out_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (err_file)
    posix_spawn_file_actions_addopen(&fa, 2, err_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fflush(NULL);
  pid_t pid;
  int err = posix_spawnp(&pid, v[0], &fa, NULL, v, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err) {
    errno = err;
    return -1;
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int no_compiler(const char *cc) {
  tool_error("C compiler \"%s\" not found: %s\n"
             "  weft uses $CC, or cc when CC is not set; install gcc or clang, or set CC",
             cc, strerror(errno));
  return 2;
}

static void cat_indented(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  char line[1024];
  while (fgets(line, sizeof line, f))
    fprintf(stderr, "    %s", line);
  fclose(f);
}

/* Compiles an empty program with -fsanitize=thread. */
static int probe_tsan(const char *tmpdir, bool verbose) {
  char src[4200], obj[4200], err[4200];
  snprintf(src, sizeof src, "%s/probe.c", tmpdir);
  snprintf(obj, sizeof obj, "%s/probe.o", tmpdir);
  snprintf(err, sizeof err, "%s/probe.err", tmpdir);
  FILE *f = fopen(src, "w");
  if (!f) {
    tool_error("%s: %s", src, strerror(errno));
    return 2;
  }
  fputs("int main(void) { return 0; }\n", f);
  fclose(f);
  struct argv v = {0};
  argv_add_words(&v, cc_command());
  argv_add_words(&v, "-fsanitize=thread -g -O1 -c");
  argv_add(&v, src);
  argv_add(&v, "-o");
  argv_add(&v, obj);
  int st = spawn_wait(v.v, NULL, err, verbose);
  argv_free(&v);
  if (st < 0)
    return no_compiler(cc_command());
  if (st != 0) {
    tool_error("-race needs a C compiler that supports -fsanitize=thread (gcc >= 7 or clang >= 3.2,\n"
               "  on x86-64 or aarch64); CC=\"%s\" failed to compile an empty program with it:",
               cc_command());
    cat_indented(err);
    return 2;
  }
  return 0;
}

/* Whether the compiler defines __clang__ and targets x86-64 (for -mcx16). */
static bool race_clang_x86_64(const char *tmpdir) {
  char out[4200];
  snprintf(out, sizeof out, "%s/macros.txt", tmpdir);
  struct argv v = {0};
  argv_add_words(&v, cc_command());
  argv_add_words(&v, "-dM -E -x c /dev/null");
  int st = spawn_wait(v.v, out, "/dev/null", false);
  argv_free(&v);
  if (st != 0)
    return false;
  FILE *f = fopen(out, "r");
  if (!f)
    return false;
  bool clang = false, x86 = false;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    clang |= strncmp(line, "#define __clang__ ", 18) == 0;
    x86 |= strncmp(line, "#define __x86_64__ ", 19) == 0;
  }
  fclose(f);
  return clang && x86;
}

static bool has_suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

int compile_program(const struct layout *l, const struct buildopts *o, char **files, size_t nfiles,
                    const char *out, const char *tmpdir) {
  if (o->race) {
    if (!WEFT_CONFIG_HAVE_RACE && l->build_tree) {
      tool_error("-race: this build has no libweft-race (sanitizer builds do not make it)");
      return 2;
    }
    int st = probe_tsan(tmpdir, o->verbose);
    if (st)
      return st;
  }
  struct argv cflags = {0};
  build_flags(o, &cflags);
  if (o->race && race_clang_x86_64(tmpdir))
    argv_add(&cflags, "-mcx16");
  char inc[4200];
  snprintf(inc, sizeof inc, "-I%s", l->include_dir);
  argv_add(&cflags, inc);
  argv_add_words(&cflags, getenv("WEFT_CFLAGS"));

  struct argv link = {0};
  argv_add_words(&link, cc_command());
  int rc = 0;
  for (size_t i = 0; i < nfiles && rc == 0; i++) {
    if (!has_suffix(files[i], ".c")) { /* .o, .a, .so: straight to the link */
      argv_add(&link, files[i]);
      continue;
    }
    const char *base = strrchr(files[i], '/');
    base = base ? base + 1 : files[i];
    char obj[4200];
    snprintf(obj, sizeof obj, "%s/%zu_%.*s.o", tmpdir, i, (int)(strlen(base) - 2), base);
    struct argv v = {0};
    argv_add_words(&v, cc_command());
    for (size_t k = 0; k < cflags.n; k++)
      argv_add(&v, cflags.v[k]);
    argv_add(&v, "-c");
    argv_add(&v, files[i]);
    argv_add(&v, "-o");
    argv_add(&v, obj);
    int st = spawn_wait(v.v, NULL, NULL, o->verbose);
    argv_free(&v);
    if (st < 0)
      rc = no_compiler(cc_command());
    else if (st != 0)
      rc = 2; /* the compiler has said why */
    else
      argv_add(&link, obj);
  }
  if (rc == 0) {
    argv_add(&link, "-o");
    argv_add(&link, out);
    link_libs(l, o->race, &link);
    argv_add_words(&link, getenv("WEFT_LDFLAGS"));
    int st = spawn_wait(link.v, NULL, NULL, o->verbose);
    if (st < 0)
      rc = no_compiler(cc_command());
    else if (st != 0)
      rc = 2;
  }
  argv_free(&link);
  argv_free(&cflags);
  return rc;
}

int run_program(const char *path, char **args, size_t nargs) {
  struct argv v = {0};
  argv_add(&v, path);
  for (size_t i = 0; i < nargs; i++)
    argv_add(&v, args[i]);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    tool_error("fork: %s", strerror(errno));
    argv_free(&v);
    return 2;
  }
  if (pid == 0) {
    execv(path, v.v);
    fprintf(stderr, "weft: exec %s: %s\n", path, strerror(errno));
    _exit(127);
  }
  /* ^C and ^\ reach the whole foreground group: the program decides what
   * they mean (SIGQUIT prints its goroutines); the driver waits for it. */
  struct sigaction ign = {.sa_handler = SIG_IGN}, oint, oquit;
  sigaction(SIGINT, &ign, &oint);
  sigaction(SIGQUIT, &ign, &oquit);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &oint, NULL);
  sigaction(SIGQUIT, &oquit, NULL);
  argv_free(&v);
  if (WIFEXITED(st)) {
    int code = WEXITSTATUS(st);
    if (code != 0)
      fprintf(stderr, "exit status %d\n", code);
    return code;
  }
  int sig = WTERMSIG(st);
  const char *name = strsignal(sig);
  char lower[128];
  snprintf(lower, sizeof lower, "%s", name ? name : "unknown");
  for (char *p = lower; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p += 'a' - 'A';
  fprintf(stderr, "signal: %s\n", lower);
  return 128 + sig;
}
