// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: what the EFI entry makes of the firmware's memory map
 * (lib/kernel/efi_map.c, efi_boot.c), the map and its descriptor size and
 * version being the fuzzer's.  The input is a header (struct input) then
 * the map; the map, the e820 array, boot_params and the SETUP_E820_EXT node
 * each lie between guard pages.  Checked:
 *
 *   kd_efi_map_check     accepts only a map it promises: descriptors of at
 *                        least 40 bytes and a multiple of 8, whole, 4 KiB-aligned, none past
 *                        2^64, no two overlapping; a refusal has a reason
 *   kd_efi_to_e820       every entry inside memory of its type by the map,
 *                        the bytes of the map all there (when they fit),
 *                        a smaller `max` giving a prefix of the same table;
 *                        on a map the check accepts, no two entries overlap
 *   kd_efi_describe_memory  boot_params' table and the ext node together
 *                        the same entries, the first min(n, 128) in
 *                        boot_params, the node sized for exactly the rest
 *                        and linked only when there is a rest, the entries
 *                        holding what the stub placed first; efi_info as given
 *   kd_efi_buffer_addr   a buffer inside one conventional descriptor,
 *                        aligned, at or above the link address (exactly
 *                        there for a kernel that is not relocatable)
 */
#include <stdlib.h>
#include <string.h>

#include "efi_boot.h"
#include "guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Firmware's buffers (the map, the pool) are 8-byte aligned, and so are ours. */
#define MAP_ALIGN 8
/* Pairwise checks cost n^2: only for maps of at most this many descriptors. */
#define PAIRWISE_MAX 256

struct input {
	uint8_t desc_size;	/* bit 7 clear: 40 + 8 * (bits 0-2); set: bits 0-6 as they are (< 40 too) */
	uint8_t desc_version;
	uint8_t slack;		/* capacity - size, in descriptors (the stub's MAP_SLACK_DESCS) */
	uint8_t kernel;		/* bit 7: relocatable; bits 0-4: alignment 4 KiB << n */
	uint64_t buffer, bp_addr, ext_addr, cmdline, initrd, initrd_size, setup_data, link;
	uint32_t init_size;
} __attribute__((packed));

static uint64_t desc_size_of(uint8_t steer)
{
	return steer & 0x80 ? steer & 0x7f : sizeof(struct kd_efi_mem_desc) + 8 * (steer & 7);
}

/* Descriptor i's bytes [start, *end) if it has any (kd_efi_desc_end) */
static bool desc_range(const uint8_t *map, uint64_t desc_size, uint64_t i, uint64_t *start, uint64_t *end)
{
	const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, i);

	*start = d->phys_start;
	return kd_efi_desc_end(d, end);
}

static void check_map_check(const uint8_t *map, uint64_t size, uint64_t desc_size, enum kd_err err,
			    const struct kd_report *r)
{
	uint64_t count = kd_efi_desc_count(size, desc_size);

	if (err != KD_OK) {
		if (!r->why)
			abort();
		return;
	}
	if (!kd_efi_desc_size_ok(desc_size) || size % desc_size)
		abort();
	for (uint64_t i = 0; i < count; i++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, i);
		uint64_t s, e, s2, e2;

		if (d->phys_start % (1u << KD_EFI_PAGE_SHIFT) ||
		    (d->num_pages && d->num_pages > (UINT64_MAX - d->phys_start) >> KD_EFI_PAGE_SHIFT))
			abort();
		for (uint64_t j = i + 1; count <= PAIRWISE_MAX && j < count; j++)
			if (desc_range(map, desc_size, i, &s, &e) && desc_range(map, desc_size, j, &s2, &e2) &&
			    s < e2 && s2 < e)
				abort();
	}
}

/* [addr, addr + len) covered by descriptors whose memory is e820 `type` */
static bool covered(const uint8_t *map, uint64_t desc_size, uint64_t count, uint64_t addr, uint64_t len,
		    uint32_t type)
{
	uint64_t pos = addr, end = addr + len;

	while (pos < end) {
		uint64_t i, s, e = 0;

		for (i = 0; i < count; i++)
			if (desc_range(map, desc_size, i, &s, &e) && s <= pos && pos < e &&
			    kd_efi_e820_type(kd_efi_desc(map, desc_size, i)->type) == type)
				break;
		if (i == count)
			return false;
		pos = e;
	}
	return true;
}

static bool entries_overlap(const struct kd_e820_entry *a, const struct kd_e820_entry *b)
{
	return a->addr < b->addr + b->size && b->addr < a->addr + a->size;
}

