/*
 * switch_aarch64.S - goroutine context switch for aarch64 (AAPCS64).
 *
 * rt_switch(void **save_sp /x0/, void *new_sp /x1/) stores the callee-saved
 * registers x19-x28, the frame pointer x29, the link register x30 and the
 * low halves d8-d15 of v8-v15 in a 160-byte frame on the current stack,
 * stores sp in *save_sp, then restores the same frame from new_sp and
 * returns to the restored x30. Layout in switch.h.
 */
	.text
	.globl	rt_switch
	.hidden	rt_switch
	.type	rt_switch, %function
	.p2align 4
rt_switch:
	.cfi_startproc
	sub	sp, sp, #160
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #160
	ret
	.cfi_endproc
	.size	rt_switch, .-rt_switch

/* First code a new goroutine runs; x30 is undefined so unwinders stop. */
	.globl	rt_switch_trampoline
	.hidden	rt_switch_trampoline
	.type	rt_switch_trampoline, %function
	.p2align 4
rt_switch_trampoline:
	.cfi_startproc
	.cfi_undefined x30
	mov	x29, #0
	mov	x30, #0
	bl	rt_goroutine_entry
	brk	#0
	.cfi_endproc
	.size	rt_switch_trampoline, .-rt_switch_trampoline

	.section .note.GNU-stack,"",%progbits
