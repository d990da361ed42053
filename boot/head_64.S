/* SPDX-License-Identifier: MIT */
/*
 * The head: the image's two entry points and its self-relocation, the
 * steps that must be assembly because they run before a stack, a GDT of
 * our own or long mode exist.
 *
 *   startup_32  (+0x000)  from the real-mode setup or a 32-bit loader (GRUB):
 *                         flat 32-bit protected mode, paging off, %esi = boot_params.
 *                         Builds a 4 GiB identity map, enters long mode and
 *                         joins startup_64.
 *   startup_64  (+0x200)  from 64-bit loaders (kexec, VMMs): long mode on the
 *                         loader's identity map, %rsi = boot_params.
 *
 * Both first check that the buffer [target, target + init_size) is RAM by
 * the e820 table (boot_params' and SETUP_E820_EXT's): short of memory, the first write there (the
 * 32-bit path's page tables) would triple-fault, so they say so and halt.
 * Then they copy the image (head, payload, main) to the top of the buffer
 * and jump to main there (main_64.S).
 *
 * Linked at 0, position independent: 32-bit code addresses itself through
 * %ebp (its load address, found with call/pop), 64-bit code RIP-relative.
 * boot_params stays in %esi/%rsi until main, which keeps it in %r15
 * (callee-saved, so C calls cannot clobber it).
 */
#include "head_plan.h"

/* A head info field, RIP-relative (no spaces: it is also a macro argument). */
#define HEAD_FIELD(off)	head_info+(off)-HEAD_INFO(%rip)
#define IDT64_SIZE	(X86_EXCEPTION_VECTORS * X86_GATE_SIZE)	/* the first IDT: the exception vectors */
#define SETUP_WALK_MAX	64	/* setup_data nodes the RAM check follows at most */

/* %ds, %es, %ss, %fs, %gs = the selector in %eax */
.macro load_data_segments
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
.endm

	.section .text, "ax"
	.code32
	.globl startup_32
startup_32:
	jmp	startup_32_body

	.org	HEAD_INFO
head_info:
	.ascii	"KDHEAD01"
	.fill	INFO_END - HEAD_INFO - 8, 1, 0	/* filled by kdecomp pack */

/*
 * The early exception handler: anything that faults before main has its
 * own IDT prints one line and halts.  64-bit, reached through idt64.
 */
	.code64
early_exception:
	leaq	early_msg(%rip), %rdi
	call	puts_64
	jmp	halt_64
early_msg:
	.asciz	"\r\nkdecomp: exception before relocation; halting\r\n"

	.org	STARTUP_64
	.globl startup_64
startup_64:
	cld
	cli
	xorl	%eax, %eax			/* null data segments: long mode ignores them */
	load_data_segments
join_64:
	movq	%rsi, %r15			/* boot_params, kept to the kernel */
	leaq	startup_32(%rip), %rbp		/* where we were loaded */

	/*
	 * target, as kd_plan_target (lib/kernel/plan.c) decides it: for a
	 * relocatable kernel the load address rounded up to kernel_alignment,
	 * never below the kernel's link address; for any other, its link
	 * address.  The image goes to the top of [target, target + init_size).
	 */
	movl	HEAD_FIELD(INFO_LINK), %ebx
	plan_target %rbx, %rbp, HEAD_FIELD(INFO_FLAGS), HEAD_FIELD(INFO_ALIGN), %rax, %eax, %rcx
	movq	%rbx, %r13			/* target: the start of the buffer */

	/*
	 * Nothing may be written to the buffer before we know it is RAM:
	 * its first and last bytes must lie in usable e820 entries.  The
	 * check's stack is the first IDT's room, in the image as loaded.
	 */
	leaq	idt64 + IDT64_SIZE(%rip), %rsp
	movq	%rbx, %rax
	call	ram_at_64
	jz	no_memory_64
	movl	HEAD_FIELD(INFO_INIT_SIZE), %eax
	leaq	-1(%rbx, %rax), %rax
	call	ram_at_64
	jz	no_memory_64

	plan_copy_dest %rbx, HEAD_FIELD(INFO_INIT_SIZE), HEAD_FIELD(INFO_MEM_LEN), %rax, %eax
					/* %rbx: where the image goes */

	/*
	 * kd_plan_copy_safe: the backward copy below must not run down over
	 * its own source (a kernel that must run below where it was loaded).
	 */
	plan_copy_len %ecx, HEAD_FIELD(INFO_FILE_LEN)
	plan_copy_check %rbp, %rbx, %rcx, %rax, copy_down_64

	/* An early stack in the destination's page-table area, which the copy does not touch. */
	movl	HEAD_FIELD(INFO_PGT_OFF), %eax
	leaq	(EARLY_STACK_PAGE + 1) * X86_PAGE_SIZE(%rbx, %rax), %rsp

	call	load_gdt64
	call	load_early_idt

	/*
	 * Copy backwards: the destination is never below the source, and may
	 * overlap it.  32 bytes a step in a plain loop, not `std; rep movsq`,
	 * which emulators run one element at a time.
	 */
	plan_copy_len %ecx, HEAD_FIELD(INFO_FILE_LEN)
	leaq	(%rbp, %rcx), %rsi
	leaq	(%rbx, %rcx), %rdi
