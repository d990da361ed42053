// SPDX-License-Identifier: MIT
/* The EFI entry's decisions (see efi_boot.h). */
#include "efi_boot.h"

/* Our allocations between sizing the map and the final GetMemoryMap each add a descriptor or two. */
#define MAP_SLACK_DESCS		16
/* The first call, and one more after a stale key. */
#define EXIT_TRIES		2

void kd_efi_map_reserve(struct kd_efi_mmap *m, uint64_t size, uint64_t desc_size)
{
	m->desc_size = desc_size;
	m->capacity = size + MAP_SLACK_DESCS * desc_size;
}

unsigned kd_efi_e820_cap(const struct kd_efi_mmap *m)
{
	return (unsigned)kd_efi_desc_count(m->capacity, m->desc_size);
}

enum kd_err kd_efi_buffer_addr(const struct kd_efi_mmap *m, const struct kd_plan_kernel *k, uint64_t init_size,
			       uint64_t *addr, struct kd_report *r)
{
	uint64_t bytes = KD_ALIGN_UP(init_size, 1ull << KD_EFI_PAGE_SHIFT);
	/* a kernel that must run at its link address takes it at page granularity or not at all */
	uint64_t align = k->relocatable ? k->align : 1ull << KD_EFI_PAGE_SHIFT;

	*addr = kd_efi_lowest_free(m->map, m->size, m->desc_size, bytes, align, k->link);
	if (!k->relocatable && *addr != k->link)
		return kd_reject(r, KD_ERR_PLACE, "the kernel is not relocatable and its link address is not free memory",
				 "link", k->link, bytes);
	if (!*addr)
		return kd_reject(r, KD_ERR_PLACE, "no memory for the decompression buffer (init_size at kernel_alignment)",
				 "init_size", init_size, k->align);
	return KD_OK;
}

efi_status kd_efi_exit_boot_services(const struct efi_boot_services *bs, efi_handle image, struct kd_efi_mmap *m,
				     struct kd_report *r)
{
	efi_status s = EFI_INVALID_PARAMETER;

	m->exit_calls = 0;
	while (s == EFI_INVALID_PARAMETER && m->exit_calls < EXIT_TRIES) {
		m->size = m->capacity;
		s = bs->get_memory_map(&m->size, m->map, &m->key, &m->desc_size, &m->desc_version);
		if (EFI_IS_ERROR(s)) {
			kd_reject(r, KD_ERR_PLACE, "GetMemoryMap failed", NULL, s, 0);
			return s;
		}
		if (kd_efi_map_check(m->map, m->size, m->desc_size, r) != KD_OK)
			return EFI_LOAD_ERROR;
		m->exit_calls++;
		s = bs->exit_boot_services(image, m->key);
	}
	if (EFI_IS_ERROR(s))
		kd_reject(r, KD_ERR_PLACE, m->exit_calls < EXIT_TRIES ? "ExitBootServices failed" :
			  "ExitBootServices failed twice (the map key went stale again)", NULL, s, 0);
	return s;
}

static bool holds_kept(const struct kd_e820_entry *e, const struct kd_range *keep, unsigned n_keep)
{
	for (unsigned k = 0; k < n_keep; k++)
		if (keep[k].start < e->addr + e->size && e->addr < keep[k].end)
			return true;
	return false;
}

/* The entries holding a kept range moved to the front, the others after them in their order. */
static void kept_first(struct kd_e820_entry *e, unsigned n, const struct kd_range *keep, unsigned n_keep)
{
	unsigned front = 0;

	for (unsigned i = 0; i < n; i++) {
		struct kd_e820_entry held = e[i];

		if (!holds_kept(&held, keep, n_keep))
			continue;
		kd_memmove(e + front + 1, e + front, (i - front) * sizeof(*e));
		e[front++] = held;
	}
}

unsigned kd_efi_describe_memory(struct kd_boot_params *bp, const struct kd_efi_mmap *m,
				const struct kd_efi_handoff *at, struct kd_setup_data *ext, unsigned cap)
{
	struct kd_e820_entry *e = (struct kd_e820_entry *)ext->data;
	unsigned n = kd_efi_to_e820(m->map, m->size, m->desc_size, e, cap);
	/* what the stub placed; a range only has to meet an entry, so a start stands for the command line */
	struct kd_range keep[] = {
		{ at->buffer, at->buffer + at->init_size },
		{ at->bp_addr, at->bp_addr + sizeof(*bp) },
		{ kd_cmdline_addr(bp), kd_cmdline_addr(bp) + 1 },
		{ kd_initrd_addr(bp), kd_initrd_addr(bp) + kd_initrd_size(bp) },
		{ at->ext_addr, at->ext_addr + sizeof(*ext) + cap * sizeof(*e) },
	};

	bp->efi_info = (struct kd_efi_info){
		.loader_signature = KD_EFI64_SIGNATURE,
		.systab = (uint32_t)at->systab, .systab_hi = (uint32_t)(at->systab >> 32),
		.memdesc_size = (uint32_t)m->desc_size, .memdesc_version = m->desc_version,
		.memmap = (uint32_t)at->map_addr, .memmap_hi = (uint32_t)(at->map_addr >> 32),
		.memmap_size = (uint32_t)m->size,
	};
	if (n > cap)
		n = cap;
	if (n > KD_E820_MAX)
		kept_first(e, n, keep, KD_ARRAY_SIZE(keep));
	bp->e820_entries = n < KD_E820_MAX ? n : KD_E820_MAX;
	kd_memcpy(bp->e820_table, e, bp->e820_entries * sizeof(*e));
	if (n > KD_E820_MAX) {
		kd_memmove(e, e + KD_E820_MAX, (n - KD_E820_MAX) * sizeof(*e));
		ext->type = KD_SETUP_E820_EXT;
		ext->len = (n - KD_E820_MAX) * sizeof(*e);
		ext->next = bp->hdr.setup_data;
		bp->hdr.setup_data = at->ext_addr;
	}
	return n;
}
