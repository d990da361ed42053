/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's entry, where a stub jumps as to Linux's startup_64:
 * long mode, identity-mapped, at whatever physical address the stub chose,
 * %rsi = boot_params.  Until kernel_main() has built page tables for the
 * kernel's virtual range, nothing here may use a link-time address: every
 * reference is %rip-relative.
 */
#include "kernel.h"

	.section .head.text, "ax"
	.code64
	.globl startup_64
startup_64:
	cli
	cld
	/* boot_params, kept across the .bss clear in a register it does not touch */
	movq %rsi, %r15
	/*
	 * Nobody cleared .bss: a stub moves each segment's file bytes, and the
	 * rest of its memory holds whatever was there (Linux's head64.c clears
	 * its own .bss for the same reason).
	 */
	leaq __bss_start(%rip), %rdi
	leaq __bss_stop(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	leaq boot_stack_end(%rip), %rsp
	movq %r15, %rdi
	leaq _text(%rip), %rsi
	call kernel_main
1:	hlt
	jmp 1b

	.text
/*
 * void enter_virtual(uint64_t cr3, uint64_t shift, void (*next)(void)):
 * load our page tables, which map this code both where it runs now and
 * `shift` bytes higher, and go on at next + shift with the stack moved by
 * the same amount.  Never returns.
 */
	.globl enter_virtual
	.type enter_virtual, @function
enter_virtual:
	movq %rdi, %cr3
	addq %rsi, %rsp
	addq %rsi, %rdx
	jmpq *%rdx
	.size enter_virtual, . - enter_virtual

/* void debug_exit(uint32_t value): QEMU exits with status (value << 1) | 1 */
	.globl debug_exit
	.type debug_exit, @function
debug_exit:
	movl %edi, %eax
	movw $DEBUG_EXIT_PORT, %dx
	outl %eax, %dx
	/* no isa-debug-exit device: stay here, the test's timeout notices */
1:	cli
	hlt
	jmp 1b
	.size debug_exit, . - debug_exit

	.bss
	.balign 4096
	.globl boot_stack_end
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_end:
