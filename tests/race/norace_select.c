/* Values handed over through select. */
#include "race_test.h"

int a_data, b_data;
static weft_chan *a, *b;

static void worker(void *arg) {
  a_data = 1;
  int v = 1;
  weft_chan_send(a, &v);
  b_data = 2;
  weft_chan_send(b, &v);
}

static int app_main(int argc, char **argv) {
  a = weft_chan_make(sizeof(int), 0);
  b = weft_chan_make(sizeof(int), 0);
  weft_go(worker, NULL);
  int got = 0, va, vb;
  while (got < 2) {
    weft_case cases[] = {WEFT_RECV(a, &va), WEFT_RECV(b, &vb)};
    int i = weft_select(cases, 2);
    if (i == 0) USE(a_data);
    else USE(b_data);
    got++;
  }
  weft_chan_free(a);
  weft_chan_free(b);
  return 0;
}

RACE_MAIN(app_main)
