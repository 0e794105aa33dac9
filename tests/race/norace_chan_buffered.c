/* A buffered send happens before the receive that gets its value. */
#include "race_test.h"

struct msg { int *payload; };

static weft_chan *c;

static void producer(void *arg) {
  for (int i = 0; i < 50; i++) {
    struct msg m = {malloc(sizeof(int))};
    *m.payload = i;
    weft_chan_send(c, &m);
  }
  weft_chan_close(c);
}

static int app_main(int argc, char **argv) {
  c = weft_chan_make(sizeof(struct msg), 8);
  weft_go(producer, NULL);
  struct msg m;
  int expect = 0;
  while (weft_chan_recv(c, &m)) {
    if (*m.payload != expect++) return 1;
    free(m.payload);
  }
  weft_chan_free(c);
  return expect == 50 ? 0 : 1;
}

RACE_MAIN(app_main)
