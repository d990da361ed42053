// SPDX-License-Identifier: MIT
/* Checks on what the loader handed over (see handover.h). */
#include "handover.h"
#include "pgtable.h"

static uint64_t entry_end(const struct kd_e820_entry *e)
{
	return e->addr > UINT64_MAX - e->size ? 0 : e->addr + e->size;	/* 0: wraps, no RAM */
}

/* The end of the RAM entry holding addr, or addr itself if none does. */
static uint64_t ram_entry_end(const struct kd_boot_params *bp, unsigned n, uint64_t addr)
{
	for (unsigned i = 0; i < n; i++) {
		const struct kd_e820_entry *e = &bp->e820_table[i];

		if (e->type == KD_E820_RAM && addr >= e->addr && addr < entry_end(e))
			return entry_end(e);
	}
	return addr;
}

uint64_t kd_e820_ram_room(const struct kd_boot_params *bp, uint64_t addr)
{
	unsigned n = bp->e820_entries < KD_E820_MAX ? bp->e820_entries : KD_E820_MAX;
	uint64_t end = addr;

	if (n == 0)
		return UINT64_MAX;
	/* each round moves past one entry, so n rounds follow the longest chain */
	for (unsigned round = 0; round < n; round++) {
		uint64_t next = ram_entry_end(bp, n, end);

		if (next == end)
			break;
		end = next;
	}
	return end - addr;
}

/* The identity map reaches below the 4-level limit: nothing the stub reads may lie above. */
static bool reachable(uint64_t addr, uint64_t len)
{
	return addr < kd_pgt_limit(4) && len <= kd_pgt_limit(4) - addr;
}

enum kd_err kd_cmdline_extent(const struct kd_boot_params *bp, const char *cmd, size_t max, size_t *len,
			      struct kd_report *r)
{
	uint64_t addr = kd_cmdline_addr(bp), room = kd_e820_ram_room(bp, addr);
	size_t n = 0;

	if (room == 0 || !reachable(addr, max + 1))
		return kd_reject(r, KD_ERR_PLACE, "the command line (cmd_line_ptr) is not in RAM:", "cmd_line_ptr",
				 addr, 0);
	while (n < max && n < room && cmd[n])
		n++;
	if (n == room)
		return kd_reject(r, KD_ERR_PLACE, "the command line runs to the end of RAM without its NUL, from",
				 "cmd_line_ptr", addr, room);
	*len = n;
	return KD_OK;
}

bool kd_setup_data_readable(const struct kd_boot_params *bp, uint64_t addr, uint32_t len)
{
	uint64_t size = sizeof(struct kd_setup_data) + (uint64_t)len;

	return reachable(addr, size) && kd_e820_ram_room(bp, addr) >= size;
}

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a_size && b_size && a < b + b_size && b < a + a_size;
}

/*
 * Walk the list with two cursors, one a node a step and one two: if the
 * list loops, the fast one comes round onto the slow one.  Every node the
 * fast one passes is read (so checked) once.
 */
static enum kd_err check_setup_data(const struct kd_boot_params *bp, kd_setup_data_reader read, void *ctx,
				    struct kd_report *r)
{
	uint64_t slow = bp->hdr.setup_data, fast = slow;

	while (fast) {
		for (int step = 0; step < 2 && fast; step++) {
			const struct kd_setup_data *sd = read(fast, ctx);

			if (!sd)
				return kd_reject(r, KD_ERR_PLACE, "a setup_data node is not in RAM:", "setup_data",
						 fast, 0);
			fast = sd->next;
		}
		slow = read(slow, ctx)->next;	/* read before by the fast cursor */
		if (fast && fast == slow)
			return kd_reject(r, KD_ERR_PLACE, "the setup_data list loops back to node", "setup_data",
					 fast, 0);
	}
	return KD_OK;
}

enum kd_err kd_handover_check(const struct kd_boot_params *bp, uint64_t target, uint64_t init_size,
			      kd_setup_data_reader read, void *ctx, struct kd_report *r)
{
	uint64_t initrd = kd_initrd_addr(bp), initrd_size = kd_initrd_size(bp);

	if (initrd_size > UINT64_MAX - initrd)
		initrd_size = UINT64_MAX - initrd;
	if (overlaps(initrd, initrd_size, target, init_size))
		return kd_reject(r, KD_ERR_PLACE, "the initrd overlaps the decompression buffer; initrd at",
				 "ramdisk_image", initrd, target);
	return check_setup_data(bp, read, ctx, r);
}
