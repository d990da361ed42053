/* SPDX-License-Identifier: MIT */
/*
 * The kernel ELF: checking it and placing its segments (what Linux's
 * parse_elf does), and the relocation table Linux appends after it.
 */
#ifndef KD_ELF_H
#define KD_ELF_H
#include "kd.h"

#define KD_ELF_MAX_PHDRS 32	/* vmlinux has 5; the limit keeps the copy on the stack */

struct kd_elf_segment {
	uint64_t offset;	/* p_offset: where the bytes are in the file */
	uint64_t paddr;		/* p_paddr */
	uint64_t vaddr;		/* p_vaddr */
	uint64_t filesz;
	uint64_t memsz;
	uint32_t flags;		/* PF_R / PF_W / PF_X */
};

struct kd_elf_info {
	uint64_t entry;			/* e_entry (Linux: the physical address of startup_64) */
	uint64_t file_end;		/* end of the ELF in its file: headers, sections, segments */
	uint64_t mem_start;		/* lowest p_paddr of a PT_LOAD */
	uint64_t mem_end;		/* highest p_paddr + p_memsz */
	unsigned n_load;
	struct kd_elf_segment load[KD_ELF_MAX_PHDRS];	/* the PT_LOADs in file order */
};

/* Validate an x86-64 kernel ELF at buf[0..len) and describe it. */
enum kd_err kd_elf_read(const uint8_t *buf, size_t len, struct kd_elf_info *info, struct kd_report *r);

/*
 * Move each PT_LOAD from its file offset to buf + (p_paddr - load_base), in
 * place, in file order: each segment moves down (checked), so it never
 * lands on a segment not yet moved.  buf has `cap` bytes of room.
 */
enum kd_err kd_elf_place(uint8_t *buf, size_t cap, const struct kd_elf_info *info, uint64_t load_base,
			 struct kd_report *r);

/*
 * Linux's relocation table, appended to the ELF before compression and
 * read backwards from its end.  Each entry is the low 32 bits of the
 * link-time virtual address of a spot to patch, sign-extended (the kernel
 * lives at 0xffffffff8xxxxxxx, so every entry has bit 31 set and none is
 * 0); a zero ends each list.  x86-64 kernels have used two layouts:
 *
 *   to 6.14  [0][64-bit entries][0][inverse 32-bit entries][0][32-bit entries]
 *   6.15 on  [0][64-bit entries][0][32-bit entries]                  end ^
 *
 * The inverse list held RIP-relative references to per-cpu variables
 * while .data..percpu was linked at address 0; 6.15 links it with the rest
 * of the kernel and dropped the list (Linux's "x86/boot/64: Remove inverse
 * relocations").  The layout is read from the table itself: as no entry is
 * 0, its zero words are exactly its terminators, three or two.  A kernel
 * that needs no relocations (CONFIG_RELOCATABLE=n, or no KASLR) has no
 * table at all.  Within each list the entries are sorted ascending.
 */
enum kd_relocs_layout {
	KD_RELOCS_NONE,		/* no table: nothing follows the ELF */
	KD_RELOCS_THREE_LISTS,	/* with the inverse 32-bit list (to 6.14) */
	KD_RELOCS_TWO_LISTS,	/* without it (6.15 on) */
};

/* The lowest entry a kernel spot can have: its address's low 32 bits have bit 31 set. */
#define KD_RELOC_ENTRY_MIN 0x80000000u

struct kd_relocs {
	enum kd_relocs_layout layout;
	uint64_t start;		/* offset of the table's first byte (its leading 0) */
	uint64_t end;		/* offset just past its last entry */
	uint64_t n32, n32inv, n64;	/* n32inv is 0 in the two-list layout */
};

/* The layout's name, for messages ("none", "three lists (to 6.14)", ...). */
const char *kd_relocs_layout_name(enum kd_relocs_layout layout);

/*
 * Find the table that fills buf[floor, len) exactly (floor: the ELF's end)
 * and tell its layout; an empty range is KD_RELOCS_NONE.  KD_ERR_RELOC
 * with the reason for anything else: not whole entries, no leading zero,
 * an entry that is no kernel address, or a number of terminators that no
 * layout has.
 */
enum kd_err kd_relocs_find(const uint8_t *buf, size_t len, size_t floor, struct kd_relocs *rel,
			   struct kd_report *r);

/*
 * Apply the table to a kernel placed at `image` (image_size bytes, linked to
 * run at KD_START_KERNEL_MAP + link) that is to run at the kernel virtual
 * address KD_START_KERNEL_MAP + virt_addr.  The patch is delta = virt_addr -
 * link: added to 32- and 64-bit absolute references,
 * subtracted from the inverse 32-bit ones (per-cpu offsets computed as
 * "symbol - address").  Where the kernel lands physically needs no patch on
 * x86-64: it finds its physical base itself at entry.  A spot is found from
 * an entry as  entry - KD_START_KERNEL_MAP - link  bytes into the image.  A
 * kernel without a table can only run where it was linked: any other
 * virt_addr is KD_ERR_RELOC.
 */
enum kd_err kd_relocs_apply(uint8_t *image, size_t image_size, uint64_t link, const uint8_t *table,
			    const struct kd_relocs *rel, uint64_t virt_addr, struct kd_report *r);
#endif
