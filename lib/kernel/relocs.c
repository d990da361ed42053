// SPDX-License-Identifier: MIT
/* Linux's appended relocation table: find it, tell its layout, apply it (see elf.h for the layouts). */
#include "bootparam.h"
#include "elf.h"

#define RELOC_ENTRY_SIZE 4
/* the most terminators a known layout has (three lists) */
#define RELOCS_MAX_LISTS 3

const char *kd_relocs_layout_name(enum kd_relocs_layout layout)
{
	switch (layout) {
	case KD_RELOCS_NONE: return "none";
	case KD_RELOCS_THREE_LISTS: return "three lists: 64-bit, inverse 32-bit, 32-bit (to Linux 6.14)";
	case KD_RELOCS_TWO_LISTS: return "two lists: 64-bit, 32-bit (Linux 6.15 on)";
	}
	return "?";
}

/* Entries between the terminator at `zero` and the next one (or the end) at `next`. */
static uint64_t entries_between(size_t zero, size_t next)
{
	return (next - zero) / RELOC_ENTRY_SIZE - 1;
}

enum kd_err kd_relocs_find(const uint8_t *buf, size_t len, size_t floor, struct kd_relocs *rel, struct kd_report *r)
{
	size_t zero[RELOCS_MAX_LISTS];
	unsigned lists = 0;

	kd_memset(rel, 0, sizeof(*rel));
	if (floor > len || (len - floor) % RELOC_ENTRY_SIZE)
		return kd_reject(r, KD_ERR_RELOC, "table is not a whole number of 32-bit entries",
				 "bytes after the ELF", len - floor, RELOC_ENTRY_SIZE);
	rel->start = floor;
	rel->end = len;
	if (floor == len)
		return KD_OK;	/* KD_RELOCS_NONE */
	if (kd_get_le32(buf + floor) != 0)
		return kd_reject(r, KD_ERR_RELOC, "table does not start with the 64-bit list's terminator",
				 "first word", kd_get_le32(buf + floor), 0);
	for (size_t pos = floor; pos < len; pos += RELOC_ENTRY_SIZE) {
		uint32_t e = kd_get_le32(buf + pos);

		if (e == 0) {
			if (lists == RELOCS_MAX_LISTS)
				return kd_reject(r, KD_ERR_RELOC, "unknown table layout: more zero terminators "
						 "than the three lists Linux ever had", "terminators", lists + 1,
						 RELOCS_MAX_LISTS);
			zero[lists++] = pos;
		} else if (e < KD_RELOC_ENTRY_MIN) {
			return kd_reject(r, KD_ERR_RELOC, "relocation entry is no kernel address (bit 31 clear)",
					 "entry", e, (pos - floor) / RELOC_ENTRY_SIZE);
		}
	}
	if (lists == 1)
		return kd_reject(r, KD_ERR_RELOC, "unknown table layout: one terminator (Linux has three "
				 "lists to 6.14, two from 6.15)", "terminators", lists, RELOCS_MAX_LISTS);
	rel->n64 = entries_between(zero[0], zero[1]);
	if (lists == RELOCS_MAX_LISTS) {
		rel->layout = KD_RELOCS_THREE_LISTS;
		rel->n32inv = entries_between(zero[1], zero[2]);
	} else {
		rel->layout = KD_RELOCS_TWO_LISTS;
	}
	rel->n32 = entries_between(zero[lists - 1], len);
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
	if (rel->layout == KD_RELOCS_NONE)
		return kd_reject(r, KD_ERR_RELOC, "the kernel has no relocation table: it runs only where it is "
				 "linked", "virtual offset", virt_addr, link);
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
	if (rel->layout == KD_RELOCS_THREE_LISTS)
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
