/* Ownership handed over with atomic_exchange (acq_rel). */
#include "race_test.h"

static int *_Atomic slot;

static void producer(void *arg) {
  int *p = malloc(sizeof *p);
  *p = 5;
  int *old = atomic_exchange(&slot, p);
  if (old) abort();
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  int *p;
  while (!(p = atomic_exchange(&slot, NULL))) weft_yield();
  int v = *p;
  free(p);
  return v == 5 ? 0 : 1;
}

RACE_MAIN(app_main)