1:	subq	$HEAD_COPY_STEP, %rsi
	subq	$HEAD_COPY_STEP, %rdi
	movq	0(%rsi), %rax
	movq	8(%rsi), %rdx
	movq	16(%rsi), %r8
	movq	24(%rsi), %r9
	movq	%rax, 0(%rdi)
	movq	%rdx, 8(%rdi)
	movq	%r8, 16(%rdi)
	movq	%r9, 24(%rdi)
	subl	$HEAD_COPY_STEP, %ecx
	jnz	1b

	/* Into main, in the copy; it reloads its own GDT there. */
	movq	%rbx, %r14			/* the relocated head */
	movl	HEAD_FIELD(INFO_MAIN_OFF), %eax
	addq	%rbx, %rax
	jmp	*%rax

/* Our GDT, and %cs reloaded from it by a far return. */
load_gdt64:
	leaq	gdt(%rip), %rax
	movq	%rax, gdt_desc + 2(%rip)
	lgdt	gdt_desc(%rip)
	popq	%rdx				/* return address */
	pushq	$BOOT_CS64
	pushq	%rdx
	lretq

/* Every vector of the first IDT goes to early_exception. */
load_early_idt:
	leaq	idt64(%rip), %rdi
	leaq	early_exception(%rip), %rax
	movl	$X86_EXCEPTION_VECTORS, %ecx
1:	movw	%ax, X86_GATE_OFF_LOW(%rdi)
	movw	$BOOT_CS64, X86_GATE_SELECTOR(%rdi)
	movw	$X86_GATE_INTERRUPT, X86_GATE_TYPE(%rdi)
	movq	%rax, %rdx
	shrq	$16, %rdx
	movw	%dx, X86_GATE_OFF_MID(%rdi)
	shrq	$16, %rdx
	movl	%edx, X86_GATE_OFF_HIGH(%rdi)
	movl	$0, X86_GATE_RESERVED(%rdi)
	addq	$X86_GATE_SIZE, %rdi
	loop	1b
	leaq	idt64(%rip), %rax
	movq	%rax, idt_desc + 2(%rip)
	lidt	idt_desc(%rip)
	ret

/*
 * Is the byte at %rax usable RAM by the e820 table?  ZF clear if so, and
 * also when boot_params (%rsi) has no entries: the loader then vouches for
 * memory itself.  The table is boot_params' first 128 entries, then those
 * of the SETUP_E820_EXT nodes on the setup_data list (a loader with more
 * entries passes the rest there).  A node is read only where it is sure to
 * be mapped, whichever entry brought us here: below 4 GiB, its first and
 * last bytes RAM by boot_params' entries; the walk stops at the first node
 * that is not, and after SETUP_WALK_MAX nodes (the list may loop: main
 * says so later).  Clobbers %rcx, %rdx, %rdi, %r8-%r11.
 */
ram_at_64:
	movzbl	BP_E820_ENTRIES(%rsi), %ecx
	testl	%ecx, %ecx
	jz	ram_yes_64
	call	bp_ram_at_64
	jnz	ram_yes_64
	movq	%rax, %r10			/* the byte asked about */
	movq	BP_SETUP_DATA(%rsi), %r8
	movl	$SETUP_WALK_MAX, %r9d
