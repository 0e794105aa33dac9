/* Compiled with -fsanitize=thread and linked with the plain libweft by
 * link_mixing.cmake: the link must fail, naming the mistake. */
#include <weft.h>

int shared;

static int app_main(int argc, char **argv) {
  shared++;
  return 0;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
