/*
 * symbolize.c - program counters to function names and file:line.
 *
 * Stacks are captured as bare program counters (cheap, at fault); this
 * file turns them into source frames only when a report is printed, so
 * nothing here is on a hot path.
 *
 * With elfutils' libdw (WEFT_HAVE_LIBDW=1) one Dwfl session describes the
 * running process: the modules come from /proc/self/maps
 * (dwfl_linux_proc_report), so the executable, PIE or not, and every
 * shared library are covered at their real load addresses; a pc that falls
 * outside every known module (a library dlopen'ed since) re-reads the map
 * once. For each pc:
 *   - the function's symbol gives the "+0x39" offset (pc - entry, Go's);
 *   - the line table gives file:line of the innermost frame;
 *   - the DWARF scopes at pc (dwarf_getscopes) expand inlined calls into
 *     frames of their own, as Go prints them: the innermost inlined
 *     function with the line-table location, each enclosing function with
 *     the call site (DW_AT_call_file/line) of the one it inlined. Function
 *     names come from DWARF (so "f.constprop.0" prints as "f"), falling
 *     back to the symbol table.
 * A return address is looked up at pc - 1, inside the call instruction:
 * the return address itself may already belong to the next line, or, after
 * a call that does not return, to the next function.
 *
 * Debug info is read from the module itself or from /usr/lib/debug by
 * build-id; never through debuginfod: a crash report must not wait on the
 * network (dwfl_standard_find_debuginfo would ask it when
 * DEBUGINFOD_URLS is set, as Debian sets it by default).
 *
 * Without libdw (or with WEFT_DEBUG=symbolize=0) the function comes from
 * the module's ELF symbol table (symtab.c) and the report prints
 * "module+0xoffset" where file:line would be: addr2line takes exactly
 * that. When the lock could not be taken (a fault inside the reporter),
 * dladdr alone, which touches nothing of ours.
 *
 * Which frames are weft's own ("internal", hidden like Go hides runtime
 * frames): with debug info, a frame whose compilation unit lies under the
 * parent of this file's own directory (weft's src/), or whose code comes
 * from weft's public headers (an inlined fast path such as
 * weft_mutex_lock, compiled into the program's own unit); otherwise symtab.c's
 * rule (weft's module if it is a shared library, else the address range
 * of weft's code in the executable, else the names rt_*, weft_*, debug_*).
 *
 * Results are cached per (pc, return-address) in an open-addressing hash
 * table, forever: reports print the same few hundred pcs over and over
 * (every parked goroutine sits in the same rt_park), and the strings point
 * into libdw's mapped debug info, which is never released. Everything is
 * under debug_lock, which never blocks for ever (see debug_private.h).
 */
#include <dlfcn.h>
#include <link.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "debug/debug_private.h"

#ifndef WEFT_HAVE_LIBDW
#define WEFT_HAVE_LIBDW 0
#endif

#if WEFT_HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#endif

/* ---- the lock -------------------------------------------------------------- */

/* Holder's thread id, 0 when free. Owned by whoever CASed it from 0. */
static _Atomic long lock_owner;

static long thread_id(void) { return (long)syscall(SYS_gettid); }

