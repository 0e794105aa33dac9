/*
 * report.c - from a detected conflict to Go's report, and the exit status.
 *
 * Detection (access.c) hands over facts only: the address, the current
 * access's kind and pc, the conflicting cell. Everything expensive happens
 * here, once per report (KCSAN's split): the current stack from the
 * shadow call stack, the previous access's stack from its owner's history
 * (history.c), where the memory is (heap block, global, stack), who created
 * the goroutines involved, and symbolization (src/debug).
 *
 * The layout is Go's (SPEC section 6):
 *
 *   ==================
 *   WARNING: DATA RACE
 *   Read at 0x7f3a1c000010 by goroutine 9:
 *     timer_cb()
 *         /src/timer.c:14 +0x2d
 *
 *   Previous write at 0x7f3a1c000010 by main goroutine:
 *     app_main()
 *         /src/timer.c:22 +0x71
 *
 *   Location is heap block of size 16 at 0x7f3a1c000010 allocated by main goroutine:
 *     ...
 *
 *   Goroutine 9 (running) created at:
 *     ...
 *   ==================
 *
 * Code outside goroutines is named "main thread" or "thread <tid>" (the
 * id weft_dump prints for foreign threads). Atomic accesses say "Atomic
 * read"/"Atomic write"; a free is a write whose innermost frame is free().
 *
 * Suppression (Go's suppress_equal_stacks and suppress_equal_addresses):
 * bytes that were part of a reported race (either access's, lowest to
 * highest, as TSan's racy ranges) are never reported again, and a pair of
 * stacks (unordered) is reported once; so N goroutines incrementing one
 * counter print one report, while two variables that share an 8-byte word
 * are two locations with a report each. Suppressed conflicts are not
 * counted.
 *
 * At the end: "Found N data race(s)", and the exit status becomes
 * `exitcode` if the program would otherwise exit 0: from weft_main's end
 * (rt_hooks.main_exit, chained with whatever was installed before) or,
 * for programs without weft_main, from an on_exit handler (which, unlike
 * atexit, sees the status). Reports are serialised by report_lock; the
 * reporting thread marks itself in_rt so that the allocations of the
 * symbolizer are not tracked.
 */
#if WEFT_RACE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "debug/debug_private.h"
#include "race/race_private.h"

#ifndef WEFT_HAVE_LIBDW
#define WEFT_HAVE_LIBDW 0
#endif
#if WEFT_HAVE_LIBDW
#include <elfutils/libdwfl.h>
#endif

_Atomic int race_reports;

/* report_lock guards everything below and the output stream. */
static rt_lock report_lock = RT_LOCK_INIT;
static FILE *log_file;

/* Open-addressing maps of 64-bit keys (0 is never a key) to a byte. */
struct keyset {
  uint64_t *keys;
  uint8_t *vals;
  size_t cap, len;
};
static struct keyset seen_bytes;   /* addr >> 3 -> mask of that word's bytes reported */
static struct keyset seen_pairs;   /* hash of the two stacks (value unused) */

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x | 1;
}

/* The value of key, or NULL if absent. */
static uint8_t *keyset_get(const struct keyset *s, uint64_t key) {
  if (!s->cap) return NULL;
  for (size_t i = mix(key) & (s->cap - 1); s->keys[i]; i = (i + 1) & (s->cap - 1))
    if (s->keys[i] == key) return &s->vals[i];
  return NULL;
}

/* The value of key, added (as 0) if absent. */
static uint8_t *keyset_add(struct keyset *s, uint64_t key) {
  uint8_t *v = keyset_get(s, key);
  if (v) return v;
  if (2 * (s->len + 1) > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    uint64_t *keys = race_alloc_zero(cap * sizeof *keys);
    uint8_t *vals = race_alloc_zero(cap);
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->keys[i]) continue;
      size_t j = mix(s->keys[i]) & (cap - 1);
      while (keys[j]) j = (j + 1) & (cap - 1);
      keys[j] = s->keys[i];
      vals[j] = s->vals[i];
    }
    race_free(s->keys);
    race_free(s->vals);
    s->keys = keys;
    s->vals = vals;
    s->cap = cap;
  }
  size_t j = mix(key) & (s->cap - 1);
  while (s->keys[j]) j = (j + 1) & (s->cap - 1);
  s->keys[j] = key;
  s->len++;
  return &s->vals[j];
}

