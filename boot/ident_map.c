// SPDX-License-Identifier: MIT
/*
 * The stub's own identity map.  Whichever entry we came through, the
 * tables we run on now are not ours to extend (the 32-bit path's cover
 * only 4 GiB; a 64-bit loader's are the loader's), so build fresh ones in
 * the page-table pool: the image, boot_params and the command line now,
 * the kernel's destination when extract_kernel has chosen it, and any
 * other page on demand from the page-fault handler.
 */
#include "boot.h"
#include "pgtable.h"

static struct kd_pgt pgt;
static bool pgt_loaded;

static void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

void add_identity_map(uint64_t start, uint64_t end)
{
	if (!pgt_loaded)
		error_value("page fault before the stub's page tables are in place, at", start);
	if (kd_pgt_map(&pgt, start, end) != KD_OK)
		error("out of page-table pages for the identity map");
}

void init_identity_maps(struct kd_boot_params *bp, const uint8_t *head)
{
	const struct kd_head_info *info = head_info(head);
	uint8_t *pool = (uint8_t *)head + info->pgt_off + PGT_POOL_FIRST * KD_PAGE_SIZE;
	uint64_t cmdline = kd_cmdline_addr(bp);

	if (kd_pgt_init(&pgt, pool, PGT_POOL_PAGES * KD_PAGE_SIZE, 4) != KD_OK)
		error("no page-table pool");
	pgt_loaded = true;	/* building: the maps below go into the new tables */
	add_identity_map((uintptr_t)head, (uintptr_t)head + info->mem_len);
	add_identity_map((uintptr_t)bp, (uintptr_t)bp + sizeof(*bp));
	if (cmdline)
		add_identity_map(cmdline, cmdline + COMMAND_LINE_SIZE);
	write_cr3((uint64_t)(uintptr_t)pgt.top);
}
