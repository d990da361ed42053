/* SPDX-License-Identifier: MIT */
/*
 * The UEFI memory map (UEFI 2.10 section 7.2, EFI_BOOT_SERVICES.GetMemoryMap):
 * an array of descriptors, each `desc_size` bytes (at least the 40 of
 * struct kd_efi_mem_desc; firmware may make them longer, so never index by
 * sizeof), and what the stub and `simulate` make of it: the e820 table a
 * kernel reads, and the RAM KASLR may use.
 */
#ifndef KD_EFI_MAP_H
#define KD_EFI_MAP_H
#include "bootparam.h"

/* EFI_MEMORY_TYPE */
enum kd_efi_mem_type {
	KD_EFI_RESERVED = 0,
	KD_EFI_LOADER_CODE = 1,
	KD_EFI_LOADER_DATA = 2,
	KD_EFI_BOOT_SERVICES_CODE = 3,
	KD_EFI_BOOT_SERVICES_DATA = 4,
	KD_EFI_RUNTIME_SERVICES_CODE = 5,
	KD_EFI_RUNTIME_SERVICES_DATA = 6,
	KD_EFI_CONVENTIONAL = 7,
	KD_EFI_UNUSABLE = 8,
	KD_EFI_ACPI_RECLAIM = 9,
	KD_EFI_ACPI_NVS = 10,
	KD_EFI_MMIO = 11,
	KD_EFI_MMIO_PORT_SPACE = 12,
	KD_EFI_PAL_CODE = 13,
	KD_EFI_PERSISTENT = 14,
	KD_EFI_UNACCEPTED = 15,
};

#define KD_EFI_PAGE_SHIFT	12	/* NumberOfPages counts 4 KiB pages whatever the CPU's page size */

/* EFI_MEMORY_DESCRIPTOR */
struct kd_efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t num_pages;
	uint64_t attribute;
};
_Static_assert(sizeof(struct kd_efi_mem_desc) == 40, "EFI_MEMORY_DESCRIPTOR");

/* e820 types beyond RAM and reserved that an EFI map yields (Linux's uapi e820 numbering). */
#define KD_E820_ACPI		3
#define KD_E820_NVS		4
#define KD_E820_UNUSABLE	5
#define KD_E820_PMEM		7

/* The e820 type Linux gives memory of each EFI type: what boot services leave behind is RAM. */
uint32_t kd_efi_e820_type(uint32_t efi_type);

/*
 * The e820 table for an EFI memory map of `size` bytes: each descriptor
 * converted, neighbours of one type merged.  Writes at most `max` entries
 * and returns how many the whole map needs (more than `max`: the caller
 * gives the rest another way, or fails).  A desc_size kd_efi_desc_size_ok
 * refuses yields 0.
 */
unsigned kd_efi_to_e820(const uint8_t *map, uint64_t size, uint64_t desc_size, struct kd_e820_entry *e820,
			unsigned max);

/*
 * The lowest address >= `min`, a multiple of `align` (a power of two), where
 * `bytes` fit inside one conventional-memory descriptor; 0 if none: where
 * the stub asks the firmware for its decompression buffer when its
 * preferred address is taken.
 */
uint64_t kd_efi_lowest_free(const uint8_t *map, uint64_t size, uint64_t desc_size, uint64_t bytes, uint64_t align,
			    uint64_t min);

/*
 * Whether a map is one the stub may trust: descriptors at least the 40
 * bytes of the struct and a multiple of 8, the size a whole number of them, each start
 * 4 KiB-aligned, no descriptor running past 2^64, none overlapping another
 * (an overlap would let KASLR take memory that is also in use).  r->why
 * names the first fault, r->value the offending start or size.
 */
enum kd_err kd_efi_map_check(const uint8_t *map, uint64_t size, uint64_t desc_size, struct kd_report *r);

/*
 * Descriptors hold 64-bit fields and firmware pads them to keep those
 * aligned (48 bytes on OVMF); a size that is not a multiple of this would
 * leave them misaligned.
 */
#define KD_EFI_DESC_ALIGN	8

/* Whether descriptors of desc_size bytes can be read: at least the spec's 40 bytes, kept aligned. */
static inline bool kd_efi_desc_size_ok(uint64_t desc_size)
{
	return desc_size >= sizeof(struct kd_efi_mem_desc) && desc_size % KD_EFI_DESC_ALIGN == 0;
}

/* How many descriptors a map of `size` bytes holds; 0 if desc_size is not one kd_efi_desc_size_ok takes. */
static inline uint64_t kd_efi_desc_count(uint64_t size, uint64_t desc_size)
{
	return kd_efi_desc_size_ok(desc_size) ? size / desc_size : 0;
}

/* The memory map's descriptor `i` (i < kd_efi_desc_count). */
static inline const struct kd_efi_mem_desc *kd_efi_desc(const uint8_t *map, uint64_t desc_size, uint64_t i)
{
	return (const struct kd_efi_mem_desc *)(map + i * desc_size);
}

/* A descriptor's bytes [start, *end); false for an empty one or one that runs past 2^64. */
static inline bool kd_efi_desc_end(const struct kd_efi_mem_desc *d, uint64_t *end)
{
	if (d->num_pages == 0 || d->num_pages > (UINT64_MAX - d->phys_start) >> KD_EFI_PAGE_SHIFT)
		return false;
	*end = d->phys_start + (d->num_pages << KD_EFI_PAGE_SHIFT);
	return true;
}
#endif
