/* SPDX-License-Identifier: MIT */
/*
 * The head's placement macros (boot/head_plan.h), each wrapped as a SysV
 * function for tests/test_head_plan.c: the very instructions head_64.S
 * runs, on the host.
 */
#include "head_plan.h"

	.text

/* uint64_t head_plan_target(uint64_t link, uint32_t flags, uint32_t align, uint64_t load) */
	.globl	head_plan_target
head_plan_target:
	movq	%rdi, %rax
	plan_target %rax, %rcx, %esi, %edx, %r8, %r8d, %r9
	ret

/* uint64_t head_plan_copy_dest(uint64_t target, uint32_t init_size, uint32_t mem_len) */
	.globl	head_plan_copy_dest
head_plan_copy_dest:
	movq	%rdi, %rax
	plan_copy_dest %rax, %esi, %edx, %rcx, %ecx
	ret

/* uint32_t head_plan_copy_len(uint32_t file_len) */
	.globl	head_plan_copy_len
head_plan_copy_len:
	plan_copy_len %eax, %edi
	ret

/* bool head_plan_copy_safe(uint64_t src, uint64_t dest, uint64_t len) */
	.globl	head_plan_copy_safe
head_plan_copy_safe:
	plan_copy_check %rdi, %rsi, %rdx, %rcx, 1f
	movl	$1, %eax
	ret
1:	xorl	%eax, %eax
	ret

	.section .note.GNU-stack, "", @progbits
