// SPDX-License-Identifier: MIT
/* The identity-map builder (see pgtable.h). */
#include "pgtable.h"

static uint64_t *alloc_table(struct kd_pgt *t)
{
	uint64_t *page;

	if (t->used >= t->pool_pages)
		return NULL;
	page = (uint64_t *)(t->pool + t->used * X86_PAGE_SIZE);
	t->used++;
	kd_memset(page, 0, X86_PAGE_SIZE);
	return page;
}

enum kd_err kd_pgt_init(struct kd_pgt *t, void *pool, size_t pool_size, int levels)
{
	uintptr_t base = KD_ALIGN_UP((uintptr_t)pool, X86_PAGE_SIZE);
	size_t skip = base - (uintptr_t)pool;

	t->pool = (uint8_t *)base;
	t->pool_pages = pool_size > skip ? (pool_size - skip) / X86_PAGE_SIZE : 0;
	t->used = 0;
	t->levels = levels == 5 ? 5 : 4;
	t->top = alloc_table(t);
	return t->top ? KD_OK : KD_ERR_PGTABLE;
}

/* The table an entry points to, made if the entry is empty. */
static uint64_t *next_table(struct kd_pgt *t, uint64_t *entry)
{
	uint64_t *table;

	if (*entry & X86_PTE_PRESENT)
		return (uint64_t *)(uintptr_t)(*entry & X86_PTE_ADDR);
	table = alloc_table(t);
	if (table)
		*entry = (uint64_t)(uintptr_t)table | X86_PTE_TABLE;
	return table;
}

/* Map the one 2 MiB page at `addr` (aligned). */
static enum kd_err map_pmd(struct kd_pgt *t, uint64_t addr)
{
	uint64_t *table = t->top;

	/* levels 5..3 index with 9 bits each from bit 48, 39, 30; the PD with bits 21..29 */
	for (int level = t->levels; level > 2; level--) {
		unsigned index = (addr >> (12 + 9 * (level - 1))) & 511;

		table = next_table(t, &table[index]);
		if (!table)
			return KD_ERR_PGTABLE;
	}
	uint64_t *pmd = &table[(addr >> 21) & 511];
	if (!(*pmd & X86_PTE_PRESENT))
		*pmd = addr | X86_PTE_LEAF;
	return KD_OK;
}

enum kd_err kd_pgt_map(struct kd_pgt *t, uint64_t start, uint64_t end)
{
	uint64_t limit = kd_pgt_limit(t->levels);

	if (end > limit)
		end = limit;
	start &= ~(X86_PMD_SIZE - 1);
	for (uint64_t a = start; a < end; a += X86_PMD_SIZE) {
		enum kd_err err = map_pmd(t, a);

		if (err)
			return err;
	}
	return KD_OK;
}
