/* tests/tools: the second file of the two-file build (see hello.c). */
const char *greet(void);
const char *greet(void) { return "hello from another file"; }
