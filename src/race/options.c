/*
 * options.c - WEFT_RACE, the twin of Go's GORACE.
 *
 * WEFT_RACE is a list of name=value pairs separated by spaces (GORACE's
 * syntax; commas are accepted too):
 *
 *   WEFT_RACE="log_path=/tmp/race/report strip_path_prefix=/src/ exitcode=3"
 *
 * Every option is a row of WEFT_RACE_OPTIONS (race_private.h): the table
 * drives parsing, range checks, WEFT_RACE=help and the documentation
 * (docs/race.md; a test checks that each row is documented there).
 * An unknown name or a bad value stops the program at start-up with a
 * message naming it and the list of options, exit status 2: a misspelt
 * option must not silently leave the detector misconfigured.
 *
 * Parsed once, from race_init (a constructor, before main); read-only
 * afterwards.
 */
#if WEFT_RACE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "race/race_private.h"

struct race_options race_options;

/* The default is kept as written in the table (#def): "\"stderr\"" or
 * "66", and parsed like a value from the environment. */
struct option_row {
  const char *name;
  enum race_opt_type type;
  const char *def;
  long min, max;
  const char *help;
  size_t offset;
};

static const struct option_row rows[] = {
#define RACE_X(name, type, def, min, max, help) \
  {#name, type, #def, min, max, help, offsetof(struct race_options, name)},
    WEFT_RACE_OPTIONS(RACE_X)
#undef RACE_X
};
#define NROWS (sizeof rows / sizeof rows[0])

static bool set_value(const struct option_row *row, const char *value, size_t len,
                      struct race_options *out, char *err, size_t errlen);

void race_options_defaults(struct race_options *out) {
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < NROWS; i++) {
    const char *d = rows[i].def;
    size_t len = strlen(d);
    if (len >= 2 && d[0] == '"') {
      d++;
      len -= 2;
    }
    char err[8];
    set_value(&rows[i], d, len, out, err, sizeof err);
  }
}

void race_options_help(FILE *out) {
  fprintf(out, "WEFT_RACE options (space-separated name=value pairs):\n");
  for (size_t i = 0; i < NROWS; i++)
    fprintf(out, "  %-18s (default %s) %s\n", rows[i].name, rows[i].def, rows[i].help);
}

static bool set_value(const struct option_row *row, const char *value, size_t len,
                      struct race_options *out, char *err, size_t errlen) {
  char *field = (char *)out + row->offset;
  if (row->type == RACE_OPT_STR) {
    if (len >= 512) {
      snprintf(err, errlen, "value of %s is too long", row->name);
      return false;
    }
    memcpy(field, value, len);
    field[len] = 0;
    return true;
  }
  char buf[32];
  if (len == 0 || len >= sizeof buf) goto bad;
  memcpy(buf, value, len);
  buf[len] = 0;
  char *end;
  errno = 0;
  long v = strtol(buf, &end, 10);
  if (errno || *end || v < row->min || v > row->max) goto bad;
  *(int *)field = (int)v;
  return true;
bad:
  if (row->type == RACE_OPT_BOOL)
    snprintf(err, errlen, "bad value '%.*s' for %s (want 0 or 1)", (int)len, value, row->name);
  else
    snprintf(err, errlen, "bad value '%.*s' for %s (want an integer in [%ld, %ld])", (int)len, value,
             row->name, row->min, row->max);
  return false;
}

bool race_options_parse(const char *spec, struct race_options *out, char *err, size_t errlen) {
  race_options_defaults(out);
  const char *p = spec ? spec : "";
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n') p++;
    if (!*p) break;
    const char *start = p;
    while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '\n') p++;
    size_t len = (size_t)(p - start);
    const char *eq = memchr(start, '=', len);
    if (!eq) {
      snprintf(err, errlen, "'%.*s' is not name=value", (int)len, start);
      return false;
    }
    size_t nlen = (size_t)(eq - start);
    const struct option_row *row = NULL;
    for (size_t i = 0; i < NROWS; i++)
      if (strlen(rows[i].name) == nlen && strncmp(rows[i].name, start, nlen) == 0) row = &rows[i];
    if (!row) {
      snprintf(err, errlen, "unknown option '%.*s'", (int)nlen, start);
      return false;
    }
    if (!set_value(row, eq + 1, len - nlen - 1, out, err, errlen)) return false;
  }
  return true;
}

void race_options_init(void) {
  const char *spec = getenv("WEFT_RACE");
  if (spec && strcmp(spec, "help") == 0) {
    race_options_help(stdout);
    fflush(stdout);
    _exit(0);
  }
  char err[256];
  if (!race_options_parse(spec, &race_options, err, sizeof err)) {
    fprintf(stderr, "weft: WEFT_RACE: %s\n", err);
    race_options_help(stderr);
    fflush(stderr);
    _exit(2);
  }
}

#endif
