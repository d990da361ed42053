// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kernel ELF loader and the relocation table on
 * arbitrary bytes, the way the stub uses them, with every buffer between
 * guard pages (guard.h) so that any access past either end faults:
 *
 *   - the input as a decompressed payload: kd_elf_read, kd_elf_place into
 *     a buffer that holds the input and room after it, then the table after
 *     the ELF found and applied to the placed image;
 *   - the input as a bare table, applied to a small image.
 *
 * The last input byte steers: bit 0 picks the link address (16 MiB, Debian's,
 * where table entries can land, or the lowest segment, where placement
 * succeeds more often), the rest the room after the input and the delta.
 * Every error must come with a reason; every table found must account for
 * exactly the bytes between its start and end.
 */
#include <stdlib.h>
#include <string.h>

#include "bootparam.h"
#include "elf.h"
#include "guard.h"
#include "kd.h"

#define DEBIAN_LINK 0x1000000ull	/* where Debian's kernels are linked */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The terminators a layout has: each list ends in one (elf.h). */
static uint64_t terminators(enum kd_relocs_layout layout)
{
	switch (layout) {
	case KD_RELOCS_NONE: return 0;
	case KD_RELOCS_TWO_LISTS: return 2;
	case KD_RELOCS_THREE_LISTS: return 3;
	}
	abort();
}

static void check_table(const uint8_t *buf, size_t len, size_t floor, const struct kd_relocs *rel)
{
	uint64_t words = terminators(rel->layout) + rel->n32 + rel->n32inv + rel->n64;

	if (rel->end != len || rel->start != floor || rel->end - rel->start != 4 * words)
		abort();
	if (rel->layout == KD_RELOCS_NONE)
		return;
	if (kd_get_le32(buf + rel->start) != 0 || kd_get_le32(buf + rel->start + 4 + 4 * rel->n64) != 0 ||
	    kd_get_le32(buf + rel->end - 4 - 4 * rel->n32) != 0 ||
	    (rel->layout == KD_RELOCS_TWO_LISTS && rel->n32inv != 0))
		abort();
}

/* Find the table in buf[floor..len) and apply it to image[0..image_size), linked at `link`. */
static void relocate(const uint8_t *buf, size_t len, size_t floor, uint8_t *image, size_t image_size,
		     uint64_t link, uint64_t delta)
{
	struct kd_relocs rel;
	struct kd_report r = { 0 };
	enum kd_err err = kd_relocs_find(buf, len, floor, &rel, &r);

	if (err && (err != KD_ERR_RELOC || !r.why))
		abort();
	if (err)
		return;
	check_table(buf, len, floor, &rel);
	err = kd_relocs_apply(image, image_size, link, buf, &rel, link + delta, &r);
	if (err && (err != KD_ERR_RELOC || !r.why))
		abort();
}

static void as_payload(const uint8_t *data, size_t size, uint8_t ctl, enum guard_side side)
{
	struct kd_elf_info info;
	struct kd_report r = { 0 };
	struct guarded gin, gbuf;
	const uint8_t *in = guarded_copy(&gin, data, size, side);
	enum kd_err err = kd_elf_read(in, size, &info, &r);

	if (err && (err != KD_ERR_ELF || !r.why))
		abort();
	if (!err && info.file_end > size)
		abort();
	if (err) {
		guarded_free(&gin);
		return;
	}

	uint64_t base = ctl & 1 ? info.mem_start : DEBIAN_LINK;
	size_t cap = size + (size_t)(ctl >> 1) * 4096;
	uint64_t need = info.mem_end > base ? info.mem_end - base : 0;
	size_t image_size = need < cap ? (size_t)need : cap;
	uint8_t *buf = guarded_alloc(&gbuf, cap, side);

	memcpy(buf, data, size);
	memset(buf + size, 0xcc, cap - size);
	err = kd_elf_place(buf, cap, &info, base, &r);
	if (err && (err != KD_ERR_ELF || !r.why))
		abort();
	/* the table is read from the input, as the stub reads it before the image grows over it */
	if (!err)
		relocate(in, size, info.file_end, buf, image_size, base, (uint64_t)ctl << 21);
	guarded_free(&gbuf);
	guarded_free(&gin);
}

static void as_table(const uint8_t *data, size_t size, uint8_t ctl, enum guard_side side)
{
	size_t image_size = (size_t)ctl * 16;
	struct guarded gin, gimage;
	const uint8_t *in = guarded_copy(&gin, data, size, side);
	uint8_t *image = guarded_alloc(&gimage, image_size, side);

	relocate(in, size, 0, image, image_size, DEBIAN_LINK, ((uint64_t)ctl << 21) - DEBIAN_LINK);
	guarded_free(&gimage);
	guarded_free(&gin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl = size ? data[size - 1] : 0;

	as_payload(data, size, ctl, guard_side_for(size));
	as_table(data, size, ctl, guard_side_for(size));
	return 0;
}
