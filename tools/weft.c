/*
 * weft.c - the `weft` command: go run / go build / go env / go version for C.
 *
 *   weft run   [-race] [-O] [-x] file.c... [-- args]
 *   weft build [-race] [-O] [-x] [-o out] file.c...
 *   weft env [NAME...]
 *   weft version
 *   weft help [command]
 *
 * Flag parsing is meant to accept what a Go user types: -flag or --flag,
 * `-o out` or `-o=out`, and flags before or after the files. For `run`,
 * everything after `--` goes to the program; so does everything from the
 * first argument that is neither a flag nor a source/object file (as in
 * `go run x.go arg1 arg2`). An unknown flag is an error, with Go's wording
 * ("flag provided but not defined: -foo") and exit status 2, rather than
 * being passed to the compiler: extra compiler flags go in WEFT_CFLAGS.
 *
 * `weft run` builds into a fresh folder under $TMPDIR (mkdtemp), runs the
 * program from there and removes the folder whatever happened. `weft build`
 * uses such a folder for its objects only. The program's exit status passes
 * through and a non-zero one is reported as `exit status N` on stderr,
 * like `go run` (so 66 after a race report, 2 after a panic). weft's own
 * failures - usage, missing file, compile error, no compiler - exit 2.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "weft.h"
#include "weft_config.h"

static bool has_suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

static bool is_input(const char *s) {
  return has_suffix(s, ".c") || has_suffix(s, ".o") || has_suffix(s, ".a") || has_suffix(s, ".so");
}

/* Removes tmpdir and the files in it (the driver makes no subfolders). */
static void remove_tmpdir(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[4200];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
        unlink(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

static int make_tmpdir(char *buf, size_t len) {
  const char *t = getenv("TMPDIR");
  snprintf(buf, len, "%s/weft-build-XXXXXX", t && *t ? t : "/tmp");
  if (!mkdtemp(buf)) {
    tool_error("cannot create a temporary folder %s: %s", buf, strerror(errno));
    return -1;
  }
  return 0;
}

/* The default output name of `weft build a.c b.c`: "a", as go build names
 * the binary after the first file. */
static void default_out(const char *file, char *buf, size_t len) {
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t n = strlen(base);
  const char *dot = strrchr(base, '.');
  if (dot && dot != base)
    n = (size_t)(dot - base);
  snprintf(buf, len, "%.*s", (int)n, base);
}

static int cmd_build(const char *cmd, int argc, char **argv) {
  bool run = strcmp(cmd, "run") == 0;
  struct buildopts o = {0};
  struct argv files = {0}, args = {0};
  int i = 0;
  for (; i < argc; i++) {
    char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      if (!run) {
        tool_error("%s: unexpected --: build takes no program arguments", cmd);
        goto usage;
      }
      i++;
      break;
    }
    if (a[0] == '-' && a[1] != 0) {
      const char *f = a + 1 + (a[1] == '-');
      if (strcmp(f, "race") == 0)
        o.race = true;
      else if (strcmp(f, "O") == 0)
        o.optimize = true;
      else if (strcmp(f, "x") == 0)
        o.verbose = true;
      else if (strcmp(f, "h") == 0 || strcmp(f, "help") == 0) {
        char *h[] = {"help", (char *)cmd};
        return help_main(2, h);
      } else if (!run && strcmp(f, "o") == 0) {
        if (i + 1 >= argc) {
          fprintf(stderr, "flag needs an argument: -o\n");
          goto usage;
        }
        o.out = argv[++i];
      } else if (!run && strncmp(f, "o=", 2) == 0 && f[2])
        o.out = f + 2;
      else {
        fprintf(stderr, "flag provided but not defined: -%s\n", f);
        goto usage;
      }
    } else if (is_input(a)) {
      argv_add(&files, a);
    } else if (run && files.n > 0) {
      break; /* program arguments start here */
    } else {
      tool_error("%s: %s is not a C source file (want file.c; .o, .a and .so files are linked as given)",
                 cmd, a);
      goto usage;
    }
  }
  for (; i < argc; i++)
    argv_add(&args, argv[i]);
  if (!run)
    o.optimize = true; /* build always makes the -O2 program */
  if (files.n == 0) {
    tool_error("%s: no C files listed", cmd);
    goto usage;
  }
  for (size_t k = 0; k < files.n; k++) {
    struct stat st;
    if (stat(files.v[k], &st) != 0) {
      fprintf(stderr, "stat %s: %s\n", files.v[k], strerror(errno));
      argv_free(&files);
      argv_free(&args);
      return 2;
    }
  }
  struct layout l;
  if (layout_find(&l)) {
    argv_free(&files);
    argv_free(&args);
    return 2;
  }
  char tmp[4096];
  if (make_tmpdir(tmp, sizeof tmp)) {
    argv_free(&files);
    argv_free(&args);
    return 2;
  }
  char out[4200];
  if (run) {
    char name[256];
    default_out(files.v[0], name, sizeof name);
    if (snprintf(out, sizeof out, "%s/%s", tmp, name[0] ? name : "a.out") >= (int)sizeof out) {
      tool_error("temporary folder name too long: %s", tmp);
      remove_tmpdir(tmp);
      argv_free(&files);
      argv_free(&args);
      return 2;
    }
  } else if (o.out) {
    snprintf(out, sizeof out, "%s", o.out);
  } else {
    default_out(files.v[0], out, sizeof out);
  }
  int rc = compile_program(&l, &o, files.v, files.n, out, tmp);
  if (rc == 0 && run)
    rc = run_program(out, args.v, args.n);
  remove_tmpdir(tmp);
  argv_free(&files);
  argv_free(&args);
  return rc;
usage:
  argv_free(&files);
  argv_free(&args);
  usage_short(cmd);
  return 2;
}

static const char *goarch(void) {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#else
  static struct utsname u;
  uname(&u);
  return u.machine;
#endif
}

static int cmd_version(int argc, char **argv) {
  if (argc > 0) {
    tool_error("version: unexpected argument %s", argv[0]);
    usage_short("version");
    return 2;
  }
  printf("weft version %s linux/%s\n", WEFT_VERSION, goarch());
  return 0;
}

static void join(const struct argv *a, char *buf, size_t len) {
  buf[0] = 0;
  for (size_t i = 0; i < a->n; i++) {
    size_t u = strlen(buf);
    snprintf(buf + u, len - u, "%s%s", i ? " " : "", a->v[i]);
  }
}

static int cmd_env(int argc, char **argv) {
  struct layout l;
  bool found = layout_find(&l) == 0;
  struct argv cf = {0}, rf = {0}, libs = {0}, rlibs = {0};
  struct buildopts normal = {.optimize = true}, race = {.race = true};
  build_flags(&normal, &cf);
  build_flags(&race, &rf);
  if (found) {
    link_libs(&l, false, &libs);
    link_libs(&l, true, &rlibs);
  }
  char cfs[1024], rfs[1024], ls[8500], rls[8500];
  join(&cf, cfs, sizeof cfs);
  join(&rf, rfs, sizeof rfs);
  join(&libs, ls, sizeof ls);
  join(&rlibs, rls, sizeof rls);
  const char *cflags = getenv("WEFT_CFLAGS"), *ldflags = getenv("WEFT_LDFLAGS");
  struct {
    const char *name, *value;
  } vars[] = {
      {"CC", cc_command()},
      {"WEFT_CFLAGS", cflags ? cflags : ""},
      {"WEFT_LDFLAGS", ldflags ? ldflags : ""},
      {"WEFTROOT", found ? l.prefix : ""},
      {"WEFT_LAYOUT", found ? (l.build_tree ? "build-tree" : "installed") : "not-found"},
      {"WEFT_INCLUDE", found ? l.include_dir : ""},
      {"WEFT_LIBDIR", found ? l.lib_dir : ""},
      {"WEFT_BUILD_FLAGS", cfs},
      {"WEFT_RACE_FLAGS", rfs},
      {"WEFT_LIBS", ls},
      {"WEFT_RACE_LIBS", rls},
      {"WEFT_HAVE_LIBDW", WEFT_CONFIG_HAVE_LIBDW ? "1" : "0"},
      {"WEFT_VERSION", WEFT_VERSION},
  };
  size_t nv = sizeof vars / sizeof vars[0];
  if (argc == 0) {
    for (size_t i = 0; i < nv; i++)
      printf("%s='%s'\n", vars[i].name, vars[i].value);
  } else {
    for (int a = 0; a < argc; a++) {
      size_t i = 0;
      while (i < nv && strcmp(vars[i].name, argv[a]) != 0)
        i++;
      if (i < nv)
        printf("%s\n", vars[i].value);
      else
        printf("\n"); /* go env prints an empty line for unknown names */
    }
  }
  argv_free(&cf);
  argv_free(&rf);
  argv_free(&libs);
  argv_free(&rlibs);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    char *h[] = {"help"};
    help_main(1, h);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0 || strcmp(cmd, "build") == 0)
    return cmd_build(cmd, argc - 2, argv + 2);
  if (strcmp(cmd, "env") == 0)
    return cmd_env(argc - 2, argv + 2);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "-version") == 0 || strcmp(cmd, "--version") == 0)
    return cmd_version(argc - 2, argv + 2);
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "-help") == 0 ||
      strcmp(cmd, "--help") == 0)
    return help_main(argc - 1, argv + 1);
  fprintf(stderr, "weft %s: unknown command\nRun 'weft help' for usage.\n", cmd);
  return 2;
}
