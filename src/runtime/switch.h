/*
 * switch.h - the stack switch (private; switch_x86_64.S, switch_aarch64.S).
 *
 * rt_switch saves the callee-saved registers of the running context on its
 * own stack, stores the resulting stack pointer in *save_sp, loads new_sp
 * and restores the registers found there. Everything else (caller-saved
 * registers) is already dead across a call, so this is the whole context:
 * no signal mask, no FP environment (like Go's gogo; swapcontext's
 * sigprocmask syscall is what makes it slow).
 *
 * Saved frame at *save_sp, lowest address first:
 *   x86-64:  r15 r14 r13 r12 rbx rbp  return-address          (7 words)
 *   aarch64: x19 x20 ... x28 x29(fp) x30(lr)  d8 ... d15        (20 words)
 * The return address (x86-64) or lr (aarch64) is the pc the context resumes
 * at; together with the saved frame pointer it is where an unwinder starts
 * for a parked goroutine (src/debug).
 *
 * A fresh goroutine's stack is prepared by rt_switch_prepare so that the
 * first switch to it "returns" into rt_switch_trampoline, which calls
 * rt_goroutine_entry() and never returns.
 */
#ifndef WEFT_RUNTIME_SWITCH_H
#define WEFT_RUNTIME_SWITCH_H

#include <stdint.h>

#if defined(__x86_64__)
enum { SWITCH_FRAME_WORDS = 7, SWITCH_PC_SLOT = 6, SWITCH_FP_SLOT = 5 };
#elif defined(__aarch64__)
enum { SWITCH_FRAME_WORDS = 20, SWITCH_PC_SLOT = 11, SWITCH_FP_SLOT = 10 };
#else
#error "weft: unsupported architecture"
#endif

void rt_switch(void **save_sp, void *new_sp);
void rt_switch_trampoline(void);
_Noreturn void rt_goroutine_entry(void);

/* Lays out a switch frame at the top of [lo, hi) and returns the sp to
 * switch to. */
static inline void *rt_switch_prepare(char *hi) {
  uintptr_t top = ((uintptr_t)hi & ~(uintptr_t)15) - 16; /* room for a zero "caller" */
  uintptr_t *sp = (uintptr_t *)(top - SWITCH_FRAME_WORDS * sizeof(uintptr_t));
  for (int i = 0; i < SWITCH_FRAME_WORDS; i++) sp[i] = 0;
  sp[SWITCH_PC_SLOT] = (uintptr_t)rt_switch_trampoline;
  ((uintptr_t *)top)[0] = 0;
  ((uintptr_t *)top)[1] = 0;
  return sp;
}

#endif
