// SPDX-License-Identifier: MIT
/* Linux's appended relocation table: find it, apply it (see elf.h for its layout). */
#include "bootparam.h"
#include "elf.h"

/* Count the entries of one list, walking down from *pos to its zero terminator. */
static bool count_list(const uint8_t *buf, size_t floor, size_t *pos, uint64_t *n)
{
	*n = 0;
	for (;;) {
		if (*pos < floor + 4)
			return false;
		*pos -= 4;
		if (kd_get_le32(buf + *pos) == 0)
			return true;
		(*n)++;
	}
}

enum kd_err kd_relocs_find(const uint8_t *buf, size_t len, size_t floor, struct kd_relocs *rel, struct kd_report *r)
{
	size_t pos = len;

	kd_memset(rel, 0, sizeof(*rel));
	if (floor > len || (len - floor) % 4)
		return kd_reject(r, KD_ERR_RELOC, "table is not a whole number of 32-bit entries",
				 "bytes after the ELF", len - floor, 4);
	rel->end = len;
	if (!count_list(buf, floor, &pos, &rel->n32))
		return kd_reject(r, KD_ERR_RELOC, "32-bit list has no terminator", "entries", rel->n32, 0);
	if (!count_list(buf, floor, &pos, &rel->n32inv))
		return kd_reject(r, KD_ERR_RELOC, "inverse 32-bit list has no terminator", "entries", rel->n32inv, 0);
	if (!count_list(buf, floor, &pos, &rel->n64))
		return kd_reject(r, KD_ERR_RELOC, "64-bit list has no terminator", "entries", rel->n64, 0);
	rel->start = pos;
	return KD_OK;
}

/* The spot an entry names, as an offset into the image linked at `link`; false if it is outside. */
static bool spot(uint32_t entry, uint64_t link, size_t image_size, unsigned width, uint64_t *off)
{
	uint64_t vaddr = (uint64_t)(int64_t)(int32_t)entry;

	*off = vaddr - KD_START_KERNEL_MAP - link;
	return vaddr >= KD_START_KERNEL_MAP + link && image_size >= width && *off <= image_size - width;
}

enum kd_err kd_relocs_apply(uint8_t *image, size_t image_size, uint64_t link, const uint8_t *table,
			    const struct kd_relocs *rel, uint64_t virt_addr, struct kd_report *r)
{
	const uint64_t delta = virt_addr - link;
	const uint8_t *e = table + rel->end;	/* walks down, list by list */
	uint64_t off;

	if (delta == 0)
		return KD_OK;
	for (uint64_t i = 0; i < rel->n32; i++) {
		e -= 4;
		if (!spot(kd_get_le32(e), link, image_size, 4, &off))
			return kd_reject(r, KD_ERR_RELOC, "32-bit relocation outside the kernel", "entry",
					 kd_get_le32(e), i);
		kd_put_le32(image + off, kd_get_le32(image + off) + (uint32_t)delta);
	}
	e -= 4;
	for (uint64_t i = 0; i < rel->n32inv; i++) {
		e -= 4;
		if (!spot(kd_get_le32(e), link, image_size, 4, &off))
			return kd_reject(r, KD_ERR_RELOC, "inverse 32-bit relocation outside the kernel", "entry",
					 kd_get_le32(e), i);
		kd_put_le32(image + off, kd_get_le32(image + off) - (uint32_t)delta);
	}
	e -= 4;
	for (uint64_t i = 0; i < rel->n64; i++) {
		e -= 4;
		if (!spot(kd_get_le32(e), link, image_size, 8, &off))
			return kd_reject(r, KD_ERR_RELOC, "64-bit relocation outside the kernel", "entry",
					 kd_get_le32(e), i);
		kd_put_le64(image + off, kd_get_le64(image + off) + delta);
	}
	return KD_OK;
}
