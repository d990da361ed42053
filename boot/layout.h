/* SPDX-License-Identifier: MIT */
/*
 * The stub's layout constants, shared by the assembly, the C steps and
 * kdecomp pack (which includes this header to fill what the stub reads).
 *
 * The protected-mode part of the image:
 *
 *   0x000  head: startup_32 (ABI: code32_start lands here)
 *   0x010  the head info block, filled by pack (struct kd_head_info)
 *   0x200  startup_64 (ABI: 64-bit loaders jump to load address + 0x200)
 *          ... the rest of the head: relocation code, first GDT and IDT
 *   payload_offset   the compressed kernel, then its 4-byte size
 *   main_offset      main (page-aligned): the relocated code, extract_kernel,
 *                    decoder; then .bss (heap, stack, IDT) and the page-table
 *                    area, which are not in the file
 *
 * The head copies head + payload + main to the top of the buffer
 * [target, target + init_size) and runs main there; the kernel is
 * decompressed from the bottom of the buffer up towards the payload, which
 * is placed so that the output never overtakes the unread input (the
 * margin is derived in tools/pack.c).
 */
#ifndef KD_LAYOUT_H
#define KD_LAYOUT_H
#include "x86.h"

/*
 * Sectors after the boot sector: the setup region is 4 KiB, the least
 * OVMF's legacy Linux loader accepts, and the PE header's SizeOfHeaders,
 * so the protected-mode part starts page-aligned for the PE section table.
 */
#define SETUP_SECTS		7
#define SETUP_SIZE		((SETUP_SECTS + 1) * 512)
#define STACK_TOP		0xfc00	/* real-mode stack, below QEMU's heap_end */
#define BOOT_PARAMS		0x4000	/* boot_params in the setup segment: after the code */
/* boot_params fields the assembly touches (asserted against struct kd_boot_params below) */
#define BP_SIZE			0x1000
#define BP_SETUP_HEADER		0x1f1	/* the setup header, as in the image's boot sector */
#define BP_SCRATCH		0x1e4
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_SETUP_DATA		0x250	/* hdr.setup_data: the first setup_data node */
/* a setup_data node (struct kd_setup_data): next, type, len, then len bytes of data */
#define SETUP_NEXT		0
#define SETUP_TYPE		8
#define SETUP_LEN		12
#define SETUP_HDR_SIZE		16
#define SETUP_E820_EXT		1	/* the node's data: e820 entries beyond boot_params' 128 */
/* an e820 entry (struct kd_e820_entry): start, length, type */
#define E820_ENTRY_SIZE		20
#define E820_ADDR		0
#define E820_SIZE		8
#define E820_TYPE		16
/* screen_info, at the start of boot_params (struct kd_screen_info) */
#define SI_ORIG_X		0x00
#define SI_ORIG_Y		0x01
#define SI_PAGE			0x04
#define SI_MODE			0x06
#define SI_COLS			0x07
#define SI_EGA_BX		0x0a
#define SI_LINES		0x0e
#define SI_IS_VGA		0x0f
#define SI_POINTS		0x10
#define E820_MAX		128
#define E820_RAM		1	/* usable memory, in an e820 entry's type */
#define VERSION_MAX		192
#define COMMAND_LINE_SIZE	2048
#define LOADED_HIGH		0x01

#define BOOT_CS32		0x08	/* our GDTs: 32-bit code, 64-bit code, data */
#define BOOT_CS64		0x10
#define BOOT_DS			0x18

/* Each exception entry point (idt_handlers_64.S) starts this far from the previous one: IDT gates find them so. */
#define VECTOR_STUB_SIZE	16


#if defined(__ASSEMBLER__) && !defined(LINKER_SCRIPT)
/*
 * The GDT the head and main each carry (they are linked apart): flat
 * segments at the selectors above.  Labels gdt and gdt_end.
 */
.macro boot_gdt
	.balign	16
gdt:
	.quad	0
	.quad	X86_DESC_FLAT_CODE32		/* BOOT_CS32 */
	.quad	X86_DESC_FLAT_CODE64		/* BOOT_CS64 */
	.quad	X86_DESC_FLAT_DATA		/* BOOT_DS */
gdt_end:
.endm
#endif

#define HEAD_INFO		0x10
#define STARTUP_64		0x200
#define HEAD_COPY_STEP		32	/* bytes the head's self-copy moves per step */

