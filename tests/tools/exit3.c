/* tests/tools: the program's status must pass through `weft run`. */
#include <weft.h>
static int app_main(int argc, char **argv) { return 3; }
int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