/* Word keys are addr >> 3 | 1 << 63 so that address 0 still is a key. */
static uint64_t word_key(uintptr_t addr) { return (uint64_t)(addr >> 3) | (UINT64_C(1) << 63); }

/* Go's suppress_equal_addresses, exact to the byte: has any byte of
 * [lo, hi) been part of a reported race? With add, also marks them all.
 * Two variables that share a word are two locations. report_lock held. */
static bool bytes_reported(uintptr_t lo, uintptr_t hi, bool add) {
  bool seen = false;
  for (uintptr_t a = lo; a < hi; a = (a & ~(uintptr_t)7) + 8) {
    unsigned o = a & 7;
    uintptr_t n = 8 - o;
    if (n > hi - a) n = hi - a;
    uint8_t mask = (uint8_t)(((1u << n) - 1) << o);
    uint8_t *v = add ? keyset_add(&seen_bytes, word_key(a)) : keyset_get(&seen_bytes, word_key(a));
    if (v && (*v & mask)) seen = true;
    if (v && add) *v |= mask;
  }
  return seen;
}

/* ---- output ---------------------------------------------------------------- */

FILE *report_out(void) {
  if (log_file) return log_file;
  const char *path = race_options.log_path;
  if (strcmp(path, "stderr") == 0 || path[0] == 0) {
    log_file = stderr;
  } else if (strcmp(path, "stdout") == 0) {
    log_file = stdout;
  } else {
    char name[600];
    snprintf(name, sizeof name, "%s.%d", path, (int)getpid());
    log_file = fopen(name, "we");
    if (!log_file) {
      fprintf(stderr, "weft: race detector: cannot open log_path %s; reporting to stderr\n", name);
      log_file = stderr;
    }
  }
  return log_file;
}

static const char *strip_prefix(const char *file) {
  const char *p = race_options.strip_path_prefix;
  size_t n = strlen(p);
  if (n && strncmp(file, p, n) == 0) return file + n;
  return file;
}

/* The C library's entry points below every stack (as traceback.c). */
static bool libc_entry(const char *func) {
  static const char *const names[] = {"_start", "__libc_start_main", "__libc_start_call_main",
                                      "start_thread", "clone", "clone3", "__clone", "__clone3",
                                      "thread_start"};
  if (!func) return false;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(func, names[i]) == 0) return true;
  return false;
}

/* Is this frame one of the detector's own interceptors (free, memcpy...)?
 * They are named after what they intercept; the report adds that name
 * itself where it matters. */
static void print_frame(FILE *out, const struct debug_frame *f) {
  fprintf(out, "  %s()\n", f->func ? f->func : "??");
  if (f->file) {
    fprintf(out, "      %s:%d", strip_prefix(f->file), f->line);
  } else if (f->module) {
    fprintf(out, "      %s+0x%lx", strip_prefix(f->module), (unsigned long)f->module_offset);
  } else {
    fprintf(out, "      ?:0");
  }
  if (f->has_offset) fprintf(out, " +0x%lx", (unsigned long)f->offset);
  fputc('\n', out);
}

static int print_frames(FILE *out, const struct race_stack *s, bool locked, bool internal) {
  int printed = 0;
  for (int i = 0; i < s->n; i++) {
    struct debug_frame f[DEBUG_MAX_INLINE];
    bool shown = (s->pc[i] & RACE_PC_SHOWN) != 0;
    int n = debug_symbolize(s->pc[i] & ~RACE_PC_SHOWN, true, locked, f, DEBUG_MAX_INLINE);
    for (int j = 0; j < n; j++) {
      if ((f[j].internal && !internal && !shown) || libc_entry(f[j].func)) continue;
      print_frame(out, &f[j]);
      printed++;
    }
  }
  return printed;
}

