/*
 * layout.c - where the weft headers and libraries are.
 *
 * The driver is used two ways: straight from the CMake build folder
 * (./build/weft run x.c, no install) and installed under a prefix
 * (PREFIX/bin/weft). It tells them apart by its own location, read from
 * /proc/self/exe:
 *
 *   - if the folder holding the executable is the build folder it was
 *     configured for (WEFT_BUILD_DIR, baked in by CMake; compared after
 *     realpath so symlinks and relative spellings agree), the headers are
 *     the source tree's include/ and the libraries sit in the build folder;
 *   - otherwise the executable is PREFIX/<bindir>/weft, and the headers and
 *     libraries are PREFIX/<includedir> and PREFIX/<libdir>, with the
 *     relative install directories baked in at configure time. So an
 *     installed tree can be moved or copied as a whole (DESTDIR staging,
 *     relocated prefixes), which a baked absolute prefix would break.
 *
 * WEFTROOT, if set, names an install prefix and wins over both (for a
 * driver copied out of its tree). Whatever was chosen, weft.h must exist
 * there, or the driver says where it looked instead of failing later with
 * a compiler error about a missing header.
 *
 * Rejected: searching a list of usual places (/usr/local, /usr): a driver
 * would silently pick up another version's headers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft.h"
#include "weft_config.h"

static int set_path(char *dst, const char *a, const char *b) {
  int n = b ? snprintf(dst, 4096, "%s/%s", a, b) : snprintf(dst, 4096, "%s", a);
  return n < 0 || n >= 4096 ? -1 : 0;
}

static int installed(struct layout *l, const char *prefix) {
  l->build_tree = false;
  if (set_path(l->prefix, prefix, NULL) || set_path(l->include_dir, prefix, WEFT_INSTALL_INCLUDEDIR) ||
      set_path(l->lib_dir, prefix, WEFT_INSTALL_LIBDIR)) {
    tool_error("install prefix path too long: %s", prefix);
    return -1;
  }
  return 0;
}

int layout_find(struct layout *l) {
  const char *root = getenv("WEFTROOT");
  if (root && *root) {
    if (installed(l, root))
      return -1;
  } else {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
      tool_error("cannot find my own executable (/proc/self/exe: %s); set WEFTROOT to the install prefix",
                 strerror(errno));
      return -1;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
      *slash = 0; /* exe is now the folder holding the driver */
    char build[PATH_MAX];
    if (realpath(WEFT_BUILD_DIR, build) && strcmp(build, exe) == 0) {
      l->build_tree = true;
      if (set_path(l->prefix, build, NULL) || set_path(l->include_dir, WEFT_SOURCE_INCLUDE, NULL) ||
          set_path(l->lib_dir, build, NULL))
        return -1;
    } else {
      /* PREFIX/<bindir>: strip the bindir's components from the end. */
      const char *bindir = WEFT_INSTALL_BINDIR;
      size_t bl = strlen(bindir), el = strlen(exe);
      if (bindir[0] != '/' && el > bl && exe[el - bl - 1] == '/' && strcmp(exe + el - bl, bindir) == 0)
        exe[el - bl - 1] = 0;
      else if ((slash = strrchr(exe, '/')) != NULL)
        *slash = 0; /* unusual bindir: assume PREFIX/x/weft */
      if (installed(l, exe[0] ? exe : "/"))
        return -1;
    }
  }
  char header[4200];
  snprintf(header, sizeof header, "%s/weft.h", l->include_dir);
  if (access(header, R_OK) != 0) {
    tool_error("cannot find weft.h: %s: %s\n"
               "  (the driver looks next to itself: PREFIX/%s/weft uses PREFIX/%s; set WEFTROOT=PREFIX to override)",
               header, strerror(errno), WEFT_INSTALL_BINDIR, WEFT_INSTALL_INCLUDEDIR);
    return -1;
  }
  return 0;
}