/* Offsets in the head info block (relative to the start of the head). */
#define INFO_PAYLOAD_OFF	0x18
#define INFO_PAYLOAD_LEN	0x1c
#define INFO_MAIN_OFF		0x20
#define INFO_FILE_LEN		0x24	/* head + payload + main's file bytes */
#define INFO_MEM_LEN		0x28	/* ... plus main's .bss and page-table area */
#define INFO_INIT_SIZE		0x2c
#define INFO_PGT_OFF		0x30	/* the early page tables, from the head */
#define INFO_ALIGN		0x34	/* kernel_alignment */
#define INFO_OUT_LEN		0x38	/* decompressed payload length */
#define INFO_KERNEL_MEM		0x3c	/* the kernel's memory: highest p_paddr + p_memsz - link */
#define INFO_FLAGS		0x40	/* HEAD_* below */
#define INFO_LINK		0x44	/* the kernel's link-time physical address: its lowest p_paddr */
#define INFO_END		0x48

/*
 * What pack read from the kernel (lib/kernel/plan.h says what each means):
 * built for 5-level paging (XLF_5LEVEL_ENABLED), relocatable, and carrying
 * a relocation table.
 */
#define HEAD_5LEVEL		0x01
#define HEAD_RELOCATABLE	0x02
#define HEAD_RELOCS		0x04

/* Main's header, at the start of main (after its 8-byte entry jump). */
#define MAIN_INFO		0x08
#define MAIN_FILE_END		0x10	/* size of main in the file */
#define MAIN_MEM_END		0x14	/* size of main in memory */
#define MAIN_PGT		0x18	/* offset of the page-table area */
#define MAIN_HEAP_SIZE		0x1c
#define MAIN_EFI_PE_ENTRY	0x20	/* offset of efi_pe_entry: the PE image's entry point */
#define MAIN_EFI_HANDOVER	0x24	/* offset of efi_handover_entry: the 64-bit EFI handover entry */

/*
 * The head's two halts, on COM1 after "kdecomp: ", written here once for
 * head_64.S to print and kdecomp simulate to predict word for word.  The
 * first is followed by the buffer's start and end (each "0x" and 16 hex
 * digits, a ", " between) and HEAD_NO_MEMORY_END.
 */
#define HEAD_NO_MEMORY_MSG	"not enough memory: the decompression buffer ["
#define HEAD_NO_MEMORY_END	") (init_size from the load address rounded up to kernel_alignment, " \
				"at least the kernel's link address) is not all RAM in the e820 map"
#define HEAD_COPY_DOWN_MSG	"the image is loaded above where this kernel must run and would copy " \
				"down over itself; load it lower"

/* The page-table area: early tables (PML4, PDPT, 4 PDs for 4 GiB), an early stack page, a pool. */
#define EARLY_PDS		4	/* page directories: 4 x 1 GiB */
#define EARLY_PDPT		X86_PAGE_SIZE	/* offsets from the PML4 */
#define EARLY_PD		(2 * X86_PAGE_SIZE)
#define EARLY_PGT_PAGES		(2 + EARLY_PDS)
#define PTE_BYTES		8
#define EARLY_STACK_PAGE	6
#define PGT_POOL_FIRST		7
#define PGT_POOL_PAGES		64

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#include "bootparam.h"
#include "plan.h"

