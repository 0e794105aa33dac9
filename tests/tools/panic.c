/* tests/tools: a panic (close of nil channel) exits 2 through `weft run`. */
#include <weft.h>
static int app_main(int argc, char **argv) {
  weft_chan_close(NULL);
  return 0;
}
int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
