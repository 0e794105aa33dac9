/*
 * options.c - WEFT_DEBUG and WEFT_TRACEBACK, parsed once at start-up.
 *
 * WEFT_DEBUG is GODEBUG's twin: a comma-separated list of key=value
 * ("leakcheck=1,lockorder=0"). Every key is one row of WEFT_DEBUG_OPTIONS
 * (debug_private.h), the single declaration that parsing, validation, the
 * help text and the docs all come from (compiler-rt's tsan_flags.inc
 * habit): a key cannot exist in the parser but not in the help, or the
 * other way round.
 *
 * WEFT_TRACEBACK is GOTRACEBACK's twin (none | single | all | system),
 * validated the same way.
 *
 * Unlike Go, which ignores GODEBUG keys it does not know, a wrong key or
 * value here is a start-up error: the message names the offending item and
 * lists the valid keys, and the program exits with status 2 before main
 * runs (a misspelt "leakchek=1" silently checking nothing is exactly the
 * failure a diagnostics option must not have). Empty items (",,", a
 * trailing comma) are allowed. WEFT_DEBUG=help prints the keys and exits 0.
 *
 * The values live in one global struct written only here, while the
 * process is single-threaded (a constructor), and read-only afterwards.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "debug/debug_private.h"

struct debug_options debug_options = {
#define DEBUG_X(name, type, def, min, max, help) .name = (def),
    WEFT_DEBUG_OPTIONS(DEBUG_X)
#undef DEBUG_X
};

enum debug_traceback debug_traceback_level = TRACEBACK_SINGLE;

struct option_desc {
  const char *name;
  enum debug_option_type type;
  int def, min, max;
  const char *help;
  size_t offset;
};

static const struct option_desc option_table[] = {
#define DEBUG_X(name, type, def, min, max, help) \
  {#name, type, (def), (min), (max), help, offsetof(struct debug_options, name)},
    WEFT_DEBUG_OPTIONS(DEBUG_X)
#undef DEBUG_X
};
#define OPTION_COUNT (sizeof option_table / sizeof option_table[0])

static const struct {
  const char *name, *help;
} traceback_table[] = {
#define DEBUG_X(name, text, help) {text, help},
    WEFT_TRACEBACK_LEVELS(DEBUG_X)
#undef DEBUG_X
};
#define TRACEBACK_COUNT (sizeof traceback_table / sizeof traceback_table[0])

static void value_syntax(const struct option_desc *o, char *buf, size_t len) {
  if (o->type == OPT_BOOL) snprintf(buf, len, "%s=0|1", o->name);
  else snprintf(buf, len, "%s=%d..%d", o->name, o->min, o->max);
}

void debug_options_help(FILE *out) {
  fprintf(out, "WEFT_DEBUG=key=value,... (comma-separated; unknown keys are an error):\n");
  for (size_t i = 0; i < OPTION_COUNT; i++) {
    char syntax[64];
    value_syntax(&option_table[i], syntax, sizeof syntax);
    fprintf(out, "  %-20s (default %d) %s\n", syntax, option_table[i].def, option_table[i].help);
  }
  fprintf(out, "WEFT_TRACEBACK=level (what a panic or fatal error prints):\n");
  for (size_t i = 0; i < TRACEBACK_COUNT; i++)
    fprintf(out, "  %-20s %s\n", traceback_table[i].name, traceback_table[i].help);
}

/* Parses one decimal integer that must fill [s, end). */
static bool parse_int(const char *s, const char *end, long *out) {
  if (s == end) return false;
  char buf[32];
  size_t len = (size_t)(end - s);
  if (len >= sizeof buf) return false;
  memcpy(buf, s, len);
  buf[len] = 0;
  char *stop;
  errno = 0;
  long v = strtol(buf, &stop, 10);
  if (errno || *stop || stop == buf) return false;
  *out = v;
  return true;
}

bool debug_options_parse(const char *spec, struct debug_options *out, char *err, size_t errlen) {
  const char *p = spec;
  while (*p) {
    const char *item = p;
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    p = *end ? end + 1 : end;
    if (item == end) continue; /* empty item */
    const char *eq = memchr(item, '=', (size_t)(end - item));
    int keylen = (int)((eq ? eq : end) - item);
    if (!eq) {
      snprintf(err, errlen, "\"%.*s\" is not key=value", keylen, item);
      return false;
    }
    const struct option_desc *o = NULL;
    for (size_t i = 0; i < OPTION_COUNT; i++) {
      if (strlen(option_table[i].name) == (size_t)keylen &&
          memcmp(option_table[i].name, item, (size_t)keylen) == 0) {
        o = &option_table[i];
        break;
      }
    }
    if (!o) {
      snprintf(err, errlen, "unknown key \"%.*s\"", keylen, item);
      return false;
    }
    long v;
    const char *value = eq + 1;
    int valuelen = (int)(end - value);
    if (!parse_int(value, end, &v) || v < o->min || v > o->max) {
      if (o->type == OPT_BOOL)
        snprintf(err, errlen, "%s=\"%.*s\": want 0 or 1", o->name, valuelen, value);
      else
        snprintf(err, errlen, "%s=\"%.*s\": want an integer from %d to %d", o->name, valuelen,
                 value, o->min, o->max);
      return false;
    }
    *(int *)((char *)out + o->offset) = (int)v;
  }
  return true;
}

_Noreturn static void options_error(const char *var, const char *value, const char *why) {
  fflush(stdout);
  fprintf(stderr, "weft: bad %s=\"%s\": %s\n", var, value, why);
  debug_options_help(stderr);
  exit(2);
}

void debug_options_init(void) {
  struct debug_options parsed = {
#define DEBUG_X(name, type, def, min, max, help) .name = (def),
      WEFT_DEBUG_OPTIONS(DEBUG_X)
#undef DEBUG_X
  };
  const char *spec = getenv("WEFT_DEBUG");
  if (spec && strcmp(spec, "help") == 0) {
    debug_options_help(stdout);
    exit(0);
  }
  if (spec) {
    char err[256];
    if (!debug_options_parse(spec, &parsed, err, sizeof err)) options_error("WEFT_DEBUG", spec, err);
  }
  debug_options = parsed;

  const char *tb = getenv("WEFT_TRACEBACK");
  enum debug_traceback level = TRACEBACK_SINGLE;
  if (tb && *tb) {
    size_t i;
    for (i = 0; i < TRACEBACK_COUNT; i++)
      if (strcmp(tb, traceback_table[i].name) == 0) break;
    if (i == TRACEBACK_COUNT)
      options_error("WEFT_TRACEBACK", tb, "want none, single, all or system");
    level = (enum debug_traceback)i;
  }
  debug_traceback_level = level;
}