/* The head info block (HEAD_INFO), as pack writes it and the head and main read it. */
struct kd_head_info {
	char magic[8];		/* "KDHEAD01" */
	uint32_t payload_off, payload_len, main_off, file_len, mem_len, init_size, pgt_off, align;
	uint32_t out_len, kernel_mem, flags, link;
};
/* The assembly reads these fields by the offsets above: they must agree. */
#define KD_INFO_AT(field, off) \
	_Static_assert(HEAD_INFO + offsetof(struct kd_head_info, field) == (off), #field)
KD_INFO_AT(payload_off, INFO_PAYLOAD_OFF);
KD_INFO_AT(payload_len, INFO_PAYLOAD_LEN);
KD_INFO_AT(main_off, INFO_MAIN_OFF);
KD_INFO_AT(file_len, INFO_FILE_LEN);
KD_INFO_AT(mem_len, INFO_MEM_LEN);
KD_INFO_AT(init_size, INFO_INIT_SIZE);
KD_INFO_AT(pgt_off, INFO_PGT_OFF);
KD_INFO_AT(align, INFO_ALIGN);
KD_INFO_AT(out_len, INFO_OUT_LEN);
KD_INFO_AT(kernel_mem, INFO_KERNEL_MEM);
KD_INFO_AT(flags, INFO_FLAGS);
KD_INFO_AT(link, INFO_LINK);
_Static_assert(sizeof(struct kd_head_info) == INFO_END - HEAD_INFO, "head info layout");

/* The kernel's placement facts, as the plan takes them. */
static inline struct kd_plan_kernel head_plan_kernel(const struct kd_head_info *i)
{
	return (struct kd_plan_kernel){
		.link = i->link, .align = i->align, .kernel_mem = i->kernel_mem,
		.needed = i->out_len > i->kernel_mem ? i->out_len : i->kernel_mem,
		.relocatable = i->flags & HEAD_RELOCATABLE, .relocs = i->flags & HEAD_RELOCS,
		.five_level = i->flags & HEAD_5LEVEL,
	};
}

/* The assembly reads boot_params and its e820 table by the offsets above. */
#define KD_BP_AT(field, off) _Static_assert(offsetof(struct kd_boot_params, field) == (off), #field)
KD_BP_AT(scratch, BP_SCRATCH);
KD_BP_AT(e820_entries, BP_E820_ENTRIES);
KD_BP_AT(e820_table, BP_E820_TABLE);
KD_BP_AT(hdr, BP_SETUP_HEADER);
_Static_assert(sizeof(struct kd_boot_params) == BP_SIZE, "boot_params size");
_Static_assert(BP_SETUP_HEADER == KD_SETUP_HEADER_OFFSET, "setup header offset");
#define KD_E820_AT(field, off) _Static_assert(offsetof(struct kd_e820_entry, field) == (off), #field)
KD_E820_AT(addr, E820_ADDR);
KD_E820_AT(size, E820_SIZE);
KD_E820_AT(type, E820_TYPE);
_Static_assert(sizeof(struct kd_e820_entry) == E820_ENTRY_SIZE, "e820 entry size");
_Static_assert(E820_MAX == KD_E820_MAX && E820_RAM == KD_E820_RAM, "e820 table");
_Static_assert(KD_HDR_OFF(setup_data) == BP_SETUP_DATA, "setup_data");
#define KD_SETUP_AT(field, off) _Static_assert(offsetof(struct kd_setup_data, field) == (off), #field)
KD_SETUP_AT(next, SETUP_NEXT);
KD_SETUP_AT(type, SETUP_TYPE);
KD_SETUP_AT(len, SETUP_LEN);
KD_SETUP_AT(data, SETUP_HDR_SIZE);
_Static_assert(SETUP_E820_EXT == KD_SETUP_E820_EXT, "SETUP_E820_EXT");

/* What the head's copy moves: head + payload + main's file bytes, in whole steps. */
static inline uint64_t head_copy_len(const struct kd_head_info *i)
{
	return KD_ALIGN_UP((uint64_t)i->file_len, HEAD_COPY_STEP);
}

/* Where the head copies the image: the top of the buffer [target, target + init_size). */
static inline uint64_t head_copy_dest(const struct kd_head_info *i, uint64_t target)
{
	return target + i->init_size - i->mem_len;
}

/* setup.S fills screen_info by the offsets above. */
#define KD_SI_AT(field, off) _Static_assert(offsetof(struct kd_screen_info, field) == (off), #field)
KD_SI_AT(orig_x, SI_ORIG_X);
KD_SI_AT(orig_y, SI_ORIG_Y);
KD_SI_AT(orig_video_page, SI_PAGE);
KD_SI_AT(orig_video_mode, SI_MODE);
KD_SI_AT(orig_video_cols, SI_COLS);
KD_SI_AT(orig_video_ega_bx, SI_EGA_BX);
KD_SI_AT(orig_video_lines, SI_LINES);
KD_SI_AT(orig_video_is_vga, SI_IS_VGA);
KD_SI_AT(orig_video_points, SI_POINTS);

/* Main's header (MAIN_INFO), as the linker fills it. */
struct kd_main_info {
	char magic[8];		/* "KDMAIN01" */
	uint32_t file_end, mem_end, pgt, heap_size;
	uint32_t efi_pe_entry, efi_handover;
};

/* main.lds.S writes these fields at the offsets above. */
#define KD_MAIN_AT(field, off) \
	_Static_assert(MAIN_INFO + offsetof(struct kd_main_info, field) == (off), #field)
KD_MAIN_AT(file_end, MAIN_FILE_END);
KD_MAIN_AT(mem_end, MAIN_MEM_END);
KD_MAIN_AT(pgt, MAIN_PGT);
KD_MAIN_AT(heap_size, MAIN_HEAP_SIZE);
KD_MAIN_AT(efi_pe_entry, MAIN_EFI_PE_ENTRY);
KD_MAIN_AT(efi_handover, MAIN_EFI_HANDOVER);
#endif
#endif
