/* SPDX-License-Identifier: MIT */
/*
 * Main's entry: the code the head jumps to once the image sits at the top
 * of the buffer.  From here on everything runs from the relocated copy:
 *
 *   reload the GDT (ours, here) and %cs          load_gdt
 *   clear .bss, take the real stack
 *   second IDT: page faults map on demand       load_stage2_idt()      idt.c
 *   identity page tables for what we touch      init_identity_maps()   ident_map.c
 *   decompress, place, relocate                 extract_kernel()       extract.c
 *   jump to the kernel, %rsi = boot_params
 *
 * In:  %r15 = boot_params, %r14 = the relocated head, %r13 = target.
 */
#include "layout.h"

	.section .head.text, "ax"
	.code64
	.globl main_entry
main_entry:
	jmp	relocated
	.org	MAIN_INFO
	.ascii	"KDMAIN01"			/* main.lds adds the sizes after it */

	.text
relocated:
	leaq	gdt(%rip), %rax
	movq	%rax, gdt_desc + 2(%rip)
	lgdt	gdt_desc(%rip)
	pushq	$BOOT_CS64
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs

	call	clear_bss			/* on the head's early stack, outside .bss */
	leaq	boot_stack_end(%rip), %rsp

	call	load_stage2_idt
	movq	%r15, %rdi
	movq	%r14, %rsi
	call	init_identity_maps
	movq	%r15, %rdi
	movq	%r14, %rsi
	movq	%r13, %rdx
	call	extract_kernel			/* returns the kernel's entry */
	movq	%r15, %rsi
	jmp	*%rax

/*
 * The EFI entries (boot/efi.c does the work), run in place wherever the
 * loader put the image, on the firmware's stack.  Both clear main's .bss
 * first: a PE loader zero-fills it, but a handover loader only copies the
 * file.  On failure efi_main returns an EFI status to the loader.
 *
 * efi_pe_entry: the PE entry point, Microsoft x64 ABI: %rcx = image
 * handle, %rdx = system table.  %rdi and %rsi are the caller's there
 * (callee-saved in that ABI, not in ours): kept across the call.
 */
	.globl efi_pe_entry
efi_pe_entry:
	pushq	%rdi
	pushq	%rsi
	subq	$8, %rsp			/* the stack 16-byte aligned at the call */
	movq	%rcx, %rdi
	movq	%rdx, %rsi
	xorl	%edx, %edx			/* no boot_params: efi_main builds them */
	call	efi_enter
	addq	$8, %rsp
	popq	%rsi
	popq	%rdi
	ret

/*
 * efi_handover_entry: the 64-bit EFI handover entry (ABI: startup_32 +
 * handover_offset + 0x200; pack sets handover_offset so), System V ABI:
 * %rdi = image handle, %rsi = system table, %rdx = boot_params the loader
 * filled.
 */
	.globl efi_handover_entry
efi_handover_entry:
	subq	$8, %rsp
	call	efi_enter
	addq	$8, %rsp
	ret

/* Clear .bss, then efi_main(%rdi, %rsi, %rdx). */
efi_enter:
	movq	%rdi, %r8
	movq	%rdx, %r9
	call	clear_bss
	movq	%r8, %rdi
	movq	%r9, %rdx
	jmp	efi_main

/* Zero _bss_start.._bss_end.  Clobbers %rax, %rcx, %rdi (not %rsi, %rdx, %r8, %r9). */
clear_bss:
	leaq	_bss_start(%rip), %rdi
	leaq	_bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep	stosb
	ret

	.section .rodata
	boot_gdt

	.data
	.balign	8
	.word	0, 0, 0
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	0				/* filled at run time */

	.section .bss
	.balign	16
boot_stack:
	.fill	BOOT_STACK_SIZE, 1, 0
	.globl boot_stack_end
boot_stack_end:
