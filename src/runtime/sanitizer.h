/*
 * sanitizer.h - telling ASan and TSan about stack switches (private).
 *
 * Sanitizers track one stack per thread. When weft switches stacks under a
 * thread's feet they must be told, or ASan reports false stack overflows
 * and TSan mixes up the shadow call stacks of unrelated goroutines:
 *   - TSan (WEFT_TSAN_FIBERS): each goroutine is a TSan fiber; we call
 *     __tsan_switch_to_fiber just before rt_switch. This is the build in
 *     which real TSan checks the scheduler's own synchronisation.
 *   - ASan (WEFT_ASAN_FIBERS): __sanitizer_start_switch_fiber before and
 *     __sanitizer_finish_switch_fiber after each switch, with the target
 *     stack's bounds.
 * In normal builds every macro here is empty.
 */
#ifndef WEFT_RUNTIME_SANITIZER_H
#define WEFT_RUNTIME_SANITIZER_H

#include <stddef.h>

#if defined(WEFT_TSAN_FIBERS)
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#endif

#if defined(WEFT_ASAN_FIBERS)
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
#endif

#endif
