/*
 * wait.c - printable names of wait reasons (the table is in runtime.h).
 */
#include "runtime/runtime.h"

static const char *const names[] = {
#define WEFT_X(name, text, durable) text,
    WEFT_WAIT_REASONS(WEFT_X)
#undef WEFT_X
};

static const bool durable[] = {
#define WEFT_X(name, text, dur) dur,
    WEFT_WAIT_REASONS(WEFT_X)
#undef WEFT_X
};

_Static_assert(sizeof names / sizeof names[0] == WAIT_REASON_COUNT, "wait reason table");

const char *wait_reason_name(wait_reason r) {
  return (unsigned)r < WAIT_REASON_COUNT ? names[r] : "unknown";
}

bool wait_reason_durable(wait_reason r) {
  return (unsigned)r < WAIT_REASON_COUNT && durable[r];
}