bool debug_lock(void) {
  long self = thread_id();
  if (atomic_load(&lock_owner) == self) return false;
  for (int i = 0; i < 1000; i++) {
    long expected = 0;
    if (atomic_compare_exchange_strong(&lock_owner, &expected, self)) return true;
    struct timespec ts = {0, 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return false;
}

void debug_unlock(void) { atomic_store(&lock_owner, 0); }

/* ---- which code is weft's ------------------------------------------------- */

static bool name_is_internal(const char *name) {
  return name && (strncmp(name, "rt_", 3) == 0 || strncmp(name, "weft_", 5) == 0 ||
                  strncmp(name, "debug_", 6) == 0);
}

/* "foo.constprop.0", "foo.part.1", "foo.cold" -> "foo" (a new string, or
 * the same pointer if there is nothing to strip or no memory). */
static const char *strip_clone_suffix(const char *name) {
  const char *dot = name ? strchr(name, '.') : NULL;
  if (!dot || dot == name) return name;
  char *s = strndup(name, (size_t)(dot - name));
  return s ? s : name;
}

/* The program's own path (dladdr says argv[0] for it). Under the lock. */
static const char *executable_path(void) {
  static char path[4096];
  if (!path[0]) {
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) strcpy(path, "/proc/self/exe");
    else path[n] = 0;
  }
  return path;
}

/* ---- without debug info ----------------------------------------------------- */

/* Module from dladdr, function from the ELF symbol table (symtab.c; only
 * under the lock) or else from dladdr's dynamic symbols. */
static int symbolize_symtab(uintptr_t pc, bool return_address, bool locked,
                            struct debug_frame *out) {
  uintptr_t lookup = return_address ? pc - 1 : pc;
  memset(out, 0, sizeof *out);
  Dl_info info;
  struct link_map *lm = NULL;
  if (!dladdr1((void *)lookup, &info, (void **)&lm, RTLD_DL_LINKMAP)) return 1;
  out->module = info.dli_fname;
  if (locked && lm && (!lm->l_name || !lm->l_name[0])) out->module = executable_path();
  out->module_offset = pc - (lm ? lm->l_addr : 0);
  const char *name = info.dli_sname;
  uintptr_t start = (uintptr_t)info.dli_saddr;
  if (locked) {
    uintptr_t symtab_start;
    const char *symtab_name = debug_symtab_lookup(lookup, &symtab_start);
    if (symtab_name) {
      name = symtab_name;
      start = symtab_start;
    }
  }
  if (name && start) {
    out->func = locked ? strip_clone_suffix(name) : name;
    out->has_offset = true;
    out->offset = pc - start;
  }
  out->internal = locked ? debug_symtab_internal(lookup) : name_is_internal(name);
  return 1;
}

/* ---- libdw --------------------------------------------------------------- */

#if WEFT_HAVE_LIBDW

/* Local debug info only: the module itself (tried by libdw first) or
 * /usr/lib/debug/.build-id; no debuginfod (see top of file). */
static int find_debuginfo_local(Dwfl_Module *mod, void **userdata, const char *modname,
                                GElf_Addr base, const char *file_name, const char *debuglink_file,
                                GElf_Word debuglink_crc, char **debuginfo_file_name) {
  return dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
                                      debuglink_crc, debuginfo_file_name);
}

static const Dwfl_Callbacks dwfl_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = find_debuginfo_local,
};

/* The session, created on first use and kept for the life of the process
 * (under debug_lock). */
static Dwfl *session;
static bool session_failed;

/* weft's source root ("/path/to/weft/src"), from this file's own CU. */
static char *weft_root;
static size_t weft_root_len;
static bool weft_root_known;

static bool report_modules(bool add) {
  if (add) dwfl_report_begin_add(session);
  else dwfl_report_begin(session);
  int err = dwfl_linux_proc_report(session, getpid());
  return dwfl_report_end(session, NULL, NULL) == 0 && err == 0;
}

void *debug_dwfl_session(void) {
  if (session || session_failed) return session;
  session = dwfl_begin(&dwfl_callbacks);
  if (!session || !report_modules(false)) {
    if (session) dwfl_end(session);
    session = NULL;
    session_failed = true;
  }
  return session;
}

/* Full path of a CU: DW_AT_name, joined to DW_AT_comp_dir if relative.
 * Writes into buf; returns NULL if unknown. */
static const char *cu_path(Dwarf_Die *cudie, char *buf, size_t len) {
  const char *name = dwarf_diename(cudie);
  if (!name) return NULL;
  if (name[0] == '/') return name;
  Dwarf_Attribute attr;
  const char *dir = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr));
  if (!dir) return name;
  snprintf(buf, len, "%s/%s", dir, name);
  return buf;
}

static Dwarf_Die *find_cu(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias);

static void weft_root_init(void) {
  if (weft_root_known) return;
  weft_root_known = true;
  uintptr_t self = (uintptr_t)&debug_symbolize;
  Dwfl_Module *mod = dwfl_addrmodule(session, self);
  Dwarf_Addr bias;
  Dwarf_Die *cudie = mod ? find_cu(mod, self, &bias) : NULL;
  char buf[4096];
  const char *path = cudie ? cu_path(cudie, buf, sizeof buf) : NULL;
  if (!path) return;
  /* .../src/debug/symbolize.c -> .../src */
  char *root = strdup(path);
  if (!root) return;
  for (int strip = 0; strip < 2; strip++) {
    char *slash = strrchr(root, '/');
    if (!slash || slash == root) {
      free(root);
      return;
    }
    *slash = 0;
  }
  weft_root = root;
  weft_root_len = strlen(root);
}

