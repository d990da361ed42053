/* SPDX-License-Identifier: MIT */
/*
 * Exception entry points for the second IDT: one per vector 0..31, each
 * pushing a dummy error code where the CPU pushes none, then its vector,
 * so that one common path can save registers and call do_exception().
 */
#include "layout.h"

	.text
	.code64

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro	vector v
	.balign	VECTOR_STUB_SIZE
	.if	!HAS_ERROR_CODE(\v)
	pushq	$0
	.endif
	pushq	$\v
	jmp	exception_common
	.endm

	.balign	VECTOR_STUB_SIZE
	.globl	exception_vectors
exception_vectors:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vector	\v
	.endr

/* Stack: vector, error code, then the CPU's frame (rip, cs, rflags, rsp, ss). */
exception_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	%rsp, %rdi			/* struct exception_frame * */
	call	do_exception			/* returns only when the fault is handled */
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$2 * 8, %rsp			/* vector and error code */
	iretq