/* The table of a map kd_efi_to_e820 wrote (n of it, all fitting): each entry real, the map's bytes all in it. */
static void check_e820(const uint8_t *map, uint64_t desc_size, uint64_t count, const struct kd_e820_entry *e,
		       unsigned n, bool map_ok)
{
	unsigned __int128 map_bytes = 0, table_bytes = 0;
	uint64_t s, end;

	for (uint64_t i = 0; i < count; i++)
		if (desc_range(map, desc_size, i, &s, &end))
			map_bytes += end - s;
	for (unsigned i = 0; i < n; i++) {
		if (e[i].size == 0 || e[i].addr > UINT64_MAX - e[i].size)
			abort();
		table_bytes += e[i].size;
		if (count <= PAIRWISE_MAX && !covered(map, desc_size, count, e[i].addr, e[i].size, e[i].type))
			abort();
		for (unsigned j = i + 1; map_ok && count <= PAIRWISE_MAX && j < n; j++)
			if (entries_overlap(&e[i], &e[j]))
				abort();
	}
	if (map_bytes != table_bytes)
		abort();
}

static int entry_order(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct kd_e820_entry));
}

/* Whether e meets one of the ranges kd_efi_describe_memory keeps among the first 128. */
static bool holds_kept(const struct kd_e820_entry *e, const struct kd_range *keep, unsigned n_keep)
{
	for (unsigned k = 0; k < n_keep; k++)
		if (keep[k].start < e->addr + e->size && e->addr < keep[k].end)
			return true;
	return false;
}

static void check_described(const struct kd_boot_params *bp, const struct kd_setup_data *ext,
			    const struct kd_efi_handoff *at, const struct kd_efi_mmap *m, uint64_t old_setup_data,
			    const struct kd_e820_entry *want, unsigned n, unsigned cap)
{
	unsigned in_bp = n < KD_E820_MAX ? n : KD_E820_MAX, rest = n - in_bp;
	struct kd_e820_entry *all = malloc((n + 1) * sizeof(*all)), *sorted = malloc((n + 1) * sizeof(*all));
	struct kd_range keep[] = {
		{ at->buffer, at->buffer + at->init_size },
		{ at->bp_addr, at->bp_addr + sizeof(*bp) },
		{ kd_cmdline_addr(bp), kd_cmdline_addr(bp) + 1 },
		{ kd_initrd_addr(bp), kd_initrd_addr(bp) + kd_initrd_size(bp) },
		{ at->ext_addr, at->ext_addr + sizeof(*ext) + cap * sizeof(struct kd_e820_entry) },
	};
	bool seen_other = false;

	if (bp->e820_entries != in_bp || (rest && (bp->hdr.setup_data != at->ext_addr || ext->next != old_setup_data ||
						    ext->type != KD_SETUP_E820_EXT ||
						    ext->len != rest * sizeof(struct kd_e820_entry))) ||
	    (!rest && bp->hdr.setup_data != old_setup_data))
		abort();
	if (bp->efi_info.loader_signature != KD_EFI64_SIGNATURE || bp->efi_info.memdesc_size != (uint32_t)m->desc_size ||
	    bp->efi_info.memdesc_version != m->desc_version || bp->efi_info.memmap_size != (uint32_t)m->size ||
	    kd_efi_memmap_addr(bp) != at->map_addr)
		abort();
	memcpy(all, bp->e820_table, in_bp * sizeof(*all));
	memcpy(all + in_bp, ext->data, rest * sizeof(*all));
	for (unsigned i = 0; rest && i < n; i++) {
		bool kept = holds_kept(&all[i], keep, KD_ARRAY_SIZE(keep));

		if (kept && seen_other)
			abort();
		seen_other |= !kept;
	}
	memcpy(sorted, want, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), entry_order);
	qsort(all, n, sizeof(*all), entry_order);
	if (memcmp(all, sorted, n * sizeof(*all)))
		abort();
	free(all);
	free(sorted);
}

