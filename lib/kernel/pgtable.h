/* SPDX-License-Identifier: MIT */
/*
 * Identity-mapping page tables over a caller-given pool of 4 KiB pages:
 * 4-level (PML4) or 5-level (PML5), 2 MiB leaf pages.  The stub runs with
 * them; the host tests walk them as the MMU would.
 *
 * A table's entries hold the physical address of the next level.  The
 * builder assumes identity (a pointer to a pool page is its physical
 * address), which is what the stub has and what the host tests emulate.
 */
#ifndef KD_PGTABLE_H
#define KD_PGTABLE_H
#include "kd.h"

#include "x86.h"

struct kd_pgt {
	uint64_t *top;		/* the PML4 or PML5: what CR3 gets */
	uint8_t *pool;		/* 4 KiB-aligned pages to take tables from */
	size_t pool_pages;
	size_t used;		/* pages taken from the pool, top included */
	int levels;		/* 4 or 5 */
};

/* Take the top-level table from the pool; fails if the pool has no page. */
enum kd_err kd_pgt_init(struct kd_pgt *t, void *pool, size_t pool_size, int levels);

/*
 * Identity-map [start, end) rounded out to 2 MiB.  Idempotent: mapping a
 * range again, or one that overlaps, changes nothing already mapped.
 * KD_ERR_PGTABLE when the pool runs out (what was mapped stays mapped).
 */
enum kd_err kd_pgt_map(struct kd_pgt *t, uint64_t start, uint64_t end);

/* The highest address + 1 the paging mode can identity-map. */
static inline uint64_t kd_pgt_limit(int levels)
{
	return levels == 5 ? 1ull << 52 : 1ull << 46;	/* physical address width caps 5-level */
}
#endif
