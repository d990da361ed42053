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
 * Linux's relocation table, read backwards from its end:
 *
 *   [0][64-bit entries...][0][inverse 32-bit entries...][0][32-bit entries...]
 *                                                                       end ^
 *
 * Each entry is the low 32 bits of the link-time virtual address of a spot
 * to patch, sign-extended (the kernel lives at 0xffffffff8xxxxxxx).
 */
struct kd_relocs {
	uint64_t start;		/* offset of the table's first byte (its leading 0) */
	uint64_t end;		/* offset just past its last entry */
	uint64_t n32, n32inv, n64;
};

/* Find the table that ends at buf + len; it must start at or after `floor` (the ELF's end). */
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
 * an entry as  entry - KD_START_KERNEL_MAP - link  bytes into the image.
 */
enum kd_err kd_relocs_apply(uint8_t *image, size_t image_size, uint64_t link, const uint8_t *table,
			    const struct kd_relocs *rel, uint64_t virt_addr, struct kd_report *r);
#endif
