// SPDX-License-Identifier: MIT
/*
 * The stub's own identity map.  Whichever entry we came through, the
 * tables we run on now are not ours to extend (the 32-bit path's cover
 * only 4 GiB; a 64-bit loader's are the loader's), so build fresh ones in
 * the page-table pool: the image, boot_params and the command line now,
 * the kernel's destination when extract_kernel has chosen it, and any
 * other page on demand from the page-fault handler.
 *
 * The tables are 5-level when the kernel was built for it (pack recorded
 * its XLF_5LEVEL_ENABLED), the CPU has LA57 and the command line does not
 * say no5lvl; otherwise 4-level (lib/kernel/plan.c decides).  The kernel
 * keeps the mode it is entered in.
 */
#include "boot.h"
#include "cmdline.h"
#include "pgtable.h"

static struct kd_pgt pgt;
static bool pgt_loaded;

static void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static bool cpu_has_la57(void)
{
	uint32_t r[4];

	return x86_cpuid_ext_features(r) && (r[2] & X86_CPUID_7_ECX_LA57);
}

/* The paging mode to build for (kd_plan_paging_levels), from the CPU, the command line and where we run. */
static int paging_levels(const struct kd_boot_params *bp, const uint8_t *head, const struct kd_head_info *info,
			 int current)
{
	size_t len, n;
	const char *cmd = boot_cmdline(bp, &len), *v, *why;
	bool no5lvl = cmd && kd_cmdline_get(cmd, len, "no5lvl", &v, &n);
	int levels = kd_plan_paging_levels(info->flags & HEAD_5LEVEL, cpu_has_la57(), no5lvl, current,
					   (uintptr_t)head + info->mem_len <= 1ull << 32, &why);

	if (!levels)
		error(why);
	return levels;
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
	uint8_t *pool = (uint8_t *)head + info->pgt_off + PGT_POOL_FIRST * X86_PAGE_SIZE;
	uint64_t cmdline = kd_cmdline_addr(bp);
	int current = read_cr4() & (1u << X86_CR4_LA57_BIT) ? 5 : 4;
	int levels = paging_levels(bp, head, info, current);

	if (kd_pgt_init(&pgt, pool, PGT_POOL_PAGES * X86_PAGE_SIZE, levels) != KD_OK)
		error("no page-table pool");
	pgt_loaded = true;	/* building: the maps below go into the new tables */
	add_identity_map((uintptr_t)head, (uintptr_t)head + info->mem_len);
	add_identity_map((uintptr_t)bp, (uintptr_t)bp + sizeof(*bp));
	if (cmdline)
		add_identity_map(cmdline, cmdline + COMMAND_LINE_SIZE);
	if (levels == current)
		write_cr3((uint64_t)(uintptr_t)pgt.top);
	else
		set_paging_mode((uint32_t)(uintptr_t)pgt.top, levels == 5);
}
