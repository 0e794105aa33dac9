/*
 * switch_x86_64.S - goroutine context switch for x86-64 (System V ABI).
 *
 * rt_switch(void **save_sp /rdi/, void *new_sp /rsi/) pushes the six
 * callee-saved integer registers, stores rsp in *save_sp, loads new_sp and
 * pops the same six registers from the other stack, then returns into the
 * other context. The frame layout is documented in switch.h; src/debug
 * reads it to unwind parked goroutines.
 *
 * MXCSR and the x87 control word are not switched: goroutines are assumed
 * not to change the floating-point environment (Go makes the same choice).
 */
	.text
	.globl	rt_switch
	.hidden	rt_switch
	.type	rt_switch, @function
	.p2align 4
rt_switch:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -48
	ret
	.cfi_endproc
	.size	rt_switch, .-rt_switch

/*
 * First code a new goroutine runs: the prepared frame "returns" here with
 * rsp 16-byte aligned. rip is marked undefined so unwinders stop here.
 */
	.globl	rt_switch_trampoline
	.hidden	rt_switch_trampoline
	.type	rt_switch_trampoline, @function
	.p2align 4
rt_switch_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	call	rt_goroutine_entry
	ud2
	.cfi_endproc
	.size	rt_switch_trampoline, .-rt_switch_trampoline

	.section .note.GNU-stack,"",@progbits
