/* Each value's sender wrote its slot of data before sending; the receiver
 * reads it after receiving (buffered, capacity 3). */
#include "chan_race_test.h"

static int data[8];
static weft_chan *c;

static void writer(void *arg) {
  for (int i = 0; i < 8; i++) {
    data[i] = i;
    weft_chan_send(c, &i);
  }
}

static int app(int argc, char **argv) {
  c = weft_chan_make(sizeof(int), 3);
  weft_go(writer, NULL);
  for (int i = 0; i < 8; i++) {
    int v;
    weft_chan_recv(c, &v);
    if (data[v] != v) abort();
  }
  return 0;
}
RACE_MAIN(app)