static void check_buffer(const struct kd_efi_mmap *m, const struct input *in)
{
	struct kd_plan_kernel k = { .link = in->link, .align = 4096ull << (in->kernel & 31),
				    .relocatable = in->kernel & 0x80 };
	struct kd_report r = { 0 };
	uint64_t addr, bytes = KD_ALIGN_UP((uint64_t)in->init_size, 1ull << KD_EFI_PAGE_SHIFT), i, s, e;

	if (kd_efi_buffer_addr(m, &k, in->init_size, &addr, &r) != KD_OK) {
		if (!r.why)
			abort();
		return;
	}
	if (addr < k.link || (k.relocatable ? addr % k.align : addr != k.link))
		abort();
	for (i = 0; i < kd_efi_desc_count(m->size, m->desc_size); i++)
		if (kd_efi_desc(m->map, m->desc_size, i)->type == KD_EFI_CONVENTIONAL &&
		    desc_range(m->map, m->desc_size, i, &s, &e) && s <= addr && addr < e && e - addr >= bytes)
			break;
	if (i == kd_efi_desc_count(m->size, m->desc_size))
		abort();
}

static void run(const struct input *in, const uint8_t *map, uint64_t size)
{
	struct kd_efi_mmap m = { .map = (uint8_t *)map, .size = size, .desc_version = in->desc_version };
	struct kd_report r = { 0 };
	struct guarded g_e820, g_full, g_bp, g_ext;
	unsigned cap, n, n_full, n_small;
	uint64_t count;

	m.desc_size = desc_size_of(in->desc_size);
	m.capacity = size + (in->slack & 15) * m.desc_size;	/* kd_efi_map_reserve's room, the fuzzer's amount */
	count = kd_efi_desc_count(size, m.desc_size);
	cap = kd_efi_e820_cap(&m);
	enum kd_err err = kd_efi_map_check(map, size, m.desc_size, &r);
	check_map_check(map, size, m.desc_size, err, &r);

	/* the table at full size, then into exactly cap entries and into fewer: the same prefix */
	struct kd_e820_entry *full = (void *)guarded_alloc(&g_full, (count + 1) * sizeof(*full), GUARD_END);
	n_full = kd_efi_to_e820(map, size, m.desc_size, full, (unsigned)count + 1);
	if (n_full > count)
		abort();
	check_e820(map, m.desc_size, count, full, n_full, err == KD_OK);
	unsigned small = in->slack >> 4;
	struct kd_e820_entry *part = (void *)guarded_alloc(&g_e820, small * sizeof(*part), GUARD_END);
	n_small = kd_efi_to_e820(map, size, m.desc_size, part, small);
	if (n_small < n_full || memcmp(part, full, (small < n_full ? small : n_full) * sizeof(*part)))
		abort();
	guarded_free(&g_e820);

	struct kd_boot_params *bp = (void *)guarded_alloc(&g_bp, sizeof(*bp), GUARD_END);
	/* allocate_pool's 8-byte alignment kept: the node is 8-aligned and ends within 7 bytes of the guard */
	struct kd_setup_data *ext = (void *)guarded_alloc(&g_ext,
		KD_ALIGN_UP(sizeof(*ext) + cap * sizeof(struct kd_e820_entry), MAP_ALIGN), GUARD_END);
	struct kd_efi_handoff at = { .systab = in->link, .bp_addr = in->bp_addr, .map_addr = in->buffer ^ in->link,
				     .ext_addr = in->ext_addr, .buffer = in->buffer, .init_size = in->init_size };
	bp->hdr.cmd_line_ptr = (uint32_t)in->cmdline;
	bp->ext_cmd_line_ptr = (uint32_t)(in->cmdline >> 32);
	bp->hdr.ramdisk_image = (uint32_t)in->initrd;
	bp->ext_ramdisk_image = (uint32_t)(in->initrd >> 32);
	bp->hdr.ramdisk_size = (uint32_t)in->initrd_size;
	bp->ext_ramdisk_size = (uint32_t)(in->initrd_size >> 32);
	bp->hdr.setup_data = in->setup_data;
	n = kd_efi_describe_memory(bp, &m, &at, ext, cap);
	if (n != (n_full < cap ? n_full : cap))
		abort();
	check_described(bp, ext, &at, &m, in->setup_data, full, n, cap);
	guarded_free(&g_ext);
	guarded_free(&g_bp);
	guarded_free(&g_full);
	check_buffer(&m, in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { 0 };
	struct guarded g;
	size_t head = size < sizeof(in) ? size : sizeof(in);

	memcpy(&in, data, head);
	/* the map against either guard, but 8-aligned as the firmware's is */
	enum guard_side side = (size - head) % MAP_ALIGN ? GUARD_START : guard_side_for(size);
	const uint8_t *map = guarded_copy(&g, data + head, size - head, side);
	run(&in, map, size - head);
	guarded_free(&g);
	return 0;
}
