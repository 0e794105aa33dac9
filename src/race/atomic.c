/*
 * atomic.c - the compilers' atomic entry points.
 *
 * Each operation is (1) an access of its kind, atomic, so that it races
 * with a plain access to the same bytes by another goroutine (two atomic
 * accesses never race), (2) the memory operation itself, and (3) the
 * happens-before edge its memory order asks for, through the sync object of
 * its address (sync.c):
 *
 *   load     acquire, consume, seq_cst       -> acquire
 *   store    release, seq_cst                -> release (the clock replaces
 *                                               the object's: a new store
 *                                               starts a new release sequence)
 *   RMW      acquire part of the order       -> acquire
 *            release part                    -> release-merge (an RMW
 *                                               continues a release sequence)
 *   CAS      as RMW on success; on failure the failure order's acquire
 *   relaxed                                  -> no edge at all
 *
 * A release makes the address's sync object (if needed) and stores its
 * clock there before the value becomes visible, all under the object's
 * lock. An acquiring load loads first and, if the object exists, loads
 * again under its lock and acquires: a value that came from a release
 * store implies the object was there. Read-modify-writes and CASes with
 * any ordering make the object and run under its lock, so that the value
 * they read and the clock they acquire belong together.
 *
 * Fences (atomic_thread_fence) make no edge: a release fence followed by a
 * relaxed store, read by a relaxed load followed by an acquire fence, is
 * reported as a race if it orders plain accesses. TSan has the same limit.
 *
 * 128-bit operations are done under a striped spin lock instead of with
 * cmpxchg16b, so that libweft-race needs neither -mcx16 nor libatomic. It
 * is atomic with respect to every other instrumented access to the object,
 * which is all the accesses the detector can see.
 */
#if WEFT_RACE
#include "race/race_private.h"
#include "race/tsan_abi.h"

static inline int order(int mo) { return mo & 7; }
static inline bool is_acquire(int mo) {
  mo = order(mo);
  return mo == __ATOMIC_CONSUME || mo == __ATOMIC_ACQUIRE || mo == __ATOMIC_ACQ_REL ||
         mo == __ATOMIC_SEQ_CST;
}
static inline bool is_release(int mo) {
  mo = order(mo);
  return mo == __ATOMIC_RELEASE || mo == __ATOMIC_ACQ_REL || mo == __ATOMIC_SEQ_CST;
}

/* ---- entering: atomics are synchronisation even when accesses are ignored ---- */

static inline struct race_ctx *atomic_enter(struct race_thread *t, bool *check) {
  struct race_ctx *c = hook_enter(t);
  if (RACE_LIKELY(c)) {
    *check = true;
    return c;
  }
  /* Ignored (weft_race_ignore_begin): no access check, but the edges count. */
  *check = false;
  atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
  if (race_fence_mode) atomic_thread_fence(memory_order_seq_cst);
  else atomic_signal_fence(memory_order_seq_cst);
  c = t->ctx;
  if (!c || (atomic_load_explicit(&race_world_gen, memory_order_acquire) & 1) ||
      c->gen != atomic_load_explicit(&race_world_gen, memory_order_acquire) || !c->has_slot) {
    hook_exit(t);
    return NULL;
  }
  return c;
}

/* ---- raw operations ---------------------------------------------------------------- */

/* 128-bit: striped locks (see the top of the file). */
static race_spin wide_locks[64];
static inline race_spin *wide_lock(const volatile void *a) {
  return &wide_locks[((uintptr_t)a >> 4) & 63];
}

#define RAW_OPS(n, T)                                                                          \
  static inline T raw_load##n(const volatile T *a) { return __atomic_load_n(a, __ATOMIC_SEQ_CST); } \
  static inline void raw_store##n(volatile T *a, T v) { __atomic_store_n(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_xchg##n(volatile T *a, T v) { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_add##n(volatile T *a, T v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_sub##n(volatile T *a, T v) { return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_and##n(volatile T *a, T v) { return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_or##n(volatile T *a, T v) { return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_xor##n(volatile T *a, T v) { return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST); } \
  static inline T raw_nand##n(volatile T *a, T v) { return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST); } \
  static inline bool raw_cas##n(volatile T *a, T *expected, T v) {                             \
    return __atomic_compare_exchange_n(a, expected, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
  }
