/*
 * weft.h (tools/) - the pieces of the `weft` command shared by its files.
 *
 * The driver is four concepts, one file each:
 *   weft.c     the command line: subcommands, Go-style flag parsing, exit codes
 *   layout.c   where the headers and libraries are: the build tree the binary
 *              was built in, or the prefix it is installed under
 *   compile.c  running the C compiler (probes, compile, link) and the program
 *   help.c     `weft help` texts
 *
 * Exit statuses follow the go command: 2 for usage errors, failed builds and
 * missing tools; a program's own status passes through `weft run`.
 */
#ifndef WEFT_TOOL_H
#define WEFT_TOOL_H

#include <stdbool.h>
#include <stddef.h>

/* Where libweft lives, as found at startup by layout_find(). */
struct layout {
  bool build_tree;        /* running from the CMake build folder */
  char include_dir[4096]; /* -I for <weft.h> */
  char lib_dir[4096];     /* libweft.a, libweft-race.a */
  char prefix[4096];      /* install prefix, or the build folder */
};

/* A growable NULL-terminated argv. */
struct argv {
  char **v;
  size_t n, cap;
};
void argv_add(struct argv *a, const char *s);
void argv_add_words(struct argv *a, const char *words); /* split on blanks */
void argv_free(struct argv *a);

/* Options shared by run and build. */
struct buildopts {
  bool race;
  bool optimize; /* -O: run with -O2 instead of -O0 */
  bool verbose;  /* -x: print the commands */
  const char *out;
};

/* layout.c */
int layout_find(struct layout *l); /* 0, or -1 after printing why */

/* compile.c */
/* Compile `files` into `out` (build dir for intermediate objects: tmpdir).
 * Returns 0, or 2 after the compiler's own message (or ours) was printed. */
int compile_program(const struct layout *l, const struct buildopts *o, char **files, size_t nfiles,
                    const char *out, const char *tmpdir);
/* Runs `path args...`; returns its exit status as `weft run` should exit. */
int run_program(const char *path, char **args, size_t nargs);
const char *cc_command(void);                   /* $CC or "cc" */
void build_flags(const struct buildopts *o, struct argv *cflags); /* -g -O2 / race flags */
void link_libs(const struct layout *l, bool race, struct argv *libs);
/* Prints `weft: ...` to stderr. */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* help.c */
int help_main(int argc, char **argv); /* weft help [cmd] */
void usage_short(const char *cmd);    /* one usage line + pointer to help, stderr */

#endif
