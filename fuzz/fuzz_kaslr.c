// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: KASLR's region collection and choice (lib/kernel/kaslr.c)
 * on what a hostile loader could hand the stub.  The input is:
 *
 *   [0, 4096)        boot_params (zero-filled if short): the e820 table,
 *                    the initrd, setup_data, the target (pref_address) and
 *                    buffer size (init_size), the sizes to place
 *                    (payload_length, kernel_info_offset), the random number
 *                    (hardware_subarch_data)
 *   then             the command line, up to a NUL or 2 KiB
 *   then             a window of "physical memory" at WINDOW_BASE where
 *                    setup_data nodes may lie (any node outside it is unreadable)
 *
 * If the map is collected and a slot chosen, the slot must be aligned, at
 * or above 16 MiB, inside one usable RAM range below the limit, clear of
 * every avoided region and of every e820 entry that is not RAM (reserved
 * beats RAM where entries overlap), and the virtual base inside the
 * kernel mapping.
 */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "kaslr.h"
#include "plan.h"

#define WINDOW_BASE 0x100000ull
#define CMDLINE_MAX 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct window {
	const uint8_t *p;
	size_t len;
	struct guarded node;	/* the node last read */
};

/* A node, copied to an aligned buffer of its exact size between guard pages (nodes may lie unaligned). */
static const struct kd_setup_data *read_node(uint64_t addr, void *ctx)
{
	struct window *w = ctx;
	struct kd_setup_data head;
	size_t off = addr - WINDOW_BASE;

	if (addr < WINDOW_BASE || off > w->len || w->len - off < sizeof(head))
		return NULL;
	memcpy(&head, w->p + off, sizeof(head));
	if (head.len > w->len - off - sizeof(head))
		return NULL;
	if (w->node.map)
		guarded_free(&w->node);
	return (const struct kd_setup_data *)guarded_copy(&w->node, w->p + off, sizeof(head) + head.len, GUARD_START);
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

static void check_choice(const struct kd_kaslr_map *m, const struct kd_boot_params *bp,
			 const struct kd_plan_kernel *k, uint64_t phys)
{
	uint64_t end = phys + k->needed;
	bool in_ram = false;

	if (phys & (k->align - 1) || phys < k->link || end < phys || end > m->limit)
		abort();
	for (unsigned i = 0; i < m->n_ram; i++)
		in_ram |= phys >= m->ram[i].start && end <= m->ram[i].end;
	if (!in_ram)
		abort();
	for (unsigned i = 0; i < m->n_avoid; i++)
		if (overlaps(phys, end, m->avoid[i].start, m->avoid[i].end))
			abort();
	for (unsigned i = 0; i < bp->e820_entries && i < KD_E820_MAX; i++) {
		const struct kd_e820_entry *e = &bp->e820_table[i];
		uint64_t e_end = e->addr + e->size < e->addr ? UINT64_MAX : e->addr + e->size;

		if (e->type != KD_E820_RAM && e->size && overlaps(phys, end, e->addr, e_end))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kd_kaslr_map map;
	struct guarded gbp, gcmd, gwin;
	struct kd_boot_params *bp = (struct kd_boot_params *)guarded_alloc(&gbp, sizeof(*bp), GUARD_END);
	size_t bp_len = size < sizeof(*bp) ? size : sizeof(*bp);
	const uint8_t *rest = data + bp_len;
	size_t rest_len = size - bp_len, cmd_len = 0;

	memcpy(bp, data, bp_len);
	while (cmd_len < rest_len && cmd_len < CMDLINE_MAX && rest[cmd_len])
		cmd_len++;
	const char *cmd = (const char *)guarded_copy(&gcmd, rest, cmd_len, guard_side_for(size));
	size_t skip = cmd_len < rest_len ? cmd_len + 1 : cmd_len;
	struct window w = { guarded_copy(&gwin, rest + skip, rest_len - skip, guard_side_for(size)), rest_len - skip,
			    { 0 } };
	struct kd_kaslr_boot b = {
		.bp = bp, .bp_addr = 0x7000, .cmdline = cmd_len ? cmd : NULL, .cmdline_len = cmd_len,
		.target = bp->hdr.pref_address, .init_size = bp->hdr.init_size,
		.read_setup_data = read_node, .ctx = &w,
	};
	/* the kernel's facts from the input too: alignment 2 to 16 MiB, linked at 1 to 8 times it */
	uint64_t align = KD_PLAN_MIN_ALIGN << (bp->hdr.min_alignment & 3);
	const struct kd_plan_kernel k = {
		.link = ((uint64_t)(bp->hdr.relocatable_kernel & 7) + 1) * align, .align = align,
		.kernel_mem = bp->hdr.kernel_info_offset, .needed = bp->hdr.payload_length,
		.relocatable = true, .relocs = true,
	};
	uint64_t phys = 0, virt = k.link;
	const char *why;

	if (kd_kaslr_collect(&map, &b, &why)) {
		if (kd_kaslr_choose(&map, &k, KD_PLAN_KASLR_ALL, bp->hdr.hardware_subarch_data, &phys, &virt))
			check_choice(&map, bp, &k, phys);
		if (virt & (k.align - 1) || virt < k.link ||
		    (k.kernel_mem <= KD_KERNEL_IMAGE_SIZE - k.link && virt + k.kernel_mem > KD_KERNEL_IMAGE_SIZE))
			abort();
	}
	if (w.node.map)
		guarded_free(&w.node);
	guarded_free(&gwin);
	guarded_free(&gcmd);
	guarded_free(&gbp);
	return 0;
}
