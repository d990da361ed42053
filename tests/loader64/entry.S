/* SPDX-License-Identifier: MIT */
/*
 * loader64's entry: a Multiboot (version 1) kernel as far as QEMU -kernel
 * is concerned, so QEMU starts it in flat 32-bit protected mode with the
 * bzImage under test (and the initramfs) as modules.  Here it does what a
 * 64-bit boot loader (kexec, a VMM) has done before it jumps to a kernel's
 * 64-bit entry: an identity map of the low MAPPED_GIB GiB in 2 MiB pages
 * (beyond 4 GiB, so images can be loaded above it), long mode, a GDT
 * whose selectors are the ones the boot protocol names for that entry
 * (0x10 code, 0x18 data).  Then loader.c does the rest.
 *
 * Built with LOADER_LA57 (loader64-la57.bin), it enters long mode in
 * 5-level paging when the CPU has LA57, as a loader running a 5-level
 * kernel (kexec) hands over: the same map under a PML5.
 *
 * The file is loaded flat at 1 MiB through the header's address fields
 * (flag 16), so its link format does not matter to QEMU.
 */

#define MB_MAGIC		0x1badb002
#define MB_BOOTED		0x2badb002	/* in %eax at entry */
#define MB_FLAGS		0x00010003	/* modules page-aligned, memory map, address fields */

#define CR0_PG			0x80000000
#define CR4_PAE			0x20
#define CR4_LA57		0x1000
#define CPUID_7_ECX_LA57	0x10000
#define MSR_EFER		0xc0000080
#define EFER_LME		8		/* bit number */
#define PDE_LARGE		0x83		/* present, writable, 2 MiB */
#define PTE_TABLE		0x03		/* present, writable */

#define MAPPED_GIB		8		/* one page directory per GiB */

#define BOOT_CS			0x10
#define BOOT_DS			0x18

	.section .multiboot, "a"
	.balign	4
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	mb_header			/* header_addr */
	.long	_load_start			/* load_addr */
	.long	_load_end			/* load_end_addr */
	.long	_bss_end			/* bss_end_addr: QEMU zeroes up to it */
	.long	mb_entry			/* entry_addr */

	.text
	.code32
	.globl	mb_entry
mb_entry:
	cli
	cld
	movl	$stack_top, %esp
	movl	%ebx, %edi			/* the Multiboot info: loader_main's argument */
	cmpl	$MB_BOOTED, %eax
	jne	not_multiboot

	/* PML4[0] -> PDPT; PDPT[0..MAPPED_GIB) -> one PD each, of 512 2 MiB pages. */
	movl	$pdpt + PTE_TABLE, pml4
	movl	$pdpt, %ebx
	movl	$pd + PTE_TABLE, %eax
	movl	$MAPPED_GIB, %ecx
1:	movl	%eax, (%ebx)
	addl	$4096, %eax
	addl	$8, %ebx
	loop	1b
	movl	$pd, %ebx
	movl	$PDE_LARGE, %eax
	xorl	%edx, %edx
	movl	$MAPPED_GIB * 512, %ecx
2:	movl	%eax, (%ebx)
	movl	%edx, 4(%ebx)
	addl	$0x200000, %eax
	adcl	$0, %edx
	addl	$8, %ebx
	loop	2b

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
#ifdef LOADER_LA57
	movl	%eax, %esi
	xorl	%eax, %eax
	cpuid
	cmpl	$7, %eax
	jb	3f
	movl	$7, %eax
	xorl	%ecx, %ecx
	cpuid
	testl	$CPUID_7_ECX_LA57, %ecx
	jz	3f
	movl	$pml4 + PTE_TABLE, pml5		/* PML5[0] -> PML4: the same map */
	movl	%cr4, %eax
	orl	$CR4_LA57, %eax
	movl	%eax, %cr4
	movl	$pml5, %esi
3:	movl	%esi, %eax
#endif
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	btsl	$EFER_LME, %eax
	wrmsr
	lgdt	gdt_desc
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmp	$BOOT_CS, $long_mode

/* Not started by a Multiboot loader: nothing to report on, nothing to do. */
not_multiboot:
	hlt
	jmp	not_multiboot

	.code64
long_mode:
	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$stack_top, %esp
	movl	%edi, %edi
	call	loader_main			/* does not return */
3:	hlt
	jmp	3b

	.section .rodata
	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x10: 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x18: data */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.balign	4096
pml4:	.fill	4096, 1, 0
#ifdef LOADER_LA57
pml5:	.fill	4096, 1, 0
#endif
pdpt:	.fill	4096, 1, 0
pd:	.fill	MAPPED_GIB * 4096, 1, 0
	.fill	16384, 1, 0
stack_top:
