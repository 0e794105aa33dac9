/* tests/tools: a goroutine sends a greeting over a channel; main prints it
 * and its arguments. Built by driver.sh and install.sh every way weft can
 * be built (driver, pkg-config, find_package). Uses greet() from greet.c
 * when GREET_EXTERN is defined (the two-file build). */
#include <stdio.h>
#include <string.h>
#include <weft.h>

#ifdef GREET_EXTERN
const char *greet(void);
#else
static const char *greet(void) { return "hello from a goroutine"; }
#endif

static void sender(void *arg) {
  const char *msg = greet();
  weft_chan_send(arg, &msg);
}

static int app_main(int argc, char **argv) {
  weft_chan *c = weft_chan_make(sizeof(const char *), 0);
  weft_go(sender, c);
  const char *msg = NULL;
  weft_chan_recv(c, &msg);
  printf("%s\n", msg);
  for (int i = 1; i < argc; i++)
    printf("arg %d: %s\n", i, argv[i]);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