1:	testq	%r8, %r8
	jz	ram_no_64
	movl	$SETUP_HDR_SIZE, %r11d
	call	node_mapped_64			/* the header, before its len is read */
	jz	ram_no_64
	movl	SETUP_LEN(%r8), %r11d
	addq	$SETUP_HDR_SIZE, %r11
	call	node_mapped_64			/* the whole node */
	jz	ram_no_64
	cmpl	$SETUP_E820_EXT, SETUP_TYPE(%r8)
	jne	2f
	movl	SETUP_LEN(%r8), %eax
	xorl	%edx, %edx
	movl	$E820_ENTRY_SIZE, %ecx
	divl	%ecx
	movl	%eax, %ecx			/* entries in the node */
	leaq	SETUP_HDR_SIZE(%r8), %rdi
	movq	%r10, %rax
	call	entries_ram_at_64
	jnz	ram_yes_64
2:	movq	SETUP_NEXT(%r8), %r8
	decl	%r9d
	jnz	1b
ram_no_64:
	xorl	%edx, %edx
	ret
ram_yes_64:
	orl	$1, %edx
	ret

/*
 * Is the node [%r8, %r8 + %r11) (%r11 >= 1) below 4 GiB with its first and
 * last bytes RAM by boot_params' entries?  ZF clear if so.  Clobbers %rax,
 * %rcx, %rdx, %rdi.
 */
node_mapped_64:
	movq	%r8, %rax
	shrq	$32, %rax
	jnz	ram_no_64			/* at or above 4 GiB (and no sum below can wrap) */
	leaq	-1(%r8, %r11), %rax
	movq	%rax, %rdx
	shrq	$32, %rdx
	jnz	ram_no_64
	call	bp_ram_at_64
	jz	ram_no_64
	movq	%r8, %rax
	jmp	bp_ram_at_64

/* Is the byte at %rax RAM by boot_params' entries (at least one)?  ZF clear if so.  Clobbers %rcx, %rdx, %rdi. */
bp_ram_at_64:
	movzbl	BP_E820_ENTRIES(%rsi), %ecx
	cmpl	$E820_MAX, %ecx
	jbe	1f
	movl	$E820_MAX, %ecx
1:	leaq	BP_E820_TABLE(%rsi), %rdi
	/* fall through */

/* Is the byte at %rax in one of the %ecx RAM entries at %rdi?  ZF clear if so.  Clobbers %rcx, %rdx, %rdi. */
entries_ram_at_64:
	testl	%ecx, %ecx
	jz	ram_no_64
2:	cmpl	$E820_RAM, E820_TYPE(%rdi)
	jne	4f
	movq	%rax, %rdx
	subq	E820_ADDR(%rdi), %rdx		/* the offset into the entry */
	jb	4f
	cmpq	E820_SIZE(%rdi), %rdx
	jb	ram_yes_64
4:	addq	$E820_ENTRY_SIZE, %rdi
	loop	2b
	jmp	ram_no_64

/* Say which buffer was missing and halt: "not enough memory: ... [start, end) ...". */
no_memory_64:
	leaq	no_memory_msg(%rip), %rdi
	call	puts_64
	movq	%rbx, %rax
	call	puthex_64
	leaq	no_memory_sep(%rip), %rdi
	call	puts_64
	movl	HEAD_FIELD(INFO_INIT_SIZE), %eax
	addq	%rbx, %rax
	call	puthex_64
	leaq	no_memory_end(%rip), %rdi
	call	puts_64
	jmp	halt_64

/* The image lies where the copy would run down over itself: say so and halt. */
copy_down_64:
	leaq	copy_down_msg(%rip), %rdi
	call	puts_64
halt_64:
	cli
	hlt
	jmp	halt_64

/* The string at %rdi, on COM1 (before main, nobody has chosen a console yet). */
puts_64:
	movb	(%rdi), %al
	testb	%al, %al
	jz	1f
	call	putc_64
	incq	%rdi
	jmp	puts_64
1:	ret

putc_64:
	movb	%al, %ah
	movw	$X86_COM1 + UART_LSR, %dx	/* wait for room */
1:	inb	%dx, %al
	testb	$UART_LSR_THRE, %al
	jz	1b
	movw	$X86_COM1 + UART_THR, %dx
	movb	%ah, %al
	outb	%al, %dx
	ret

puthex_64:
	movq	%rax, %rcx
	leaq	hex_prefix(%rip), %rdi
	call	puts_64
	movl	$16, %esi
1:	rolq	$4, %rcx
	movl	%ecx, %eax
	andl	$15, %eax
	leaq	hex_digits(%rip), %rdi
	movb	(%rdi, %rax), %al
	call	putc_64
	decl	%esi
	jnz	1b
	ret

/*
 * The 32-bit entry.  Flat segments from the loader (or our setup), no stack
 * we may trust: boot_params' scratch field serves for the one call that
 * finds our address, as the boot protocol intends.
 */
	.code32
