// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the PE/COFF header reader (lib/kernel/pe.h,
 * kd_pe_read), which inspect and simulate --efi use on any image, ours or
 * Linux's, on arbitrary bytes between guard pages.  An accepted header
 * must lie inside the file as the reader promises: the MZ magic, the PE
 * signature at e_lfanew, the COFF header and the optional header up to its
 * data directories, PE32+, and a section table that is either empty or
 * exactly NumberOfSections entries, all inside the file.  Every field the
 * readers print is read, so one that lies past the end faults on the guard.
 */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [p, p + len) inside the file */
static bool inside(const uint8_t *file, size_t size, const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= file && b <= file + size && len <= (size_t)(file + size - b);
}

/* What the header promises, checked from the raw bytes rather than from the view. */
static void check_view(const struct kd_pe_view *v, const uint8_t *file, size_t size)
{
	size_t off = kd_get_le32(file + KD_MZ_LFANEW);
	const uint8_t *opt = file + off + 4 + sizeof(struct kd_coff_header);

	if (kd_get_le16(file) != KD_MZ_MAGIC || (const uint8_t *)v->coff != file + off + 4 ||
	    kd_get_le32(file + off) != KD_PE_MAGIC || (const uint8_t *)v->opt != opt ||
	    !inside(file, size, v->coff, sizeof(*v->coff)) ||
	    !inside(file, size, v->opt, offsetof(struct kd_pe_opt_header, dir)) || v->opt->magic != KD_PE_OPT_MAGIC_PE32P)
		abort();
	if (v->n_sections && ((const uint8_t *)v->sections != opt + v->coff->size_of_optional_header ||
			      v->n_sections != v->coff->number_of_sections ||
			      !inside(file, size, v->sections, v->n_sections * sizeof(*v->sections))))
		abort();
}

/* Every field inspect and simulate print or use; a sum, so none is optimised away. */
static uint64_t read_fields(const struct kd_pe_view *v)
{
	const struct kd_pe_opt_header *o = v->opt;
	uint64_t sum = v->coff->machine + o->subsystem + o->major_image_version + o->minor_image_version +
		       o->address_of_entry_point + o->image_base + o->section_alignment + o->file_alignment +
		       o->size_of_image + o->size_of_headers;

	for (unsigned i = 0; i < v->n_sections; i++) {
		const struct kd_pe_section *s = &v->sections[i];

		sum += strnlen(s->name, sizeof(s->name)) + s->virtual_address + s->virtual_size +
		       s->pointer_to_raw_data + s->size_of_raw_data + s->characteristics;
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guarded g;
	const uint8_t *file = guarded_copy(&g, data, size, guard_side_for(size));
	struct kd_pe_view v;
	static volatile uint64_t sink;

	if (kd_pe_read(file, size, &v)) {
		check_view(&v, file, size);
		sink = read_fields(&v);
	}
	guarded_free(&g);
	return 0;
}
