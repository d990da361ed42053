// SPDX-License-Identifier: MIT
/*
 * What the stub makes of UEFI, on the host:
 *  - an EFI memory map becomes the e820 table Linux's own EFI stub would
 *    give (loader and boot services memory as RAM, ACPI, NVS, unusable,
 *    persistent, and everything else reserved), neighbours of one type
 *    merged, descriptors longer than 40 bytes stepped over correctly, and
 *    the count reported when the table is too small;
 *  - the decompression buffer's fallback place: the lowest aligned slot
 *    at or above 16 MiB inside conventional memory, never in taken memory;
 *  - KASLR over an EFI map takes only conventional memory: over a map
 *    where loader data, boot services and runtime regions lie between free
 *    ranges, every chosen slot lies inside conventional memory;
 *  - a packed image is a PE32+ EFI application that is still a bzImage:
 *    the header fields a UEFI loader reads, the one section at RVA = file
 *    offset = the setup's size, the entry point and handover entry inside
 *    the protected-mode part.
 */
#include <stdlib.h>

#include "bzimage.h"
#include "efi_map.h"
#include "kaslr.h"
#include "pe.h"
#include "t.h"

#define MB (1ull << 20)
#define PAGES(bytes) ((bytes) >> KD_EFI_PAGE_SHIFT)
#define DESC_SIZE 48	/* what OVMF reports: longer than the 40-byte struct */

struct map {
	uint8_t bytes[64 * DESC_SIZE];
	unsigned n;
};

static void add(struct map *m, uint32_t type, uint64_t start, uint64_t len)
{
	struct kd_efi_mem_desc d = { .type = type, .phys_start = start, .num_pages = PAGES(len) };

	memset(m->bytes + m->n * DESC_SIZE, 0xa5, DESC_SIZE);	/* the tail past the struct is noise */
	memcpy(m->bytes + m->n * DESC_SIZE, &d, sizeof(d));
	m->n++;
}

TEST(efi_map_to_e820)
{
	struct map m = { .n = 0 };
	struct kd_e820_entry e[8];

	add(&m, KD_EFI_CONVENTIONAL, 0, 640 << 10);
	add(&m, KD_EFI_BOOT_SERVICES_DATA, 1 * MB, 2 * MB);
	add(&m, KD_EFI_LOADER_CODE, 3 * MB, 1 * MB);		/* merges with the two before: all RAM */
	add(&m, KD_EFI_CONVENTIONAL, 4 * MB, 60 * MB);
	add(&m, KD_EFI_RUNTIME_SERVICES_DATA, 64 * MB, 1 * MB);
	add(&m, KD_EFI_ACPI_RECLAIM, 65 * MB, 1 * MB);
	add(&m, KD_EFI_ACPI_NVS, 66 * MB, 1 * MB);
	add(&m, KD_EFI_MMIO, 0xffc00000, 4 * MB);
	add(&m, KD_EFI_PERSISTENT, 8192 * MB, 16 * MB);

	unsigned n = kd_efi_to_e820(m.bytes, m.n * DESC_SIZE, DESC_SIZE, e, 8);
	CHECK_EQ(n, 7);
	CHECK(e[0].addr == 0 && e[0].size == 640 << 10 && e[0].type == KD_E820_RAM);
	CHECK(e[1].addr == 1 * MB && e[1].size == 63 * MB && e[1].type == KD_E820_RAM);
	CHECK(e[2].addr == 64 * MB && e[2].type == KD_E820_RESERVED);
	CHECK(e[3].type == KD_E820_ACPI);
	CHECK(e[4].type == KD_E820_NVS);
	CHECK(e[5].addr == 0xffc00000 && e[5].type == KD_E820_RESERVED);
	CHECK(e[6].size == 16 * MB && e[6].type == KD_E820_PMEM);

	/* too small a table: the first entries written, the whole count returned */
	CHECKF(kd_efi_to_e820(m.bytes, m.n * DESC_SIZE, DESC_SIZE, e, 3) >= 7, "the count must say the table was short");
	CHECK(e[2].addr == 64 * MB);
	/* a descriptor size below the spec's struct: nothing */
	CHECK_EQ(kd_efi_to_e820(m.bytes, m.n * DESC_SIZE, 24, e, 8), 0);
}

TEST(efi_lowest_free_slot)
{
	struct map m = { .n = 0 };
	uint64_t align = 2 * MB, size = 40 * MB;

	add(&m, KD_EFI_CONVENTIONAL, 0, 15 * MB);		/* below the minimum */
	add(&m, KD_EFI_CONVENTIONAL, 15 * MB + 4096, 41 * MB);	/* 16 MiB .. 56 MiB + 4 KiB: 40 MiB fit at 16 MiB */
	add(&m, KD_EFI_LOADER_DATA, 60 * MB, 100 * MB);		/* taken */
	add(&m, KD_EFI_CONVENTIONAL, 300 * MB + 4096, 50 * MB);	/* fits at 302 MiB */
	CHECK_EQ(kd_efi_lowest_free(m.bytes, m.n * DESC_SIZE, DESC_SIZE, size, align, 16 * MB), 16 * MB);
	CHECK_EQ(kd_efi_lowest_free(m.bytes, m.n * DESC_SIZE, DESC_SIZE, size + 2 * MB, align, 16 * MB), 302 * MB);
	CHECK_EQ(kd_efi_lowest_free(m.bytes, m.n * DESC_SIZE, DESC_SIZE, 60 * MB, align, 16 * MB), 0);
	/* the taken range is never offered, however large the request it would fit */
	CHECK_EQ(kd_efi_lowest_free(m.bytes, 3 * DESC_SIZE, DESC_SIZE, 90 * MB, align, 16 * MB), 0);
}

static bool in_conventional(const struct map *m, uint64_t a, uint64_t size)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(m->bytes, DESC_SIZE, i);

		if (d->type == KD_EFI_CONVENTIONAL && a >= d->phys_start &&
		    a + size <= d->phys_start + (d->num_pages << KD_EFI_PAGE_SHIFT))
			return true;
	}
	return false;
}

#define LINK (16 * MB)	/* Debian's kernels' link address and alignment */
#define ALIGN (2 * MB)

TEST(efi_kaslr_only_conventional)
{
	struct map m = { .n = 0 };
	struct kd_kaslr_map k;
	uint64_t size = 40 * MB, seen = 0;

	add(&m, KD_EFI_CONVENTIONAL, 0, 16 * MB);
	add(&m, KD_EFI_CONVENTIONAL, 16 * MB, 50 * MB);		/* merged with the next: one range */
	add(&m, KD_EFI_CONVENTIONAL, 66 * MB, 100 * MB);
	add(&m, KD_EFI_LOADER_DATA, 166 * MB, 10 * MB);		/* the initrd, the memory map */
	add(&m, KD_EFI_CONVENTIONAL, 176 * MB, 42 * MB);
	add(&m, KD_EFI_BOOT_SERVICES_CODE, 218 * MB, 300 * MB);
	add(&m, KD_EFI_RUNTIME_SERVICES_CODE, 518 * MB, 100 * MB);
	add(&m, KD_EFI_CONVENTIONAL, 618 * MB, 406 * MB);

	kd_kaslr_map_init(&k, UINT64_MAX);
	kd_kaslr_add_efi(&k, m.bytes, m.n * DESC_SIZE, DESC_SIZE);
	CHECK_EQ(k.n_ram, 3);
	uint64_t count = kd_kaslr_count_slots(&k, size, ALIGN, LINK);
	CHECKF(count > 100, "only %llu slots: the test is not testing", (unsigned long long)count);
	for (uint64_t seed = 1; seed < 3000; seed++) {
		uint64_t a = kd_kaslr_choose_phys(&k, size, ALIGN, LINK, kd_kaslr_mix(0, seed));

		CHECKF(in_conventional(&m, a, size) || (a >= 16 * MB && a + size <= 166 * MB),
		       "seed %llu: slot 0x%llx is not conventional memory", (unsigned long long)seed,
		       (unsigned long long)a);
		seen |= a >= 618 * MB ? 2 : 1;
	}
	CHECK_EQ(seen, 3);	/* both sides of the firmware's regions get chosen */
}

TEST(efi_pe_header_of_packed_image)
{
	const char *kernel = t_kernel_path("vmlinuz-cloud");
	struct kd_bzimage img;
	struct kd_report r = { 0 };
	struct kd_pe_view v;

	if (!kernel || !t_have_kdecomp())
		return;
	CHECK_EQ(t_run("'%s' pack -q '%s' -c lz4 -o '%s'", t_kdecomp_path(), kernel, t_tmp("efi.img")), 0);
	struct t_blob f = t_read_file(t_tmp("efi.img"));
	CHECK(f.data && kd_bzimage_parse(&img, f.data, f.len, &r) == KD_OK);
	if (!f.data || !kd_pe_read(f.data, f.len, &v)) {
		t_fail(__FILE__, __LINE__, "the packed image has no PE header");
		free(f.data);
		return;
	}
	CHECK_EQ(v.coff->machine, KD_PE_MACHINE_X86_64);
	CHECK_EQ(v.opt->subsystem, KD_PE_SUBSYSTEM_EFI_APPLICATION);
	CHECK_EQ(v.opt->major_image_version, 1);
	CHECK_EQ(v.opt->section_alignment, 4096);
	CHECK(!(v.coff->characteristics & 1));		/* relocatable: RELOCS_STRIPPED clear */
	CHECK_EQ(v.n_sections, 1);
	CHECK_EQ(v.opt->size_of_headers, img.setup_size);
	CHECK(img.setup_size >= 4096);			/* OVMF's legacy loader wants at least that */
	CHECK_EQ(v.sections[0].virtual_address, img.setup_size);
	CHECK_EQ(v.sections[0].pointer_to_raw_data, img.setup_size);
	CHECK(v.sections[0].pointer_to_raw_data + v.sections[0].size_of_raw_data <= f.len);
	CHECK(v.opt->size_of_image >= v.sections[0].virtual_address + v.sections[0].virtual_size);
	CHECK(v.opt->address_of_entry_point > img.setup_size && v.opt->address_of_entry_point < f.len);
	CHECK(img.hdr.xloadflags & KD_XLF_EFI_HANDOVER_64);
	CHECK(img.setup_size + img.hdr.handover_offset + KD_STARTUP_64_OFFSET < f.len);
	free(f.data);
}