static bool path_is_internal(const char *path) {
  if (!path) return false;
  if (weft_root && strncmp(path, weft_root, weft_root_len) == 0 && path[weft_root_len] == '/')
    return true;
  /* weft's public headers, wherever they were included from (the source
   * tree or an installed copy): their inline functions (the mutex fast
   * path) are compiled into the program's own units. */
  return strstr(path, "/include/weft/") != NULL;
}

static bool cu_is_internal(Dwarf_Die *cudie) {
  char buf[4096];
  return path_is_internal(cu_path(cudie, buf, sizeof buf));
}

static const char *die_name(Dwarf_Die *die) {
  Dwarf_Attribute attr;
  const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
  if (!name) name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
  return name;
}

/* Call site of an inlined subroutine: file and line in the caller. */
static void call_site(Dwarf_Die *cudie, Dwarf_Die *inlined, const char **file, int *line) {
  Dwarf_Attribute attr;
  Dwarf_Word value;
  *file = NULL;
  *line = 0;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0) *line = (int)value;
  Dwarf_Files *files;
  size_t nfiles;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) == 0 &&
      dwarf_getsrcfiles(cudie, &files, &nfiles) == 0 && value < nfiles)
    *file = dwarf_filesrc(files, (size_t)value, NULL, NULL);
}

/* The compilation unit containing addr. libdw finds it through
 * .debug_aranges, but clang does not emit that section, and a program
 * mixing objects (crt files, gcc- and clang-built code) has one that
 * covers only some units: then every unit is asked in turn. */
static Dwarf_Die *find_cu(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias) {
  Dwarf_Die *cudie = dwfl_module_addrdie(mod, addr, bias);
  if (cudie) return cudie;
  for (cudie = dwfl_module_nextcu(mod, NULL, bias); cudie;
       cudie = dwfl_module_nextcu(mod, cudie, bias))
    if (dwarf_haspc(cudie, addr - *bias) > 0) return cudie;
  return NULL;
}

/* Returns the number of frames, 0 if the pc is in no known module. */
static int symbolize_dwfl(uintptr_t pc, bool return_address, struct debug_frame *out, int max) {
  uintptr_t lookup = return_address ? pc - 1 : pc;
  Dwfl_Module *mod = dwfl_addrmodule(session, lookup);
  if (!mod && report_modules(true)) mod = dwfl_addrmodule(session, lookup);
  if (!mod) return 0;
  weft_root_init();

  struct debug_frame base;
  memset(&base, 0, sizeof base);
  const char *mainfile = NULL;
  base.module = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
  if (mainfile) base.module = mainfile;
  Dwarf_Addr elf_bias = 0;
  dwfl_module_getelf(mod, &elf_bias);
  base.module_offset = pc - elf_bias;

  GElf_Off sym_offset = 0;
  GElf_Sym sym;
  const char *symname = dwfl_module_addrinfo(mod, lookup, &sym_offset, &sym, NULL, NULL, NULL);
  if (symname) {
    base.has_offset = true;
    base.offset = pc - (lookup - sym_offset);
  }

  Dwarf_Addr bias = 0;
  Dwarf_Die *cudie = find_cu(mod, lookup, &bias);
  if (cudie && weft_root) {
    base.internal = cu_is_internal(cudie);
  } else {
    base.internal = debug_symtab_internal(lookup);
  }

  const char *file = NULL;
  int line = 0;
  Dwarf_Line *dl = cudie ? dwarf_getsrc_die(cudie, lookup - bias) : NULL;
  if (dl) {
    file = dwarf_linesrc(dl, NULL, NULL);
    dwarf_lineno(dl, &line);
  }

  /* dwarf_getscopes continues from an inlined instance into the scopes of
   * its abstract definition (where it was written, not where it was
   * inlined); the chain of callers is the concrete DIE tree above the
   * innermost scope, which dwarf_getscopes_die walks. */
  int n = 0;
  Dwarf_Die *scopes = NULL;
  int nscopes = cudie ? dwarf_getscopes(cudie, lookup - bias, &scopes) : 0;
  if (nscopes > 0) {
    Dwarf_Die innermost = scopes[0];
    free(scopes);
    scopes = NULL;
    nscopes = dwarf_getscopes_die(&innermost, &scopes);
  }
  for (int i = 0; i < nscopes && n < max; i++) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) continue;
    struct debug_frame *f = &out[n++];
    *f = base;
    f->func = die_name(&scopes[i]);
    f->file = file;
    f->line = line;
    f->internal = base.internal || path_is_internal(file);
    if (tag == DW_TAG_subprogram) break;
    f->has_offset = false; /* inlined: no pc of its own */
    call_site(cudie, &scopes[i], &file, &line);
  }
  free(scopes);
  if (n == 0) {
    /* No DWARF for pc (assembly, a library without -g): the symbol. */
    out[0] = base;
    out[0].func = symname ? strip_clone_suffix(symname) : NULL;
    out[0].file = file;
    out[0].line = line;
    n = 1;
  } else if (n == max && out[n - 1].has_offset == false) {
    out[n - 1].has_offset = base.has_offset; /* chain cut short: keep the offset */
  }
  return n;
}

