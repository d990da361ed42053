/* SPDX-License-Identifier: MIT */
/*
 * The real-mode part of the bzImage: the boot sector with the setup header,
 * and the 16-bit code a BIOS loader (QEMU -kernel, GRUB's linux16) runs at
 * setup + 0x200.  What it must do before protected mode (boot protocol):
 * build boot_params from the header, ask the BIOS for the memory map
 * (int 0x15, E820), open A20, quiet the interrupt controllers, load a GDT
 * with flat 32-bit code (0x10) and data (0x18), set CR0.PE and jump to
 * code32_start with %esi = boot_params.
 *
 * Linked at 0: every address here is an offset in the setup segment.
 * kdecomp pack fills the header fields marked "pack", and the PE/COFF
 * header in front of the setup header (lib/kernel/pe.h), which makes the
 * image an EFI application too.
 */
#include "layout.h"

	.code16
	.section .text, "ax"
	.globl _start
_start:
	/*
	 * Room for the MZ and PE headers, which pack writes (lib/kernel/pe.h).
	 * Nothing here runs: BIOS loaders enter at 0x200.
	 */
	.org	0x1f1
hdr:
setup_sects:	.byte	SETUP_SECTS		/* sectors after the boot sector */
root_flags:	.word	0
syssize:	.long	0			/* pack: protected-mode size / 16 */
ram_size:	.word	0
vid_mode:	.word	0xffff			/* "normal" */
root_dev:	.word	0
boot_flag:	.word	0xAA55

	.org	0x200
	.byte	0xeb, start_of_setup - 1f	/* jump over the header (ABI: 0x200) */
1:
		.ascii	"HdrS"
version:	.word	0x020f			/* boot protocol 2.15 */
realmode_swtch:	.long	0
start_sys_seg:	.word	0x1000			/* obsolete */
kernel_version:	.word	version_string - 0x200
type_of_loader:	.byte	0
loadflags:	.byte	LOADED_HIGH
setup_move_size: .word	0x8000
code32_start:	.long	0x100000
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge: .long	0
heap_end_ptr:	.word	STACK_TOP - 0x200
ext_loader_ver:	.byte	0
ext_loader_type: .byte	0
cmd_line_ptr:	.long	0
initrd_addr_max: .long	0x7fffffff
kernel_alignment: .long	0x200000		/* pack: CONFIG_PHYSICAL_ALIGN */
relocatable_kernel: .byte 1
min_alignment:	.byte	21			/* log2 of 2 MiB */
xloadflags:	.word	XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_EFI_HANDOVER_64
cmdline_size:	.long	COMMAND_LINE_SIZE - 1
hardware_subarch: .long	0
hardware_subarch_data: .quad 0
payload_offset:	.long	0			/* pack */
payload_length:	.long	0			/* pack */
setup_data:	.quad	0
pref_address:	.quad	LOAD_PHYSICAL_ADDR
init_size:	.long	0			/* pack */
handover_offset: .long	0			/* pack: the EFI handover entry - 0x200 */
kernel_info_offset: .long 0
hdr_end:

start_of_setup:
	/*
	 * The loader set %ds = %es = %ss to the setup segment and %cs to it
	 * plus 0x20.  Make %cs the same segment so our offsets hold
	 * everywhere, and take a stack at the top of what heap_end_ptr allows.
	 */
	cli
	cld
	movw	%ds, %ax
	movw	%ax, %es
	movw	%ax, %ss
	movw	$STACK_TOP, %sp
	pushw	%ax
	pushw	$1f
	lretw
1:
	call	make_boot_params
	call	detect_memory
	call	enable_a20
	call	mask_interrupts
	jmp	enter_protected_mode

/* boot_params = zeroes, with the setup header (as the loader left it) at 0x1f1. */
make_boot_params:
	movw	$BOOT_PARAMS, %di
	movw	$4096 / 2, %cx
	xorw	%ax, %ax
	rep stosw
	movw	$hdr, %si
	movw	$BOOT_PARAMS + 0x1f1, %di
	movw	$hdr_end - hdr, %cx
	rep movsb
	ret

/* The BIOS memory map, entry by entry, into boot_params.e820_table. */
detect_memory:
	xorl	%ebx, %ebx
	movw	$BOOT_PARAMS + BP_E820_TABLE, %di
	xorw	%bp, %bp			/* entries so far */
2:	movl	$0xe820, %eax
	movl	$0x534d4150, %edx		/* "SMAP" */
	movl	$20, %ecx
	int	$0x15
	jc	3f
	cmpl	$0x534d4150, %eax
	jne	3f
	incw	%bp
	addw	$20, %di
	cmpw	$E820_MAX, %bp
	jae	3f
	testl	%ebx, %ebx
	jnz	2b
3:	movw	%bp, %ax
	movb	%al, BOOT_PARAMS + BP_E820_ENTRIES
	ret

/* The "fast A20" gate at port 0x92; QEMU and every modern chipset have it. */
enable_a20:
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xfe, %al			/* bit 0 would reset the machine */
	outb	%al, $0x92
	ret

/* No interrupts reach us until the kernel sets up its own: mask both PICs, NMI off. */
mask_interrupts:
	movb	$0x80, %al
	outb	%al, $0x70
	movb	$0xff, %al
	outb	%al, $0xa1
	movb	$0xfb, %al			/* all but the cascade */
	outb	%al, $0x21
	ret

enter_protected_mode:
	xorl	%ebx, %ebx
	movw	%ds, %bx
	shll	$4, %ebx			/* linear address of the setup segment */
	leal	gdt(%ebx), %eax
	movl	%eax, gdt_desc + 2
	lgdtl	gdt_desc
	lidtl	null_idt
	movl	code32_start, %eax		/* a loader may have moved the kernel */
	movl	%eax, code32_jump
	leal	BOOT_PARAMS(%ebx), %esi
	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	ljmpl	*code32_jump

	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x10: flat 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x18: flat data */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0				/* filled: linear address of gdt */
null_idt:
	.word	0
	.long	0
code32_jump:
	.long	0				/* filled: code32_start */
	.word	0x10

version_string:
	.fill	VERSION_MAX, 1, 0		/* pack: the kernel's version string */

	.org	(SETUP_SECTS + 1) * 512 - 1
	.byte	0
