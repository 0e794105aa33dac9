/* Sends and receives made by select carry the same edges as plain ones. */
#include "chan_race_test.h"

static int data[4];
static weft_chan *c[4];

static void writer(void *arg) {
  int k = (int)(long)arg;
  data[k] = k + 1;
  weft_case cases[] = {WEFT_SEND(c[k], &k), WEFT_RECV(NULL, NULL)};
  weft_select(cases, 2);
}

static int app(int argc, char **argv) {
  for (int k = 0; k < 4; k++) {
    c[k] = weft_chan_make(sizeof(int), (size_t)(k % 2));
    weft_go(writer, (void *)(long)k);
  }
  weft_case cases[4];
  int v = -1;
  for (int k = 0; k < 4; k++) cases[k] = WEFT_RECV(c[k], &v);
  for (int i = 0; i < 4; i++) {
    int k = weft_select(cases, 4);
    if (v != k || data[k] != k + 1) abort();
    cases[k].chan = NULL;
  }
  return 0;
}
RACE_MAIN(app)
