/*
 * help.c - the texts of `weft help` and `weft help <command>`.
 *
 * Kept beside each other here (not scattered over the commands) so that the
 * whole user-facing text can be read, and compared with docs/cli.md, at once.
 * The layout follows `go help`: a summary, then one page per command.
 */
#include <stdio.h>
#include <string.h>

#include "weft.h"

static const char summary[] =
    "weft is a tool for building and running C programs that use the weft library.\n"
    "\n"
    "Usage:\n"
    "\n"
    "\tweft <command> [arguments]\n"
    "\n"
    "The commands are:\n"
    "\n"
    "\tbuild       compile C files and libweft into a program\n"
    "\trun         compile and run a C program\n"
    "\tenv         print weft's compiler, flags and paths\n"
    "\tversion     print weft version\n"
    "\thelp        show help for a command\n"
    "\n"
    "Use \"weft help <command>\" for more information about a command.\n";

static const char run_text[] =
    "usage: weft run [-race] [-O] [-x] file.c... [-- arguments...]\n"
    "\n"
    "Run compiles the named C files, links them with libweft, runs the program\n"
    "and removes it again. Arguments after --, or from the first argument that\n"
    "is not a flag or a .c/.o/.a/.so file, are passed to the program.\n"
    "\n"
    "The program's exit status becomes weft's; a non-zero one is reported as\n"
    "\"exit status N\" on stderr (2 after a panic or fatal error, 66 after a\n"
    "data race report). A program killed by a signal is reported as\n"
    "\"signal: <name>\" and weft exits 128+signal.\n"
    "\n"
    "Flags (before or after the files; -flag and --flag are the same):\n"
    "\t-race   enable the data race detector (see below)\n"
    "\t-O      optimize: -g -O2 instead of the default -g -O0\n"
    "\t-x      print the commands weft runs\n"
    "\n"
    "See \"weft help build\" for the compiler, flags and environment.\n";

static const char build_text[] =
    "usage: weft build [-race] [-x] [-o output] file.c...\n"
    "\n"
    "Build compiles the named C files and links them with libweft into a\n"
    "program named after the first file (x.c -> x), or output given by -o\n"
    "(-o out and -o=out both work). Files ending in .o, .a or .so are linked\n"
    "as given.\n"
    "\n"
    "The compiler is $CC, or cc. Each .c file is compiled with\n"
    "\t-g -O2 -I<weft include dir> $WEFT_CFLAGS\n"
    "and the objects are linked with\n"
    "\tlibweft.a -pthread -ldl [-ldw] $WEFT_LDFLAGS\n"
    "(-ldw when weft was built with elfutils' libdw, for file:line in stacks).\n"
    "\n"
    "With -race, each .c file is compiled with\n"
    "\t-fsanitize=thread -g -O1 -fno-builtin [-mcx16 for clang on x86-64]\n"
    "and linked with libweft-race.a instead of libweft.a, WITHOUT\n"
    "-fsanitize=thread: libweft-race is the race detector's runtime, aware of\n"
    "goroutines and channels. -fno-builtin keeps gcc from expanding\n"
    "memcpy/memset/memmove inline, where the copies would go unchecked. A\n"
    "race report makes the program exit with status 66 (WEFT_RACE options\n"
    "are described in docs/race.md). The compiler is first probed with an\n"
    "empty -fsanitize=thread program; one that fails is reported clearly.\n"
    "\n"
    "Compile errors are the compiler's own messages; weft then exits 2, as it\n"
    "does for every failure of its own (usage, missing file, no compiler).\n"
    "\n"
    "Flags:\n"
    "\t-o file  write the program to file\n"
    "\t-race    enable the data race detector\n"
    "\t-x       print the commands weft runs\n"
    "\t-O       accepted; build always optimizes\n";

static const char env_text[] =
    "usage: weft env [NAME...]\n"
    "\n"
    "Env prints the compiler, flags and paths weft uses, one NAME='value' per\n"
    "line. With names, it prints only their values, one per line (an unknown\n"
    "name prints an empty line).\n"
    "\n"
    "\tCC                the C compiler ($CC, or cc)\n"
    "\tWEFT_CFLAGS       extra compile flags (from the environment)\n"
    "\tWEFT_LDFLAGS      extra link flags (from the environment)\n"
    "\tWEFTROOT          the install prefix (or the build folder)\n"
    "\tWEFT_LAYOUT       installed or build-tree\n"
    "\tWEFT_INCLUDE      the folder holding weft.h\n"
    "\tWEFT_LIBDIR       the folder holding libweft.a and libweft-race.a\n"
    "\tWEFT_BUILD_FLAGS  compile flags of weft build\n"
    "\tWEFT_RACE_FLAGS   compile flags of -race builds (without -mcx16)\n"
    "\tWEFT_LIBS         what a program links\n"
    "\tWEFT_RACE_LIBS    what a -race program links\n"
    "\tWEFT_HAVE_LIBDW   1 if the libraries use libdw\n"
    "\tWEFT_VERSION      the weft version\n"
    "\n"
    "weft finds its headers and libraries next to itself: PREFIX/bin/weft\n"
    "uses PREFIX/include and PREFIX/lib; the weft in a build folder uses the\n"
    "source tree and that build folder. Setting WEFTROOT=PREFIX overrides.\n";

static const char version_text[] =
    "usage: weft version\n"
    "\n"
    "Version prints the weft version and the platform, as go version does.\n";

static const char help_text[] =
    "usage: weft help [command]\n"
    "\n"
    "Help prints the summary of weft's commands, or the help of one command.\n";

static const struct {
  const char *name, *text;
} pages[] = {
    {"run", run_text}, {"build", build_text}, {"env", env_text}, {"version", version_text}, {"help", help_text},
};

int help_main(int argc, char **argv) {
  if (argc < 2) {
    fputs(summary, stdout);
    return 0;
  }
  if (argc > 2) {
    fputs("usage: weft help command\n\nToo many arguments given.\n", stderr);
    return 2;
  }
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
    if (strcmp(pages[i].name, argv[1]) == 0) {
      fputs(pages[i].text, stdout);
      return 0;
    }
  fprintf(stderr, "weft help %s: unknown help topic. Run 'weft help'.\n", argv[1]);
  return 2;
}

void usage_short(const char *cmd) {
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
    if (strcmp(pages[i].name, cmd) == 0) {
      const char *nl = strchr(pages[i].text, '\n');
      fprintf(stderr, "%.*s\n", (int)(nl - pages[i].text), pages[i].text);
    }
  fprintf(stderr, "Run 'weft help %s' for details.\n", cmd);
}