/* Prints a stack without weft's own frames, as Go hides its runtime's;
 * but a stack made only of weft's frames (an access weft made on behalf
 * of a primitive it runs itself, such as a context closing its done
 * channel) is printed whole rather than not at all. Returns how many
 * frames were printed. */
static int print_stack(FILE *out, const struct race_stack *s, bool locked) {
  int printed = print_frames(out, s, locked, false);
  if (printed == 0) printed = print_frames(out, s, locked, true);
  if (s->truncated) fputs("  ...additional frames elided...\n", out);
  return printed;
}

static uint64_t stack_hash(const struct race_stack *s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)s->n;
  for (int i = 0; i < s->n; i++) h = mix(h ^ s->pc[i]);
  return h;
}

/* ---- where the memory is --------------------------------------------------- */

struct stack_search {
  uintptr_t addr;
  bool found;
  struct race_owner owner;
};

static void find_stack(struct race_ctx *c, void *arg) {
  struct stack_search *s = arg;
  if (s->found || !c->stk_hi || atomic_load(&c->finished)) return;
  if (s->addr >= c->stk_lo && s->addr < c->stk_hi) {
    s->found = true;
    s->owner.id = c->id;
    s->owner.kind = c->kind;
    s->owner.main = c->main;
  }
}

#if WEFT_HAVE_LIBDW
/* The global variable whose bytes hold addr: an object symbol of the
 * module with value <= addr < value + size (exact; a sizeless symbol
 * matches its first byte only). The module is the one that starts
 * nearest below addr: dwfl knows a module's extent from its file-backed
 * mappings only, so the .bss beyond the last file page (where large
 * arrays, and whatever the linker puts after them, end up) is outside
 * what dwfl_addrmodule would find. debug_lock held. */
struct module_search {
  uintptr_t addr;
  Dwfl_Module *best;
  Dwarf_Addr best_start;
};

static int nearest_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
                          void *arg) {
  (void)userdata, (void)name;
  struct module_search *s = arg;
  if (start <= s->addr && (!s->best || start > s->best_start)) {
    s->best = mod;
    s->best_start = start;
  }
  return DWARF_CB_OK;
}

static bool global_find(uintptr_t addr, char *name, size_t len, GElf_Addr *start, GElf_Word *size) {
  Dwfl *dwfl = debug_dwfl_session();
  if (!dwfl) return false;
  struct module_search ms = {.addr = addr};
  Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
  if (!mod) {
    dwfl_getmodules(dwfl, nearest_module, &ms, 0);
    mod = ms.best;
  }
  if (!mod) return false;
  int n = dwfl_module_getsymtab(mod);
  for (int i = 1; i < n; i++) {
    GElf_Sym sym;
    GElf_Addr value;
    const char *s = dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL);
    if (!s || !s[0] || sym.st_shndx == SHN_UNDEF) continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_OBJECT && type != STT_COMMON) continue;
    if (addr < value || addr - value >= (sym.st_size ? sym.st_size : 1)) continue;
    snprintf(name, len, "%s", s);
    *start = value;
    *size = (GElf_Word)sym.st_size;
    return true;
  }
  return false;
}
#endif

static void print_location(FILE *out, uintptr_t addr, bool locked) {
  struct race_block b;
  char who[64];
  if (heap_find_block(addr, &b)) {
    ctx_describe(who, sizeof who, b.owner_main, b.owner_kind, b.owner_id);
    fprintf(out, "\nLocation is %sheap block of size %zu at 0x%012lx allocated by %s:\n",
            b.freed ? "freed " : "", b.size, (unsigned long)b.addr, who);
    struct race_stack s;
    depot_get(b.stack, &s);
    if (print_stack(out, &s, locked) == 0) fputs("  [failed to restore the stack]\n", out);
    return;
  }
#if WEFT_HAVE_LIBDW
  if (locked) {
    char name[256];
    GElf_Addr start;
    GElf_Word size;
    if (global_find(addr, name, sizeof name, &start, &size)) {
      fprintf(out, "\nLocation is global '%s' of size %lu at 0x%012lx\n", name, (unsigned long)size,
              (unsigned long)start);
      return;
    }
  }
#endif
  Dl_info info;
  if (dladdr((void *)addr, &info) && info.dli_sname && info.dli_saddr) {
    fprintf(out, "\nLocation is global '%s' at 0x%012lx\n", info.dli_sname,
            (unsigned long)info.dli_saddr);
    return;
  }
  struct stack_search ss = {.addr = addr};
  ctx_for_each(find_stack, &ss);
  if (ss.found) {
    ctx_describe(who, sizeof who, ss.owner.main, ss.owner.kind, ss.owner.id);
    fprintf(out, "\nLocation is stack of %s.\n", who);
  }
}

static void print_creation(FILE *out, bool main, enum ctx_kind kind, uint64_t id, bool running,
                           uint32_t create_stack, bool locked) {
  if (main || !create_stack) return;
  struct race_stack s;
  depot_get(create_stack, &s);
  fputc('\n', out);
  if (kind == CTX_GOROUTINE)
    fprintf(out, "Goroutine %llu (%s) created at:\n", (unsigned long long)id,
            running ? "running" : "finished");
  else
    fprintf(out, "Thread %llu (%s) created at:\n", (unsigned long long)id,
            running ? "running" : "finished");
  if (print_stack(out, &s, locked) == 0) fputs("  [failed to restore the stack]\n", out);
}

static const char *verb(uint32_t kind, bool free, bool capital) {
  if (free || !(kind & ACC_READ)) {
    if (kind & ACC_ATOMIC) return capital ? "Atomic write" : "atomic write";
    return capital ? "Write" : "write";
  }
  if (kind & ACC_ATOMIC) return capital ? "Atomic read" : "atomic read";
  return capital ? "Read" : "read";
}

/* ---- the report -------------------------------------------------------------- */

void report_race(struct race_ctx *c, uintptr_t addr, size_t size, uint32_t kind, uintptr_t pc,
                 race_cell old, bool freed, uintptr_t word) {
  struct race_thread *t = &race_tls;
  t->in_rt++;
  rt_lock_acquire(&report_lock);
  /* The bytes of both accesses, from the lowest to the highest (TSan's
   * racy range); a range access counts for its first 4 KiB. */
  unsigned old_mask = (old & RACE_CELL_MASK) ? (old & RACE_CELL_MASK) : 0xFFu;
  uintptr_t old_lo = word + (unsigned)__builtin_ctz(old_mask);
  uintptr_t old_hi = word + 32 - (unsigned)__builtin_clz(old_mask);
  uintptr_t lo = addr < old_lo ? addr : old_lo;
  uintptr_t hi = addr + (size == 0 ? 1 : size < 4096 ? size : 4096);
  if (hi < old_hi) hi = old_hi;
  if (bytes_reported(lo, hi, false)) {
    rt_lock_release(&report_lock);
    t->in_rt--;
    return;
  }
  bytes_reported(lo, hi, true);

  struct race_stack cur, prev;
  stack_current(c, pc, &cur);
  struct race_owner owner;
  bool prev_free = false;
  uintptr_t prev_addr = word + (unsigned)__builtin_ctz((old & RACE_CELL_MASK) | 0x100);
  enum restore_result restored = history_restore(old, word, &owner, &prev, &prev_free, &prev_addr);
  if (restored != RESTORE_OK) prev.n = 0;
  uint64_t h1 = stack_hash(&cur), h2 = stack_hash(&prev);
  uint64_t pair = mix((h1 < h2 ? h1 : h2) * 31 + (h1 < h2 ? h2 : h1));
  if (keyset_get(&seen_pairs, pair)) {
    rt_lock_release(&report_lock);
    t->in_rt--;
    return;
  }
  keyset_add(&seen_pairs, pair);

  bool locked = debug_lock();
  FILE *out = report_out();
  char who[64];
  fflush(stdout);
  fputs("==================\nWARNING: DATA RACE\n", out);

  bool cur_free = (kind & ACC_FREE) != 0;
  ctx_describe(who, sizeof who, c->main, c->kind, c->id);
  fprintf(out, "%s at 0x%012lx by %s:\n", verb(kind, cur_free, true), (unsigned long)addr, who);
  if (cur_free) fputs("  free()\n", out);
  print_stack(out, &cur, locked);
  fputc('\n', out);

  uint32_t old_kind = ((old & RACE_CELL_READ) ? ACC_READ : 0) | ((old & RACE_CELL_ATOMIC) ? ACC_ATOMIC : 0);
  bool old_free = prev_free || (freed && (old & RACE_CELL_MASK) == RACE_CELL_MASK && !(old & RACE_CELL_READ));
  if (restored == RESTORE_UNKNOWN) snprintf(who, sizeof who, "unknown goroutine");
  else ctx_describe(who, sizeof who, owner.main, owner.kind, owner.id);
  fprintf(out, "Previous %s at 0x%012lx by %s:\n", verb(old_kind, old_free, false),
          (unsigned long)prev_addr, who);
  if (restored == RESTORE_OK) {
    if (old_free) fputs("  free()\n", out);
    if (print_stack(out, &prev, locked) == 0 && !old_free) fputs("  [failed to restore the stack]\n", out);
  } else {
    fputs("  [failed to restore the stack]\n", out);
  }

  print_location(out, addr, locked);

  print_creation(out, c->main, c->kind, c->id, true, c->create_stack, locked);
  if (restored != RESTORE_UNKNOWN && !(owner.kind == c->kind && owner.id == c->id)) {
    struct race_ctx *x = owner.ctx;
    bool running = atomic_load(&x->incarnation) == owner.incarnation && !atomic_load(&x->finished);
    print_creation(out, owner.main, owner.kind, owner.id, running, owner.create_stack, locked);
  }
  fputs("==================\n", out);
  fflush(out);
  if (locked) debug_unlock();
  int n = atomic_fetch_add(&race_reports, 1) + 1;
  if (race_options.halt_on_error) {
    fprintf(out, "Found %d data race(s)\n", n);
    fflush(NULL);
    _exit(race_options.exitcode);
  }
  rt_lock_release(&report_lock);
  t->in_rt--;
}

