/*
 * test_options.c - WEFT_DEBUG and WEFT_TRACEBACK: valid lists parse
 * (empty items allowed); an unknown key, a bad value or an item without
 * '=' is a start-up error that names it and lists the valid keys, exit
 * status 2, before main runs; WEFT_DEBUG=help lists the keys and exits 0;
 * and every key of the table is documented in docs/diagnostics.md with its
 * help text.
 */
#include <weft.h>

#include "debug/debug_private.h"
#include "debug_test.h"

/* ---- the parser ----------------------------------------------------------- */

static void test_parse_valid(void) {
  struct debug_options o = {0};
  char err[256] = "";
  CHECK(debug_options_parse("leakcheck=1,lockorder=1,,maxframes=7,", &o, err, sizeof err));
  CHECK_EQ(o.leakcheck, 1);
  CHECK_EQ(o.lockorder, 1);
  CHECK_EQ(o.maxframes, 7);
  CHECK(debug_options_parse("", &o, err, sizeof err));
  CHECK(debug_options_parse("leakcheck=0", &o, err, sizeof err));
  CHECK_EQ(o.leakcheck, 0);
}

static void expect_parse_error(const char *spec, const char *message) {
  struct debug_options o = {0};
  char err[256] = "";
  CHECK(!debug_options_parse(spec, &o, err, sizeof err));
  if (strcmp(err, message) != 0) {
    fprintf(stderr, "%s: got error \"%s\", want \"%s\"\n", spec, err, message);
    check_failures++;
  }
}

static void test_parse_errors(void) {
  expect_parse_error("leakchek=1", "unknown key \"leakchek\"");
  expect_parse_error("leakcheck=1,bogus=0", "unknown key \"bogus\"");
  expect_parse_error("leakcheck=2", "leakcheck=\"2\": want 0 or 1");
  expect_parse_error("leakcheck=yes", "leakcheck=\"yes\": want 0 or 1");
  expect_parse_error("leakcheck=", "leakcheck=\"\": want 0 or 1");
  expect_parse_error("maxframes=0", "maxframes=\"0\": want an integer from 1 to 100000");
  expect_parse_error("maxframes=1x", "maxframes=\"1x\": want an integer from 1 to 100000");
  expect_parse_error("leakcheck", "\"leakcheck\" is not key=value");
  expect_parse_error(" leakcheck=1", "unknown key \" leakcheck\"");
}

/* ---- start-up: the real thing, in a fresh process ----------------------- */

/* Runs this program again with the given environment; its main sees
 * --started and just says so. The options are read by a constructor, so
 * an error must stop the program before that line is printed. */
static char **exec_env;
static void exec_self(void *arg) {
  execle("/proc/self/exe", "test_options", "--started", (char *)NULL, exec_env);
  perror("execle");
  _exit(127);
}
static struct child_result run_with(const char *a, const char *b) {
  char *env[3] = {(char *)a, (char *)b, NULL};
  exec_env = env;
  return check_child(exec_self, NULL);
}

static void test_startup_unknown_key(void) {
  struct child_result r = run_with("WEFT_DEBUG=leakcheck=1,leakchek=1", NULL);
  CHECK_EQ(r.status, 2);
  struct expect e = {0};
  expect_add(&e, "weft: bad WEFT_DEBUG=\"leakcheck=1,leakchek=1\": unknown key \"leakchek\"");
  expect_add(&e, "WEFT_DEBUG=key=value,... (comma-separated; unknown keys are an error):");
  expect_add(&e, "  leakcheck=0|1        (default 0) {any}");
  expect_add(&e, "  lockorder=0|1        (default {num}) {any}");
  CHECK_BLOCK(r.output, &e);
  CHECK(strstr(r.output, "main started") == NULL);
  free(r.output);
}

static void test_startup_bad_value(void) {
  struct child_result r = run_with("WEFT_DEBUG=lockorder=on", NULL);
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output, "weft: bad WEFT_DEBUG=\"lockorder=on\": lockorder=\"on\": want 0 or 1\n");
  CHECK(strstr(r.output, "main started") == NULL);
  free(r.output);
}

static void test_startup_bad_traceback(void) {
  struct child_result r = run_with("WEFT_TRACEBACK=everything", NULL);
  CHECK_EQ(r.status, 2);
  CHECK_CONTAINS(r.output,
                 "weft: bad WEFT_TRACEBACK=\"everything\": want none, single, all or system\n");
  CHECK(strstr(r.output, "main started") == NULL);
  free(r.output);
}

static void test_startup_valid(void) {
  struct child_result r = run_with("WEFT_DEBUG=leakcheck=1,sigquit=0", "WEFT_TRACEBACK=all");
  CHECK_EQ(r.status, 0);
  CHECK_CONTAINS(r.output, "main started leakcheck=1 sigquit=0 traceback=2\n");
  free(r.output);
}

static void test_help(void) {
  struct child_result r = run_with("WEFT_DEBUG=help", NULL);
  CHECK_EQ(r.status, 0);
  CHECK_CONTAINS(r.output, "  leakcheck=0|1 ");
  CHECK_CONTAINS(r.output, "  maxframes=1..100000 ");
  CHECK_CONTAINS(r.output, "WEFT_TRACEBACK=level");
  CHECK(strstr(r.output, "main started") == NULL);
  free(r.output);
}

/* ---- the docs cover the table -------------------------------------------- */

static char *read_docs(void) {
  /* This file is tests/debug/test_options.c; the page is docs/diagnostics.md. */
  char path[4096];
  snprintf(path, sizeof path, "%s", __FILE__);
  char *tests = strstr(path, "tests/debug/test_options.c");
  if (!tests) return NULL;
  strcpy(tests, "docs/diagnostics.md");
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}

static void test_docs_list_every_option(void) {
  const char *docs = read_docs();
  CHECK(docs != NULL);
  if (!docs) return;
  char want[512];
#define DEBUG_X(name, type, def, min, max, help) \
  snprintf(want, sizeof want, "`%s`", #name);    \
  CHECK_CONTAINS(docs, want);                    \
  CHECK_CONTAINS(docs, help);
  WEFT_DEBUG_OPTIONS(DEBUG_X)
#undef DEBUG_X
#define DEBUG_X(name, text, help)             \
  snprintf(want, sizeof want, "`%s`", text); \
  CHECK_CONTAINS(docs, want);                \
  CHECK_CONTAINS(docs, help);
  WEFT_TRACEBACK_LEVELS(DEBUG_X)
#undef DEBUG_X
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--started") == 0) {
    printf("main started leakcheck=%d sigquit=%d traceback=%d\n", debug_option_leakcheck(),
           debug_option_sigquit(), (int)debug_traceback_level);
    return 0;
  }
  RUN(test_parse_valid);
  RUN(test_parse_errors);
  RUN(test_startup_unknown_key);
  RUN(test_startup_bad_value);
  RUN(test_startup_bad_traceback);
  RUN(test_startup_valid);
  RUN(test_help);
  RUN(test_docs_list_every_option);
  return check_done();
}
