/*
 * all_constructs.c - every construct gcc and clang instrument under
 * -fsanitize=thread, in one program. Building it proves that libweft-race
 * defines every entry point the compiler emitted (the link fails on any
 * undefined __tsan_ symbol); running it proves they work on one goroutine
 * without reporting anything.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <weft.h>

typedef __int128 i128;

struct big {
  char b[40];
};
struct __attribute__((packed)) packed {
  char c;
  int16_t s;
  int32_t i;
  int64_t l;
  i128 q;
};

_Atomic int8_t a8;
_Atomic int16_t a16;
_Atomic int32_t a32;
_Atomic int64_t a64;
_Atomic i128 a128 __attribute__((aligned(16)));
volatile int8_t v8;
volatile int16_t v16;
volatile int32_t v32;
volatile int64_t v64;
volatile i128 v128;
struct packed pk;
int8_t p8;
int16_t p16;
int32_t p32;
int64_t p64;
i128 p128;
struct big gb, gc;

#define OPS(A, T)                                                        \
  do {                                                                   \
    (void)atomic_load_explicit(&A, memory_order_relaxed);                \
    (void)atomic_load(&A);                                               \
    atomic_store_explicit(&A, 1, memory_order_release);                  \
    atomic_store(&A, 1);                                                 \
    (void)atomic_exchange(&A, 2);                                        \
    (void)atomic_fetch_add(&A, 1);                                       \
    (void)atomic_fetch_sub(&A, 1);                                       \
    (void)atomic_fetch_and(&A, 1);                                       \
    (void)atomic_fetch_or(&A, 1);                                        \
    (void)atomic_fetch_xor(&A, 1);                                       \
    T e = 0;                                                             \
    (void)atomic_compare_exchange_strong(&A, &e, 1);                     \
    (void)atomic_compare_exchange_weak(&A, &e, 1);                       \
    (void)__atomic_fetch_nand((T *)&A, 1, __ATOMIC_SEQ_CST);             \
    (void)__sync_val_compare_and_swap((T *)&A, 1, 2);                    \
    (void)__sync_bool_compare_and_swap((T *)&A, 2, 1);                   \
    (void)__atomic_nand_fetch((T *)&A, 1, __ATOMIC_SEQ_CST);             \
    (void)__atomic_add_fetch((T *)&A, 1, __ATOMIC_ACQ_REL);              \
  } while (0)

__attribute__((noinline)) static int64_t everything(struct big *b, struct big *c, int n, char *s) {
  p8++, p16++, p32++, p64++, p128++;
  v8++, v16++, v32++, v64++, v128++;
  pk.s++, pk.i++, pk.l++, pk.q++;
  int64_t sum = pk.s + pk.i + pk.l + (int64_t)pk.q;
  *b = *c;
  memcpy(b, c, (size_t)n);
  memmove(b, c, (size_t)n);
  memset(b, 0, (size_t)n);
  strcpy(s, "x");
  n += (int)strlen(s);
  char vla[n];
  vla[n - 1] = 1;
  vla[0] = 2;
  sum += vla[0] + vla[n - 1];
  OPS(a8, int8_t);
  OPS(a16, int16_t);
  OPS(a32, int32_t);
  OPS(a64, int64_t);
  OPS(a128, i128);
  atomic_thread_fence(memory_order_seq_cst);
  atomic_signal_fence(memory_order_seq_cst);
  return sum;
}

static int app_main(int argc, char **argv) {
  char buf[16];
  int64_t r = everything(&gb, &gc, (int)sizeof gb, buf);
  if (weft_race_count() != 0) {
    fprintf(stderr, "all_constructs: unexpected race report\n");
    return 1;
  }
  printf("all_constructs: ok (%lld)\n", (long long)r);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app_main, argc, argv); }
