// SPDX-License-Identifier: MIT
/* The UEFI memory map as e820 (see efi_map.h). */
#include "efi_map.h"

uint32_t kd_efi_e820_type(uint32_t efi_type)
{
	switch (efi_type) {
	case KD_EFI_LOADER_CODE:
	case KD_EFI_LOADER_DATA:
	case KD_EFI_BOOT_SERVICES_CODE:
	case KD_EFI_BOOT_SERVICES_DATA:
	case KD_EFI_CONVENTIONAL:
		return KD_E820_RAM;
	case KD_EFI_ACPI_RECLAIM:
		return KD_E820_ACPI;
	case KD_EFI_ACPI_NVS:
		return KD_E820_NVS;
	case KD_EFI_UNUSABLE:
		return KD_E820_UNUSABLE;
	case KD_EFI_PERSISTENT:
		return KD_E820_PMEM;
	default:
		/* runtime services, MMIO, reserved, and memory not yet accepted: the kernel must not use it as RAM */
		return KD_E820_RESERVED;
	}
}

unsigned kd_efi_to_e820(const uint8_t *map, uint64_t size, uint64_t desc_size, struct kd_e820_entry *e820,
			unsigned max)
{
	unsigned n = 0;

	for (uint64_t i = 0; i < kd_efi_desc_count(size, desc_size); i++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, i);
		uint32_t type = kd_efi_e820_type(d->type);
		uint64_t end, len;

		if (!kd_efi_desc_end(d, &end))
			continue;
		len = end - d->phys_start;
		if (n > 0 && n <= max && e820[n - 1].type == type && e820[n - 1].addr + e820[n - 1].size == d->phys_start) {
			e820[n - 1].size += len;
			continue;
		}
		if (n < max) {
			e820[n].addr = d->phys_start;
			e820[n].size = len;
			e820[n].type = type;
		}
		n++;
	}
	return n;
}

uint64_t kd_efi_lowest_free(const uint8_t *map, uint64_t size, uint64_t desc_size, uint64_t bytes, uint64_t align,
			    uint64_t min)
{
	uint64_t best = 0;

	for (uint64_t i = 0; i < kd_efi_desc_count(size, desc_size); i++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, i);
		uint64_t start = d->phys_start < min ? min : d->phys_start, a, end;

		if (d->type != KD_EFI_CONVENTIONAL || !kd_efi_desc_end(d, &end) || start > UINT64_MAX - (align - 1))
			continue;
		a = (start + align - 1) & ~(align - 1);
		if (a < end && end - a >= bytes && (!best || a < best))
			best = a;
	}
	return best;
}

/* The first descriptor after `i` whose bytes meet [start, end), or count if none. */
static uint64_t overlapping(const uint8_t *map, uint64_t desc_size, uint64_t count, uint64_t i, uint64_t start,
			    uint64_t end)
{
	for (uint64_t j = i + 1; j < count; j++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, j);
		uint64_t d_end;

		if (kd_efi_desc_end(d, &d_end) && d->phys_start < end && start < d_end)
			return j;
	}
	return count;
}

enum kd_err kd_efi_map_check(const uint8_t *map, uint64_t size, uint64_t desc_size, struct kd_report *r)
{
	uint64_t count = kd_efi_desc_count(size, desc_size);

	if (desc_size < sizeof(struct kd_efi_mem_desc))
		return kd_reject(r, KD_ERR_CORRUPT, "EFI memory map: descriptors smaller than EFI_MEMORY_DESCRIPTOR",
				 "desc_size", desc_size, sizeof(struct kd_efi_mem_desc));
	if (!kd_efi_desc_size_ok(desc_size))
		return kd_reject(r, KD_ERR_CORRUPT, "EFI memory map: a descriptor size that leaves descriptors misaligned",
				 "desc_size", desc_size, KD_EFI_DESC_ALIGN);
	if (size % desc_size)
		return kd_reject(r, KD_ERR_CORRUPT, "EFI memory map: its size is not a whole number of descriptors",
				 "size", size, desc_size);
	for (uint64_t i = 0; i < count; i++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, i);
		uint64_t end, j;

		if (d->phys_start & ((1u << KD_EFI_PAGE_SHIFT) - 1))
			return kd_reject(r, KD_ERR_CORRUPT, "EFI memory map: a descriptor starts off a 4 KiB page",
					 "phys_start", d->phys_start, 1u << KD_EFI_PAGE_SHIFT);
		if (d->num_pages == 0)
			continue;
		if (!kd_efi_desc_end(d, &end))
			return kd_reject(r, KD_ERR_CORRUPT, "EFI memory map: a descriptor's pages run past 2^64",
					 "num_pages", d->num_pages, (UINT64_MAX - d->phys_start) >> KD_EFI_PAGE_SHIFT);
		if ((j = overlapping(map, desc_size, count, i, d->phys_start, end)) < count)
			return kd_reject(r, KD_ERR_CORRUPT, "EFI memory map: two descriptors overlap", "phys_start",
					 kd_efi_desc(map, desc_size, j)->phys_start, end);
	}
	return KD_OK;
}
