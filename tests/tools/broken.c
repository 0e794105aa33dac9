/* tests/tools: does not compile; the compiler's message must be shown. */
int main(void) { return undeclared_variable_xyz; }