RAW_OPS(8, uint8_t)
RAW_OPS(16, uint16_t)
RAW_OPS(32, uint32_t)
RAW_OPS(64, uint64_t)
#undef RAW_OPS

#define WIDE(body)                  \
  race_spin *l = wide_lock(a);      \
  race_spin_lock(l);                \
  body;                             \
  race_spin_unlock(l)

static inline race_a128 raw_load128(const volatile race_a128 *a) {
  race_a128 v;
  WIDE(v = *a);
  return v;
}
static inline void raw_store128(volatile race_a128 *a, race_a128 v) { WIDE(*a = v); }
#define WIDE_RMW(name, expr)                                               \
  static inline race_a128 raw_##name##128(volatile race_a128 *a, race_a128 v) { \
    race_a128 old;                                                         \
    WIDE(old = *a; *a = (expr));                                           \
    return old;                                                            \
  }
WIDE_RMW(xchg, v)
WIDE_RMW(add, old + v)
WIDE_RMW(sub, old - v)
WIDE_RMW(and, old & v)
WIDE_RMW(or, old | v)
WIDE_RMW(xor, old ^ v)
WIDE_RMW(nand, ~(old & v))
#undef WIDE_RMW
static inline bool raw_cas128(volatile race_a128 *a, race_a128 *expected, race_a128 v) {
  bool ok;
  WIDE(race_a128 cur = *a; ok = cur == *expected; if (ok) *a = v; else *expected = cur);
  return ok;
}

/* ---- the operations ------------------------------------------------------------- */

#define PC() ((uintptr_t)__builtin_return_address(0))

/* Runs `op` between the access check and the edges of an RMW-like
 * operation with success order mo. */
#define RMW_BODY(n, op)                                                      \
  struct race_thread *t = &race_tls;                                         \
  bool check;                                                                \
  struct race_ctx *c = atomic_enter(t, &check);                              \
  if (!c) return op;                                                         \
  if (check) access_range(c, (uintptr_t)a, n / 8, ACC_ATOMIC, PC());        \
  bool acq = is_acquire(mo), rel = is_release(mo);                           \
  struct race_sync_ref ref;                                                  \
  __typeof__(op) result;                                                     \
  if ((acq || rel) && sync_lock((uintptr_t)a, true, &ref)) {                \
    result = op;                                                             \
    if (acq) sync_acquire_locked(c, &ref);                                   \
    if (rel) sync_release_locked(c, &ref, true);                             \
    sync_unlock(&ref);                                                       \
  } else {                                                                   \
    result = op;                                                             \
  }                                                                          \
  if (rel) ctx_epoch_next(c);                                                \
  hook_exit(t);                                                              \
  return result;

#define RACE_DEF_ATOMIC(n, T)                                                                    \
  RACE_API T __tsan_atomic##n##_load(const volatile T *a, int mo) {                              \
    struct race_thread *t = &race_tls;                                                           \
    bool check;                                                                                  \
    struct race_ctx *c = atomic_enter(t, &check);                                                \
    if (!c) return raw_load##n(a);                                                               \
    if (check) access_range(c, (uintptr_t)a, n / 8, ACC_ATOMIC | ACC_READ, PC());               \
    /* Load first: a value written by a release store implies that its    \
     * sync object exists by now (it is made before the store). */         \
    T v = raw_load##n(a);                                                                        \
    struct race_sync_ref ref;                                                                    \
    if (is_acquire(mo) && sync_lock((uintptr_t)a, false, &ref)) {                               \
      v = raw_load##n(a);                                                                        \
      sync_acquire_locked(c, &ref);                                                              \
      sync_unlock(&ref);                                                                         \
    }                                                                                            \
    hook_exit(t);                                                                                \
    return v;                                                                                    \
  }                                                                                              \
  RACE_API void __tsan_atomic##n##_store(volatile T *a, T v, int mo) {                           \
    struct race_thread *t = &race_tls;                                                           \
    bool check;                                                                                  \
    struct race_ctx *c = atomic_enter(t, &check);                                                \
    if (!c) {                                                                                    \
      raw_store##n(a, v);                                                                        \
      return;                                                                                    \
    }                                                                                            \
    if (check) access_range(c, (uintptr_t)a, n / 8, ACC_ATOMIC, PC());                          \
    if (is_release(mo)) {                                                                        \
      struct race_sync_ref ref;                                                                  \
      sync_lock((uintptr_t)a, true, &ref);                                                       \
      sync_release_locked(c, &ref, false);                                                       \
      raw_store##n(a, v);                                                                        \
      sync_unlock(&ref);                                                                         \
      ctx_epoch_next(c);                                                                         \
    } else {                                                                                     \
      raw_store##n(a, v);                                                                        \
    }                                                                                            \
    hook_exit(t);                                                                                \
  }                                                                                              \
  RACE_API T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo) { RMW_BODY(n, raw_xchg##n(a, v)) } \
  RACE_API T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo) { RMW_BODY(n, raw_add##n(a, v)) } \
  RACE_API T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo) { RMW_BODY(n, raw_sub##n(a, v)) } \
  RACE_API T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo) { RMW_BODY(n, raw_and##n(a, v)) } \
  RACE_API T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo) { RMW_BODY(n, raw_or##n(a, v)) }   \
  RACE_API T __tsan_atomic##n##_fetch_xor(volatile T *a, T v, int mo) { RMW_BODY(n, raw_xor##n(a, v)) } \
  RACE_API T __tsan_atomic##n##_fetch_nand(volatile T *a, T v, int mo) { RMW_BODY(n, raw_nand##n(a, v)) } \
  static bool cas##n(volatile T *a, T *expected, T v, int mo, int fmo, uintptr_t pc) {           \
    struct race_thread *t = &race_tls;                                                           \
    bool check;                                                                                  \
    struct race_ctx *c = atomic_enter(t, &check);                                                \
    if (!c) return raw_cas##n(a, expected, v);                                                   \
    if (check) access_range(c, (uintptr_t)a, n / 8, ACC_ATOMIC, pc);                            \
    bool acq = is_acquire(mo) || is_acquire(fmo), rel = is_release(mo);                          \
    struct race_sync_ref ref;                                                                    \
    bool ok, released = false;                                                                   \
    if ((acq || rel) && sync_lock((uintptr_t)a, true, &ref)) {                                  \
      ok = raw_cas##n(a, expected, v);                                                           \
      if (ok ? is_acquire(mo) : is_acquire(fmo)) sync_acquire_locked(c, &ref);                   \
      if (ok && rel) {                                                                           \
        sync_release_locked(c, &ref, true);                                                      \
        released = true;                                                                         \
      }                                                                                          \
      sync_unlock(&ref);                                                                         \
    } else {                                                                                     \
      ok = raw_cas##n(a, expected, v);                                                           \
    }                                                                                            \
    if (released) ctx_epoch_next(c);                                                             \
    hook_exit(t);                                                                                \
    return ok;                                                                                   \
  }                                                                                              \
  RACE_API int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *e, T v, int mo, int fmo) { \
    return cas##n(a, e, v, mo, fmo, PC());                                                       \
  }                                                                                              \
  RACE_API int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *e, T v, int mo, int fmo) { \
    return cas##n(a, e, v, mo, fmo, PC());                                                       \
  }                                                                                              \
  RACE_API T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T e, T v, int mo, int fmo) { \
    cas##n(a, &e, v, mo, fmo, PC());                                                             \
    return e;                                                                                    \
  }

RACE_ATOMIC_TYPES(RACE_DEF_ATOMIC)
#undef RACE_DEF_ATOMIC

RACE_API void __tsan_atomic_thread_fence(int mo) { __atomic_thread_fence(__ATOMIC_SEQ_CST); (void)mo; }
RACE_API void __tsan_atomic_signal_fence(int mo) { __atomic_signal_fence(__ATOMIC_SEQ_CST); (void)mo; }

#endif
