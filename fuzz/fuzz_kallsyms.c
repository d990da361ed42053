// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kallsyms finder and decoder on arbitrary bytes,
 * taken as one loadable segment mapped where a kernel's read-only data
 * is, beside an empty text segment where addresses may point.  The input
 * copy lies between guard pages (guard.h), so any read past either end of
 * the segment faults.  Whatever table is found must decode completely,
 * with every name NUL-terminated inside its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guarded g;
	const uint8_t *file = guarded_copy(&g, data, size, guard_side_for(size));
	struct kd_elf_info elf = { .n_load = 2 };
	struct kd_kallsyms ks;
	struct kd_report r = { 0 };
	struct kd_ksym_cursor c;
	static struct kd_ksym sym;

	elf.load[0] = (struct kd_elf_segment){ 0, 0x2000000, 0xffffffff82000000ull, size, size, 4 };
	elf.load[1] = (struct kd_elf_segment){ 0, 0x1000000, 0xffffffff81000000ull, 0, 0x1000000, 5 };
	enum kd_err err = kd_kallsyms_find(file, size, &elf, &ks, &r);
	if (err != KD_OK) {
		if (err != KD_ERR_KALLSYMS || !r.why)
			abort();
		guarded_free(&g);
		return 0;
	}
	kd_kallsyms_begin(&ks, &c);
	while (kd_kallsyms_next(&ks, &c, &sym))
		if (sym.name_len >= KD_KSYM_NAME_MAX || sym.name[sym.name_len] != 0 || strlen(sym.name) != sym.name_len)
			abort();
	if (c.index != ks.num_syms)
		abort();
	for (uint32_t i = 0; ks.seqs && i < ks.num_syms; i++)
		if (kd_kallsyms_name_order(&ks, i) >= ks.num_syms)
			abort();
	guarded_free(&g);
	return 0;
}
