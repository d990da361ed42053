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