startup_32_body:
	cld
	cli
	movl	$BOOT_DS, %eax
	load_data_segments
	leal	BP_SCRATCH + 4(%esi), %esp
	call	1f
1:	popl	%ebp
	subl	$1b - startup_32, %ebp		/* %ebp: load address */

	/*
	 * The first page tables go in the pages just after the image as
	 * loaded: memory the loader gave us with the image (init_size from
	 * the load address) that nothing uses until main has its own tables,
	 * and that the copy never reaches (pack sizes init_size so).  Writing
	 * nothing else before long mode leaves startup_64 the one place that
	 * checks the buffer is RAM.
	 */
	movl	head_info + INFO_FILE_LEN - HEAD_INFO(%ebp), %ebx
	leal	X86_PAGE_SIZE - 1(%ebp, %ebx), %ebx
	andl	$~(X86_PAGE_SIZE - 1), %ebx	/* %ebx: early page tables */
	leal	(EARLY_STACK_PAGE + 1) * X86_PAGE_SIZE(%ebx), %esp

	/* 4 GiB identity map: PML4 -> PDPT -> 4 PDs of 2 MiB pages. */
	movl	%ebx, %edi
	xorl	%eax, %eax
	movl	$EARLY_PGT_PAGES * X86_PAGE_SIZE / 4, %ecx
	rep	stosl
	leal	EARLY_PDPT + X86_PTE_TABLE(%ebx), %eax
	movl	%eax, 0(%ebx)			/* PML4[0] = PDPT */
	leal	EARLY_PD + X86_PTE_TABLE(%ebx), %eax
	leal	EARLY_PDPT(%ebx), %edi
	movl	$EARLY_PDS, %ecx
3:	movl	%eax, (%edi)			/* PDPT[i] = PD i */
	addl	$X86_PAGE_SIZE, %eax
	addl	$PTE_BYTES, %edi
	loop	3b
	leal	EARLY_PD(%ebx), %edi
	movl	$X86_PTE_LEAF, %eax		/* 2 MiB pages from 0 */
	xorl	%edx, %edx
	movl	$EARLY_PDS * X86_PT_ENTRIES, %ecx
4:	movl	%eax, (%edi)
	movl	%edx, 4(%edi)
	addl	$X86_PMD_SIZE, %eax
	adcl	$0, %edx
	addl	$PTE_BYTES, %edi
	loop	4b

	/* PAE, CR3, EFER.LME, then paging: long mode (compatibility until the far jump). */
	movl	%cr4, %eax
	btsl	$X86_CR4_PAE_BIT, %eax
	movl	%eax, %cr4
	movl	%ebx, %cr3
	movl	$X86_MSR_EFER, %ecx
	rdmsr
	btsl	$X86_EFER_LME_BIT, %eax
	wrmsr

	leal	gdt(%ebp), %eax
	movl	%eax, gdt_desc + 2(%ebp)
	movl	$0, gdt_desc + 6(%ebp)
	lgdt	gdt_desc(%ebp)

	pushl	$BOOT_CS64
	leal	from_32(%ebp), %eax
	pushl	%eax
	movl	%cr0, %eax
	orl	$(1 << X86_CR0_PG_BIT) | (1 << X86_CR0_PE_BIT), %eax
	movl	%eax, %cr0
	lret

no_memory_msg:
	.ascii	"\r\nkdecomp: "
	.asciz	HEAD_NO_MEMORY_MSG
no_memory_sep:
	.asciz	", "
no_memory_end:
	.ascii	HEAD_NO_MEMORY_END
	.asciz	"\r\n -- System halted\r\n"
copy_down_msg:
	.ascii	"\r\nkdecomp: "
	.ascii	HEAD_COPY_DOWN_MSG
	.asciz	"\r\n -- System halted\r\n"
hex_prefix:
	.asciz	"0x"
hex_digits:
	.ascii	"0123456789abcdef"

	.code64
from_32:
	movl	%esi, %esi			/* boot_params is below 4 GiB; clear the upper half */
	xorl	%eax, %eax
	load_data_segments
	jmp	join_64

	boot_gdt
	.balign	8
	.word	0, 0, 0
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	0				/* filled at run time: where gdt is */
	.balign	8
	.word	0, 0, 0
idt_desc:
	.word	IDT64_SIZE - 1
	.quad	0
	.balign	16
idt64:
	.fill	IDT64_SIZE, 1, 0
	.globl head_end
head_end:
