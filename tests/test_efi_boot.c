// SPDX-License-Identifier: MIT
/*
 * The EFI entry's decisions (lib/kernel/efi_boot.c), with a fake boot
 * services table standing in for the firmware:
 *  - ExitBootServices with a stale key: the first call fails with
 *    EFI_INVALID_PARAMETER (the map changed since GetMemoryMap), the map is
 *    fetched again into the same buffer and the second call, with the new
 *    key, succeeds; a second failure is reported as such, and so is a
 *    GetMemoryMap failure, before any ExitBootServices call;
 *  - a hostile final map (descriptors shorter than the struct, a size that
 *    is not a whole number of them, a start off a page, pages running past
 *    2^64, overlapping descriptors) is refused with its own message, and
 *    before ExitBootServices is called;
 *  - a map of 300 descriptors: the first 128 e820 entries in boot_params,
 *    the rest in a SETUP_E820_EXT node linked into setup_data, together
 *    exactly the converted map; the entry holding the decompression buffer
 *    among the 128 even when the map lists it last;
 *  - the buffer's place: the link address when free, else the lowest free
 *    aligned slot above it; for a kernel that is not relocatable only the
 *    link address; the stub's message when nothing fits;
 *  - sizing the final map sets the descriptor size the e820 node is sized
 *    by (the stub once divided by a descriptor size it never set, and an
 *    OVMF boot got an empty e820 table).
 */
#include <stdlib.h>

#include "efi_boot.h"
#include "t.h"

#define MB (1ull << 20)
#define DESC_SIZE 48
#define MAX_DESCS 320

/* The fake firmware: a map, a key, and what it was asked. */
static struct {
	uint8_t map[MAX_DESCS * DESC_SIZE];
	unsigned n;
	uint64_t key;
	unsigned get_calls, exit_calls;
	unsigned stale_exits;		/* ExitBootServices calls that find the map changed */
	efi_status get_status;
	uint64_t desc_size;		/* what GetMemoryMap reports */
	uint64_t last_exit_key;
} fw;

static void fw_reset(void)
{
	memset(&fw, 0, sizeof(fw));
	fw.desc_size = DESC_SIZE;
	fw.key = 100;
}

static void fw_add(uint32_t type, uint64_t start, uint64_t pages)
{
	struct kd_efi_mem_desc d = { .type = type, .phys_start = start, .num_pages = pages, .attribute = 0xf };

	memcpy(fw.map + fw.n++ * DESC_SIZE, &d, sizeof(d));
}

static efi_status EFIAPI fake_get_memory_map(uint64_t *size, void *map, uint64_t *key, uint64_t *desc_size,
					     uint32_t *version)
{
	fw.get_calls++;
	if (EFI_IS_ERROR(fw.get_status))
		return fw.get_status;
	if (*size < fw.n * DESC_SIZE) {
		*size = fw.n * DESC_SIZE;
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = fw.n * DESC_SIZE;
	memcpy(map, fw.map, *size);
	*key = fw.key;
	*desc_size = fw.desc_size;
	*version = 1;
	return EFI_SUCCESS;
}

/* A stale exit: an event handler allocated between GetMemoryMap and now, so the key moved on. */
static efi_status EFIAPI fake_exit_boot_services(efi_handle image, uint64_t key)
{
	(void)image;
	fw.exit_calls++;
	fw.last_exit_key = key;
	if (fw.stale_exits) {
		fw.stale_exits--;
		fw.key++;
		return EFI_INVALID_PARAMETER;
	}
	return key == fw.key ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

static const struct efi_boot_services fake_bs = {
	.get_memory_map = fake_get_memory_map,
	.exit_boot_services = fake_exit_boot_services,
};

static efi_status exit_with_fake(struct kd_efi_mmap *m, struct kd_report *r)
{
	static uint8_t buf[MAX_DESCS * DESC_SIZE];

	*m = (struct kd_efi_mmap){ .map = buf, .capacity = sizeof(buf) };
	return kd_efi_exit_boot_services(&fake_bs, NULL, m, r);
}

static void small_map(void)
{
	fw_add(KD_EFI_CONVENTIONAL, 0, 0xa0);
	fw_add(KD_EFI_LOADER_CODE, 16 * MB, 0x100);
	fw_add(KD_EFI_CONVENTIONAL, 17 * MB, 0x1000);
	fw_add(KD_EFI_RUNTIME_SERVICES_DATA, 33 * MB, 0x10);
}

TEST(efi_exit_boot_services_retries_a_stale_key)
{
	struct kd_efi_mmap m;
	struct kd_report r = { 0 };

	fw_reset();
	small_map();
	fw.stale_exits = 1;
	CHECK_EQ(exit_with_fake(&m, &r), EFI_SUCCESS);
	CHECK_EQ(fw.exit_calls, 2);
	CHECK_EQ(m.exit_calls, 2);
	CHECK_EQ(fw.get_calls, 2);		/* the map again, for the new key */
	CHECK_EQ(fw.last_exit_key, 101);
	CHECK_EQ(m.key, 101);
	CHECK_EQ(m.size, 4 * DESC_SIZE);

	/* no stale key: one of each */
	fw_reset();
	small_map();
	CHECK_EQ(exit_with_fake(&m, &r), EFI_SUCCESS);
	CHECK_EQ(fw.exit_calls, 1);
	CHECK_EQ(fw.get_calls, 1);
}

TEST(efi_exit_boot_services_fails_twice_or_before)
{
	struct kd_efi_mmap m;
	struct kd_report r = { 0 };

	fw_reset();
	small_map();
	fw.stale_exits = 2;
	CHECK_EQ(exit_with_fake(&m, &r), EFI_INVALID_PARAMETER);
	CHECK_EQ(fw.exit_calls, 2);		/* never a third time */
	CHECK_EQ(m.exit_calls, 2);
	CHECKF(r.why && strstr(r.why, "failed twice"), "%s", r.why ? r.why : "(none)");

	fw_reset();
	small_map();
	fw.get_status = EFI_INVALID_PARAMETER | 0x40;	/* any error */
	CHECK_EQ(exit_with_fake(&m, &r), EFI_INVALID_PARAMETER | 0x40);
	CHECK_EQ(fw.exit_calls, 0);
	CHECK_EQ(m.exit_calls, 0);		/* boot services still up: the caller may use the console */
	CHECKF(r.why && strcmp(r.why, "GetMemoryMap failed") == 0, "%s", r.why ? r.why : "(none)");
}

/* The firmware hands over `fix`'s hostile map: refused with `message`, ExitBootServices never called. */
static void check_refused(const char *what, const char *message)
{
	struct kd_efi_mmap m;
	struct kd_report r = { 0 };

	CHECKF(EFI_IS_ERROR(exit_with_fake(&m, &r)), "%s: accepted", what);
	CHECKF(fw.exit_calls == 0, "%s: ExitBootServices was called", what);
	CHECKF(r.why && strstr(r.why, message), "%s: message '%s'", what, r.why ? r.why : "(none)");
}

TEST(efi_hostile_maps_refused)
{
	struct kd_report r = { 0 };

	fw_reset();
	small_map();
	fw.desc_size = 24;
	check_refused("descriptors of 24 bytes", "descriptors smaller than EFI_MEMORY_DESCRIPTOR");

	/* found by fuzz_efi_map: 44-byte descriptors put every other one's 64-bit fields off alignment */
	fw_reset();
	small_map();
	fw.desc_size = 44;
	check_refused("descriptors of 44 bytes", "leaves descriptors misaligned");

	fw_reset();
	small_map();
	fw_add(KD_EFI_LOADER_DATA, 20 * MB, 0x10);	/* inside the conventional 17..33 MiB */
	check_refused("overlapping descriptors", "two descriptors overlap");

	fw_reset();
	small_map();
	fw_add(KD_EFI_CONVENTIONAL, 0xfffffffffff00000ull, 0x1000);
	check_refused("pages past 2^64", "run past 2^64");

	fw_reset();
	small_map();
	fw_add(KD_EFI_CONVENTIONAL, 64 * MB + 0x800, 1);
	check_refused("a start off a page", "off a 4 KiB page");

	/* a size that is not a whole number of descriptors (GetMemoryMap cannot say that; the check can) */
	fw_reset();
	small_map();
	CHECK_EQ(kd_efi_map_check(fw.map, 4 * DESC_SIZE - 8, DESC_SIZE, &r), KD_ERR_CORRUPT);
	CHECK(r.why && strstr(r.why, "whole number of descriptors"));
	CHECK_EQ(kd_efi_map_check(fw.map, 4 * DESC_SIZE, DESC_SIZE, &r), KD_OK);
}

static bool same_entry(const struct kd_e820_entry *a, const struct kd_e820_entry *b)
{
	return a->addr == b->addr && a->size == b->size && a->type == b->type;
}

TEST(efi_e820_beyond_128_entries_in_setup_data)
{
	enum { CAP = MAX_DESCS };
	static struct { struct kd_setup_data sd; struct kd_e820_entry e[CAP]; } ext;
	static struct kd_e820_entry want[CAP];
	struct kd_boot_params bp;
	struct kd_efi_mmap m;
	struct kd_report r = { 0 };
	uint64_t a = 1 * MB, buffer;

	/* 300 descriptors, RAM and ACPI NVS alternating so none merge; the buffer in the last RAM range */
	fw_reset();
	for (unsigned i = 0; i < 150; i++, a += MB + 4096) {
		fw_add(KD_EFI_CONVENTIONAL, a, 0x100);
		fw_add(KD_EFI_ACPI_NVS, a + MB, 1);
	}
	buffer = a - MB - 4096;		/* the start of the 150th conventional range, listed last but one */
	CHECK_EQ(exit_with_fake(&m, &r), EFI_SUCCESS);
	unsigned total = kd_efi_to_e820(m.map, m.size, m.desc_size, want, CAP);
	CHECK_EQ(total, 300);

	memset(&bp, 0, sizeof(bp));
	memset(&ext, 0, sizeof(ext));
	bp.hdr.setup_data = 0x5000;	/* a node the loader already linked */
	struct kd_efi_handoff at = { .systab = 0x7000, .bp_addr = 0x9000, .map_addr = 0xa000, .ext_addr = 0xb000,
				     .buffer = buffer, .init_size = 0x80000 };
	CHECK_EQ(kd_efi_describe_memory(&bp, &m, &at, &ext.sd, CAP), 300);
	CHECK_EQ(bp.e820_entries, 128);
	CHECK_EQ(ext.sd.type, KD_SETUP_E820_EXT);
	CHECK_EQ(ext.sd.len, (300 - 128) * sizeof(struct kd_e820_entry));
	CHECK_EQ(bp.hdr.setup_data, 0xb000);
	CHECK_EQ(ext.sd.next, 0x5000);
	CHECK_EQ(bp.efi_info.loader_signature, KD_EFI64_SIGNATURE);
	CHECK_EQ(bp.efi_info.memmap, 0xa000);
	CHECK_EQ(bp.efi_info.memmap_size, 300 * DESC_SIZE);
	CHECK_EQ(bp.efi_info.memdesc_size, DESC_SIZE);
	CHECK_EQ(bp.efi_info.systab, 0x7000);

	/* the buffer's entry among the 128 */
	bool held = false;
	for (unsigned i = 0; i < 128; i++)
		held |= bp.e820_table[i].addr <= buffer && buffer < bp.e820_table[i].addr + bp.e820_table[i].size;
	CHECKF(held, "the entry holding the buffer 0x%llx is not in boot_params", (unsigned long long)buffer);

	/* boot_params and the node together: every entry of the map, once */
	for (unsigned w = 0; w < total; w++) {
		unsigned seen = 0;

		for (unsigned i = 0; i < 128; i++)
			seen += same_entry(&bp.e820_table[i], &want[w]);
		for (unsigned i = 0; i < 300 - 128; i++)
			seen += same_entry(&ext.e[i], &want[w]);
		CHECKF(seen == 1, "entry %u (0x%llx) appears %u times", w, (unsigned long long)want[w].addr, seen);
	}
}

TEST(efi_small_map_has_no_e820_node)
{
	static struct { struct kd_setup_data sd; struct kd_e820_entry e[16]; } ext;
	struct kd_boot_params bp;
	struct kd_efi_mmap m;
	struct kd_report r = { 0 };

	fw_reset();
	small_map();
	CHECK_EQ(exit_with_fake(&m, &r), EFI_SUCCESS);
	memset(&bp, 0, sizeof(bp));
	CHECK_EQ(kd_efi_describe_memory(&bp, &m, &(struct kd_efi_handoff){ .ext_addr = 0xb000 }, &ext.sd, 16), 3);
	CHECK_EQ(bp.e820_entries, 3);		/* conventional + loader code + conventional merge */
	CHECK_EQ(bp.e820_table[1].addr, 16 * MB);
	CHECK_EQ(bp.e820_table[1].size, 17 * MB);
	CHECK_EQ(bp.hdr.setup_data, 0);
}

TEST(efi_buffer_placement)
{
	struct kd_plan_kernel k = { .link = 16 * MB, .align = 2 * MB, .relocatable = true };
	struct kd_efi_mmap m = { .map = fw.map, .desc_size = DESC_SIZE };
	struct kd_report r = { 0 };
	uint64_t addr;

	fw_reset();
	fw_add(KD_EFI_CONVENTIONAL, 1 * MB, 0x7000);		/* 1 .. 113 MiB */
	m.size = fw.n * DESC_SIZE;
	CHECK_EQ(kd_efi_buffer_addr(&m, &k, 40 * MB, &addr, &r), KD_OK);
	CHECK_EQ(addr, 16 * MB);

	fw_reset();
	fw_add(KD_EFI_CONVENTIONAL, 1 * MB, 0xf00);
	fw_add(KD_EFI_BOOT_SERVICES_DATA, 16 * MB, 0x100);	/* the link address is taken */
	fw_add(KD_EFI_CONVENTIONAL, 17 * MB, 0x7000);
	m.size = fw.n * DESC_SIZE;
	CHECK_EQ(kd_efi_buffer_addr(&m, &k, 40 * MB, &addr, &r), KD_OK);
	CHECK_EQ(addr, 18 * MB);
	k.relocatable = false;
	CHECK_EQ(kd_efi_buffer_addr(&m, &k, 40 * MB, &addr, &r), KD_ERR_PLACE);
	CHECKF(r.why && strstr(r.why, "not relocatable"), "%s", r.why ? r.why : "(none)");
	k.relocatable = true;
	CHECK_EQ(kd_efi_buffer_addr(&m, &k, 200 * MB, &addr, &r), KD_ERR_PLACE);
	CHECKF(r.why && strcmp(r.why, "no memory for the decompression buffer (init_size at kernel_alignment)") == 0, "%s",
	       r.why ? r.why : "(none)");
}

TEST(efi_map_reserve_sizes_the_e820_node)
{
	struct kd_efi_mmap m;

	memset(&m, 0, sizeof(m));
	kd_efi_map_reserve(&m, 30 * DESC_SIZE, DESC_SIZE);
	CHECK_EQ(m.desc_size, DESC_SIZE);
	CHECK(m.capacity > 30 * DESC_SIZE);
	CHECK_EQ(kd_efi_e820_cap(&m), m.capacity / DESC_SIZE);
}
