/* SPDX-License-Identifier: MIT */
/*
 * set_paging_mode(top, five_level): switch between 4- and 5-level paging,
 * with %cr3 = top (%edi), CR4.LA57 = five_level (%esi).
 *
 * LA57 may change only while paging is off, and paging can be turned off
 * only outside 64-bit mode.  So: far return to the 32-bit code segment,
 * paging off (the CPU leaves long mode; EFER.LME stays set), set or clear
 * LA57, load %cr3, paging on (long mode again, in compatibility mode), far
 * return to the 64-bit segment.  For that stretch every address is 32
 * bits: the caller makes sure this code, the stack, the GDT and top lie
 * below 4 GiB, identity-mapped in the tables we leave.
 *
 * Passing through legacy mode leaves r8-r15 and the upper halves of the
 * other registers undefined: the callee-saved ones wait on the stack, and
 * %rsp, below 4 GiB, comes back whole from %esp.  Interrupts are off
 * throughout the stub.
 */
#include "layout.h"

	.text
	.code64
	.globl set_paging_mode
set_paging_mode:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	leaq	back_to_64(%rip), %rdx		/* where the 32-bit code returns to */
	leaq	in_32(%rip), %rax
	pushq	$BOOT_CS32
	pushq	%rax
	lretq

	.code32
in_32:
	movl	%cr0, %eax
	btrl	$X86_CR0_PG_BIT, %eax
	movl	%eax, %cr0
	movl	%cr4, %eax
	btrl	$X86_CR4_LA57_BIT, %eax
	testl	%esi, %esi
	jz	1f
	btsl	$X86_CR4_LA57_BIT, %eax
1:	movl	%eax, %cr4
	movl	%edi, %cr3
	movl	%cr0, %eax
	btsl	$X86_CR0_PG_BIT, %eax
	movl	%eax, %cr0
	pushl	$BOOT_CS64
	pushl	%edx
	lret

	.code64
back_to_64:
	movl	%esp, %esp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