/* ---- the end ------------------------------------------------------------------ */

struct busy_count {
  int n;
};

static void count_busy(struct weft_g *g, void *arg) {
  struct busy_count *b = arg;
  if (g->system || g->foreign) return;
  int s = atomic_load_explicit(&g->status, memory_order_relaxed);
  if (s == G_RUNNING || s == G_RUNNABLE) b->n++;
}

/* Go's atexit_sleep_ms: give goroutines still running a chance to make
 * (and report) their races. Parked goroutines are not waited for. */
static void exit_sleep(void) {
  int ms = race_options.atexit_sleep_ms;
  for (int waited = 0; waited < ms; waited++) {
    struct busy_count b = {0};
    rt_for_each_g(count_busy, &b);
    if (b.n == 0) return;
    struct timespec ts = {0, 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

static void (*next_main_exit)(int *status);

static void race_main_exit(int *status) {
  exit_sleep();
  if (next_main_exit) next_main_exit(status);
  if (*status == 0 && atomic_load(&race_reports) > 0) *status = race_options.exitcode;
}

static void race_on_exit(int status, void *arg) {
  (void)arg;
  int n = atomic_load(&race_reports);
  if (n == 0) return;
  rt_lock_acquire(&report_lock);
  fflush(stdout);
  FILE *out = report_out();
  fprintf(out, "Found %d data race(s)\n", n);
  fflush(out);
  rt_lock_release(&report_lock);
  if (status == 0) {
    fflush(NULL);
    _exit(race_options.exitcode);
  }
}

void report_init(void) {
  if (rt_hooks.main_exit != race_main_exit) {
    next_main_exit = rt_hooks.main_exit;
    rt_hooks.main_exit = race_main_exit;
  }
  on_exit(race_on_exit, NULL);
}

#endif
