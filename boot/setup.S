/* SPDX-License-Identifier: MIT */
/*
 * The real-mode part of the bzImage: the boot sector with the setup header,
 * and the 16-bit code a BIOS loader (QEMU -kernel, GRUB's linux16) runs at
 * setup + 0x200.  What it must do before protected mode (boot protocol):
 * build boot_params from the header, note the text mode (screen_info), ask
 * the BIOS for the memory map (int 0x15, E820), open A20, quiet the
 * interrupt controllers, load a GDT with flat 32-bit code (0x10) and data
 * (0x18), set CR0.PE and jump to code32_start with %esi = boot_params.
 *
 * Linked at 0: every address here is an offset in the setup segment.
 * kdecomp pack fills the header fields marked "pack", and the PE/COFF
 * header in front of the setup header (lib/kernel/pe.h), which makes the
 * image an EFI application too.
 */
#include "layout.h"

#define CGA_LINES		25	/* text rows without an EGA/VGA BIOS */
#define CGA_POINTS		8	/* a CGA character's height in scan lines */
#define NO_EGA_BL		0x10	/* int 0x10 AH=0x12's BL, back unchanged without EGA/VGA */
#define BDA_ROWS_LESS_ONE	0x484	/* BIOS data area: text rows - 1 (EGA/VGA) */
#define BDA_CHAR_HEIGHT		0x485	/* BIOS data area: character height (EGA/VGA) */

#define SETUP_ENTRY		0x200	/* ABI: where BIOS loaders enter; the header's offsets count from it */
#define JMP_SHORT		0xeb	/* the opcode of a jump by a signed byte */

/* BIOS services (int 0x10 video, int 0x15 system), by the AH or AX they take */
#define BIOS_VIDEO		0x10
#define VIDEO_GET_CURSOR	0x03
#define VIDEO_GET_MODE		0x0f
#define VIDEO_MODE_MASK		0x7f	/* AL bit 7 says "not cleared", not the mode */
#define VIDEO_EGA_INFO		0x12
#define VIDEO_DISPLAY_COMBO	0x1a00
#define VIDEO_DISPLAY_COMBO_OK	0x1a	/* AL after VIDEO_DISPLAY_COMBO, only on a VGA */
#define BIOS_SYSTEM		0x15
#define SYSTEM_E820		0xe820
#define E820_SMAP		0x534d4150	/* "SMAP", in EDX and back in EAX */

/* The boot protocol's flat segments for the 32-bit entry: __BOOT_CS and __BOOT_DS (our GDT below) */
#define PROTOCOL_CS		0x10
#define PROTOCOL_DS		0x18
#if PROTOCOL_DS != BOOT_DS
#error "the head reloads BOOT_DS: it must be the protocol's data selector"
#endif

	.code16
	.section .text, "ax"
	.globl _start
_start:
	/*
	 * Room for the MZ and PE headers, which pack writes (lib/kernel/pe.h).
	 * Nothing here runs: BIOS loaders enter at 0x200.
	 */
	.org	BP_SETUP_HEADER
hdr:
setup_sects:	.byte	SETUP_SECTS		/* sectors after the boot sector */
root_flags:	.word	0
syssize:	.long	0			/* pack: protected-mode size / 16 */
ram_size:	.word	0
vid_mode:	.word	0xffff			/* "normal" */
root_dev:	.word	0
boot_flag:	.word	0xAA55

	.org	SETUP_ENTRY
	.byte	JMP_SHORT, start_of_setup - 1f	/* jump over the header */
1:
		.ascii	"HdrS"
version:	.word	0x020f			/* boot protocol 2.15 */
realmode_swtch:	.long	0
start_sys_seg:	.word	0x1000			/* obsolete */
kernel_version:	.word	version_string - SETUP_ENTRY
type_of_loader:	.byte	0
loadflags:	.byte	LOADED_HIGH
setup_move_size: .word	0x8000
code32_start:	.long	0x100000
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge: .long	0
heap_end_ptr:	.word	STACK_TOP - SETUP_ENTRY
ext_loader_ver:	.byte	0
ext_loader_type: .byte	0
cmd_line_ptr:	.long	0
initrd_addr_max: .long	0x7fffffff
kernel_alignment: .long	0			/* pack: the kernel's (CONFIG_PHYSICAL_ALIGN) */
relocatable_kernel: .byte 0			/* pack: the kernel's */
min_alignment:	.byte	21			/* log2 of 2 MiB, the least x86-64 kernels take */
xloadflags:	.word	0			/* pack: what the stub and the kernel support */
cmdline_size:	.long	COMMAND_LINE_SIZE - 1
hardware_subarch: .long	0
hardware_subarch_data: .quad 0
payload_offset:	.long	0			/* pack */
payload_length:	.long	0			/* pack */
setup_data:	.quad	0
pref_address:	.quad	0			/* pack: the kernel's link address */
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
	call	store_screen_info
	call	detect_memory
	call	enable_a20
	call	mask_interrupts
	jmp	enter_protected_mode

