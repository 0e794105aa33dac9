/*
 * symtab.c - function names from ELF symbol tables, for symbolizing
 * without libdw.
 *
 * dladdr only knows the dynamic symbol table, which in an executable
 * linked without -rdynamic holds almost nothing: every frame of the
 * program itself would print as "?()". The full .symtab is still in the
 * file unless it was stripped, so this file reads it: the loaded object is
 * found with dladdr1 (its link map gives path and load bias), its file is
 * mapped read-only once and kept mapped (the names point into it), and its
 * function symbols are sorted by address for a binary search. Without a
 * .symtab we use .dynsym, which is what dladdr would have given.
 *
 * It also answers "is this weft's code?" when there is no debug info to
 * ask (symbolize.c uses the compilation unit's path when there is). If
 * weft is a shared library, its whole module is weft. If weft was linked
 * statically, its object files were taken from the archive together, so
 * its code sits in one range of the executable's .text, between the
 * lowest and the highest of its functions named rt_* or weft_* (hidden
 * visibility makes them local symbols there, so any binding counts) or
 * being one of src/debug's own (their debug_* names are too common to go
 * by, so a few are known by address); static functions in that range are
 * weft's too, and so are all the statics of an object file (the .symtab
 * groups static functions by object file, after an STT_FILE entry) that
 * has one in the range, or that the symbol table lists between two such
 * objects (it lists them in link order), which covers the objects at
 * either end. Cold clones (".cold") live elsewhere and are judged by
 * name.
 *
 * Everything here is under debug_lock.
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug/debug_private.h"

struct symbol {
  uintptr_t addr; /* link-time address: subtract the load bias first */
  uintptr_t size;
  const char *name;
  int group;      /* which object file's local symbols (-1: a global) */
};

struct module {
  struct link_map *map;
  struct symbol *symbols;
  size_t count;
  uintptr_t weft_lo, weft_hi; /* weft's code, for a statically linked weft */
  bool *object_is_weft;           /* per object file: is it weft's? */
};

#define MAX_MODULES 64
static struct module modules[MAX_MODULES];
static size_t module_count;

static int compare_symbols(const void *a, const void *b) {
  const struct symbol *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool weft_name(const char *name) {
  return strncmp(name, "rt_", 3) == 0 || strncmp(name, "weft_", 5) == 0;
}

/* One function of each file of src/debug, whose names (debug_*) are too
 * common to go by: their object files are weft's by address. */
static uintptr_t debug_anchor(size_t i) {
  switch (i) {
  case 0: return (uintptr_t)&debug_collect;
  case 1: return (uintptr_t)&debug_leak_report;
  case 2: return (uintptr_t)&debug_options_init;
  case 3: return (uintptr_t)&debug_symbolize;
  case 4: return (uintptr_t)&debug_symtab_lookup;
  case 5: return (uintptr_t)&debug_capture_current;
  default: return 0;
  }
}

/* Reads the function symbols of the file behind map. */
static void load_symbols(struct module *m) {
  const char *path = m->map->l_name && m->map->l_name[0] ? m->map->l_name : "/proc/self/exe";
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  void *file = MAP_FAILED;
  if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(ElfW(Ehdr)))
    file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (file == MAP_FAILED) return;
  size_t size = (size_t)st.st_size;
  const ElfW(Ehdr) *eh = file;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0 ||
      eh->e_shentsize != sizeof(ElfW(Shdr)) || eh->e_shoff + eh->e_shnum * sizeof(ElfW(Shdr)) > size) {
    munmap(file, size);
    return;
  }
  const ElfW(Shdr) *sh = (const void *)((const char *)file + eh->e_shoff);
  const ElfW(Shdr) *table = NULL;
  for (int pass = 0; pass < 2 && !table; pass++) {
    for (unsigned i = 0; i < eh->e_shnum; i++) {
      if (sh[i].sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) && sh[i].sh_link < eh->e_shnum) {
        table = &sh[i];
        break;
      }
    }
  }
  const ElfW(Shdr) *strings = table ? &sh[table->sh_link] : NULL;
  if (!table || table->sh_offset + table->sh_size > size ||
      strings->sh_offset + strings->sh_size > size || table->sh_entsize != sizeof(ElfW(Sym))) {
    munmap(file, size);
    return;
  }
  const ElfW(Sym) *syms = (const void *)((const char *)file + table->sh_offset);
  size_t nsyms = table->sh_size / sizeof(ElfW(Sym));
  const char *names = (const char *)file + strings->sh_offset;
  struct symbol *out = malloc(nsyms * sizeof *out);
  if (!out) {
    munmap(file, size);
    return;
  }
  size_t n = 0;
  int groups = 0;
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (size_t i = 0; i < nsyms; i++) {
    int type = ELF64_ST_TYPE(syms[i].st_info);
    if (type == STT_FILE) groups++; /* the locals of the next object file follow */
    if ((type != STT_FUNC && type != STT_GNU_IFUNC) || syms[i].st_shndx == SHN_UNDEF ||
        syms[i].st_value == 0 || syms[i].st_name >= strings->sh_size)
      continue;
    bool local = ELF64_ST_BIND(syms[i].st_info) == STB_LOCAL;
    out[n].addr = (uintptr_t)syms[i].st_value;
    out[n].size = (uintptr_t)syms[i].st_size;
    out[n].name = names + syms[i].st_name;
    out[n].group = local ? groups - 1 : -1;
    /* Linked statically, weft's hidden-visibility functions are local
     * symbols of the executable: go by the name whatever the binding. */
    bool weft = weft_name(out[n].name) && !strchr(out[n].name, '.');
    for (size_t a = 0; !weft && debug_anchor(a); a++)
      weft = out[n].addr + m->map->l_addr == debug_anchor(a);
    if (weft) {
      if (out[n].addr < lo) lo = out[n].addr;
      if (out[n].addr + out[n].size > hi) hi = out[n].addr + out[n].size;
    }
    n++;
  }
  /* An object file whose static functions lie partly inside weft's range
   * is one of weft's: its statics outside the range (an object at either
   * end) are weft's too. */
  bool *object_is_weft = groups > 0 ? calloc((size_t)groups, sizeof *object_is_weft) : NULL;
  for (size_t i = 0; object_is_weft && i < n; i++) {
    if (out[i].group < 0) continue;
    if (lo < hi && out[i].addr >= lo && out[i].addr < hi) object_is_weft[out[i].group] = true;
  }
  /* The archive's objects were linked together, and the symbol table
   * lists their statics in link order: every object between two of
   * weft's is weft's too (one whose statics all lie outside the range). */
  int first = -1, last = -1;
  for (int g = 0; object_is_weft && g < groups; g++) {
    if (!object_is_weft[g]) continue;
    if (first < 0) first = g;
    last = g;
  }
  for (int g = first; g >= 0 && g <= last; g++) object_is_weft[g] = true;
  qsort(out, n, sizeof *out, compare_symbols);
  m->symbols = out;
  m->count = n;
  m->object_is_weft = object_is_weft;
  if (lo < hi) {
    m->weft_lo = lo;
    m->weft_hi = hi;
  }
  /* The mapping stays: the names point into it. */
}

static struct module *module_of(struct link_map *map) {
  for (size_t i = 0; i < module_count; i++)
    if (modules[i].map == map) return &modules[i];
  if (module_count == MAX_MODULES) return NULL;
  struct module *m = &modules[module_count++];
  memset(m, 0, sizeof *m);
  m->map = map;
  load_symbols(m);
  return m;
}

static struct link_map *map_of(uintptr_t pc) {
  Dl_info info;
  struct link_map *map = NULL;
  if (!dladdr1((void *)pc, &info, (void **)&map, RTLD_DL_LINKMAP)) return NULL;
  return map;
}

static const struct symbol *symbol_of(uintptr_t pc, struct link_map *map, struct module *m) {
  if (!m || m->count == 0) return NULL;
  uintptr_t addr = pc - map->l_addr;
  size_t lo = 0, hi = m->count;
  while (lo < hi) { /* first symbol above addr */
    size_t mid = lo + (hi - lo) / 2;
    if (m->symbols[mid].addr <= addr) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return NULL;
  const struct symbol *s = &m->symbols[lo - 1];
  /* A sized symbol must contain addr; an unsized one runs to the next. */
  if (s->size && addr >= s->addr + s->size) return NULL;
  return s;
}

const char *debug_symtab_lookup(uintptr_t pc, uintptr_t *start) {
  struct link_map *map = map_of(pc);
  const struct symbol *s = map ? symbol_of(pc, map, module_of(map)) : NULL;
  if (!s) return NULL;
  *start = s->addr + map->l_addr;
  return s->name;
}

bool debug_symtab_internal(uintptr_t pc) {
  struct link_map *weft = map_of((uintptr_t)&debug_symtab_internal);
  struct link_map *map = map_of(pc);
  if (!weft || map != weft) return false;
  if (weft->l_name && weft->l_name[0]) return true; /* libweft.so */
  struct module *m = module_of(map);
  uintptr_t addr = pc - map->l_addr;
  if (m && m->weft_lo < m->weft_hi && addr >= m->weft_lo && addr < m->weft_hi) return true;
  const struct symbol *s = symbol_of(pc, map, m);
  if (!s) return false;
  if (s->group >= 0 && m->object_is_weft && m->object_is_weft[s->group]) return true;
  return weft_name(s->name);
}