#else
void *debug_dwfl_session(void) { return NULL; }
#endif /* WEFT_HAVE_LIBDW */

bool debug_have_libdw(void) { return WEFT_HAVE_LIBDW && debug_option_symbolize(); }

/* ---- the cache ------------------------------------------------------------- */

struct cache_entry {
  uintptr_t key; /* pc << 1 | return_address */
  int n;
  struct debug_frame frames[];
};

static struct cache_entry **cache; /* under debug_lock */
static size_t cache_cap, cache_len;

static size_t cache_slot(uintptr_t key, size_t cap) {
  uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 32) & (cap - 1);
}

static struct cache_entry *cache_find(uintptr_t key) {
  if (!cache) return NULL;
  for (size_t i = cache_slot(key, cache_cap);; i = (i + 1) & (cache_cap - 1)) {
    if (!cache[i]) return NULL;
    if (cache[i]->key == key) return cache[i];
  }
}

static void cache_put(struct cache_entry *e) {
  if (2 * (cache_len + 1) > cache_cap) {
    size_t cap = cache_cap ? 2 * cache_cap : 256;
    struct cache_entry **table = calloc(cap, sizeof *table);
    if (!table) return;
    for (size_t i = 0; i < cache_cap; i++) {
      if (!cache[i]) continue;
      size_t j = cache_slot(cache[i]->key, cap);
      while (table[j]) j = (j + 1) & (cap - 1);
      table[j] = cache[i];
    }
    free(cache);
    cache = table;
    cache_cap = cap;
  }
  size_t j = cache_slot(e->key, cache_cap);
  while (cache[j]) j = (j + 1) & (cache_cap - 1);
  cache[j] = e;
  cache_len++;
}

int debug_symbolize(uintptr_t pc, bool return_address, bool locked,
                    struct debug_frame *out, int max) {
  if (max < 1) return 0;
  if (!locked) return symbolize_symtab(pc, return_address, false, out);
  uintptr_t key = pc << 1 | (return_address ? 1 : 0);
  struct cache_entry *e = cache_find(key);
  if (!e) {
    struct debug_frame frames[DEBUG_MAX_INLINE];
    int n = 0;
#if WEFT_HAVE_LIBDW
    if (debug_option_symbolize() && debug_dwfl_session())
      n = symbolize_dwfl(pc, return_address, frames, DEBUG_MAX_INLINE);
#endif
    if (n == 0) n = symbolize_symtab(pc, return_address, true, frames);
    e = malloc(sizeof *e + sizeof frames[0] * (size_t)n);
    if (!e) {
      int k = n < max ? n : max;
      memcpy(out, frames, sizeof frames[0] * (size_t)k);
      return k;
    }
    e->key = key;
    e->n = n;
    memcpy(e->frames, frames, sizeof frames[0] * (size_t)n);
    cache_put(e);
  }
  int k = e->n < max ? e->n : max;
  memcpy(out, e->frames, sizeof out[0] * (size_t)k);
  return k;
}

bool debug_pc_internal(uintptr_t pc, bool locked) {
  struct debug_frame f[DEBUG_MAX_INLINE];
  int n = debug_symbolize(pc, true, locked, f, DEBUG_MAX_INLINE);
  return n > 0 && f[0].internal;
}