/* boot_params = zeroes, with the setup header (as the loader left it) at 0x1f1. */
make_boot_params:
	movw	$BOOT_PARAMS, %di
	movw	$BP_SIZE / 2, %cx
	xorw	%ax, %ax
	rep stosw
	movw	$hdr, %si
	movw	$BOOT_PARAMS + BP_SETUP_HEADER, %di
	movw	$hdr_end - hdr, %cx
	rep movsb
	ret

/*
 * screen_info: the text mode the BIOS left, as the VGA BIOS reports it
 * (int 0x10), so the kernel's VGA console knows its screen.
 *   AH=0x03 (page BH): cursor row DH, column DL
 *   AH=0x0f: mode AL (bit 7 is "screen not cleared", not the mode),
 *            columns AH, active page BH
 *   AH=0x12 BL=0x10: EGA/VGA information in BX; BL comes back 0x10
 *            unchanged from an MDA or CGA, which have neither
 *   AX=0x1a00: read display combination; AL = 0x1a only on a VGA
 * On an EGA or VGA the BIOS data area (segment 0) holds the rows less one
 * (0x484) and the character height (0x485); older adapters have 25 rows
 * of 8-line (CGA) characters.
 */
store_screen_info:
	movb	$VIDEO_GET_CURSOR, %ah
	xorb	%bh, %bh
	int	$BIOS_VIDEO
	movb	%dl, BOOT_PARAMS + SI_ORIG_X
	movb	%dh, BOOT_PARAMS + SI_ORIG_Y
	movb	$VIDEO_GET_MODE, %ah
	int	$BIOS_VIDEO
	andb	$VIDEO_MODE_MASK, %al
	movb	%al, BOOT_PARAMS + SI_MODE
	movb	%ah, BOOT_PARAMS + SI_COLS
	movb	%bh, BOOT_PARAMS + SI_PAGE
	movb	$CGA_LINES, BOOT_PARAMS + SI_LINES
	movw	$CGA_POINTS, BOOT_PARAMS + SI_POINTS
	movb	$VIDEO_EGA_INFO, %ah
	movw	$NO_EGA_BL, %bx
	int	$BIOS_VIDEO
	movw	%bx, BOOT_PARAMS + SI_EGA_BX
	cmpb	$NO_EGA_BL, %bl
	je	1f
	xorw	%ax, %ax
	movw	%ax, %fs
	movb	%fs:BDA_ROWS_LESS_ONE, %al
	incb	%al
	movb	%al, BOOT_PARAMS + SI_LINES
	movw	%fs:BDA_CHAR_HEIGHT, %ax
	movw	%ax, BOOT_PARAMS + SI_POINTS
	movw	$VIDEO_DISPLAY_COMBO, %ax
	int	$BIOS_VIDEO
	cmpb	$VIDEO_DISPLAY_COMBO_OK, %al
	jne	1f
	movb	$1, BOOT_PARAMS + SI_IS_VGA
1:	ret

/* The BIOS memory map, entry by entry, into boot_params.e820_table. */
detect_memory:
	xorl	%ebx, %ebx
	movw	$BOOT_PARAMS + BP_E820_TABLE, %di
	xorw	%bp, %bp			/* entries so far */
2:	movl	$SYSTEM_E820, %eax
	movl	$E820_SMAP, %edx
	movl	$E820_ENTRY_SIZE, %ecx
	int	$BIOS_SYSTEM
	jc	3f
	cmpl	$E820_SMAP, %eax
	jne	3f
	incw	%bp
	addw	$E820_ENTRY_SIZE, %di
	cmpw	$E820_MAX, %bp
	jae	3f
	testl	%ebx, %ebx
	jnz	2b
3:	movw	%bp, %ax
	movb	%al, BOOT_PARAMS + BP_E820_ENTRIES
	ret

/* The "fast A20" gate; QEMU and every modern chipset have it. */
enable_a20:
	inb	$X86_PORT_A20, %al
	orb	$X86_A20_ENABLE, %al
	andb	$~X86_A20_RESET, %al
	outb	%al, $X86_PORT_A20
	ret

/* No interrupts reach us until the kernel sets up its own: mask both PICs, NMI off. */
mask_interrupts:
	movb	$X86_CMOS_NMI_OFF, %al
	outb	%al, $X86_PORT_CMOS_INDEX
	movb	$X86_PIC_MASK_ALL, %al
	outb	%al, $X86_PORT_PIC2_DATA
	movb	$X86_PIC1_MASK_ALL_BUT_CASCADE, %al
	outb	%al, $X86_PORT_PIC1_DATA
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
	orb	$1 << X86_CR0_PE_BIT, %al
	movl	%eax, %cr0
	ljmpl	*code32_jump

	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	X86_DESC_FLAT_CODE32		/* PROTOCOL_CS */
	.quad	X86_DESC_FLAT_DATA		/* PROTOCOL_DS */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0				/* filled: linear address of gdt */
null_idt:
	.word	0
	.long	0
code32_jump:
	.long	0				/* filled: code32_start */
	.word	PROTOCOL_CS

version_string:
	.fill	VERSION_MAX, 1, 0		/* pack: the kernel's version string */

	.org	(SETUP_SECTS + 1) * 512 - 1
	.byte	0
