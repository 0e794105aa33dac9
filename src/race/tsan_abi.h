/*
 * tsan_abi.h - the entry points that compilers call from code built with
 * -fsanitize=thread, all in one place (private; defined in access.c and
 * atomic.c, exported from libweft-race).
 *
 * Emitted by gcc >= 12 and clang >= 14 for C (checked by
 * tests/race/all_constructs.c, built with both compilers and linked with
 * no undefined symbol):
 *
 *   __tsan_init()                          from each instrumented object's
 *                                          constructor; may come after other
 *                                          entry points (earlier constructors)
 *   __tsan_func_entry(call_pc)             every instrumented function's
 *   __tsan_func_exit()                     prologue and epilogue
 *   __tsan_{read,write}{1,2,4,8,16}(addr)  plain accesses, naturally aligned
 *   __tsan_unaligned_{read,write}{2,4,8,16}(addr)  under-aligned accesses
 *   __tsan_volatile_{read,write}{1,2,4,8,16}(addr) volatile accesses (gcc
 *                                          --param=tsan-distinguish-volatile=1,
 *                                          clang -mllvm -tsan-distinguish-volatile)
 *   __tsan_read_write{1,2,4,8,16}(addr), __tsan_unaligned_read_write{2,4,8,16}
 *                                          clang's compound x op= y
 *                                          (-mllvm -tsan-compound-read-before-write)
 *   __tsan_{read,write}_range(addr, size)  aggregates, variable-size copies
 *   __tsan_atomic{8,16,32,64,128}_{load,store,exchange,fetch_add,fetch_sub,
 *     fetch_and,fetch_or,fetch_xor,fetch_nand}(a, [v,] mo)
 *   __tsan_atomic{N}_compare_exchange_{strong,weak}(a, T *expected, T desired, mo, fail_mo)
 *                                          C11 compare-exchange (both compilers)
 *   __tsan_atomic{N}_compare_exchange_val(a, T expected, T desired, mo, fail_mo)
 *                                          __sync_val_compare_and_swap (clang)
 *   __tsan_atomic_thread_fence(mo), __tsan_atomic_signal_fence(mo)
 * and, not emitted by those compilers but part of TSan's interface and
 * cheap to provide: __tsan_{read,write}{1..16}_pc(addr, pc), newer clang's
 * __tsan_memcpy/__tsan_memmove/__tsan_memset, and the annotations
 * __tsan_acquire(addr) / __tsan_release(addr).
 *
 * mo is the C11 memory order as the compilers pass it:
 * 0 relaxed, 1 consume, 2 acquire, 3 release, 4 acq_rel, 5 seq_cst
 * (higher bits, e.g. gcc's HLE hints, are ignored).
 */
#ifndef WEFT_RACE_TSAN_ABI_H
#define WEFT_RACE_TSAN_ABI_H

#include <stddef.h>
#include <stdint.h>

typedef __int128 race_a128;

#define RACE_SIZES(X) X(1) X(2) X(4) X(8) X(16)
#define RACE_USIZES(X) X(2) X(4) X(8) X(16)

void __tsan_init(void);
void __tsan_func_entry(void *call_pc);
void __tsan_func_exit(void);
void __tsan_read_range(void *addr, unsigned long size);
void __tsan_write_range(void *addr, unsigned long size);
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void *__tsan_memcpy(void *dst, const void *src, size_t size);
void *__tsan_memmove(void *dst, const void *src, size_t size);
void *__tsan_memset(void *dst, int c, size_t size);

#define RACE_DECL_ACCESS(n)                               \
  void __tsan_read##n(void *addr);                         \
  void __tsan_write##n(void *addr);                        \
  void __tsan_volatile_read##n(void *addr);                \
  void __tsan_volatile_write##n(void *addr);               \
  void __tsan_read_write##n(void *addr);                   \
  void __tsan_read##n##_pc(void *addr, void *pc);          \
  void __tsan_write##n##_pc(void *addr, void *pc);
RACE_SIZES(RACE_DECL_ACCESS)
#undef RACE_DECL_ACCESS

#define RACE_DECL_UACCESS(n)                               \
  void __tsan_unaligned_read##n(void *addr);               \
  void __tsan_unaligned_write##n(void *addr);              \
  void __tsan_unaligned_read_write##n(void *addr);
RACE_USIZES(RACE_DECL_UACCESS)
#undef RACE_DECL_UACCESS

#define RACE_ATOMIC_TYPES(X) \
  X(8, uint8_t) X(16, uint16_t) X(32, uint32_t) X(64, uint64_t) X(128, race_a128)

#define RACE_DECL_ATOMIC(n, T)                                                                   \
  T __tsan_atomic##n##_load(const volatile T *a, int mo);                                        \
  void __tsan_atomic##n##_store(volatile T *a, T v, int mo);                                     \
  T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo);                                     \
  T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo);                                    \
  T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo);                                    \
  T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo);                                    \
  T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo);                                     \
  T __tsan_atomic##n##_fetch_xor(volatile T *a, T v, int mo);                                    \
  T __tsan_atomic##n##_fetch_nand(volatile T *a, T v, int mo);                                   \
  int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int fmo);     \
  int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int fmo);       \
  T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo);
RACE_ATOMIC_TYPES(RACE_DECL_ATOMIC)
#undef RACE_DECL_ATOMIC

void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_signal_fence(int mo);

#endif
