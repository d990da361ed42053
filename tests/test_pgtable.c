// SPDX-License-Identifier: MIT
/*
 * The identity-map builder, checked as the MMU would read its tables:
 * every requested byte maps to itself, 2 MiB at a time, and nothing that
 * was not requested (rounded out to 2 MiB) is mapped; in 4- and 5-level
 * mode; repeated and overlapping requests change nothing; a pool that runs
 * out gives KD_ERR_PGTABLE.
 */
#include <stdlib.h>

#include "pgtable.h"
#include "t.h"

#define POOL_PAGES 256

/* Translate like the MMU: the physical address `va` maps to, or UINT64_MAX. */
static uint64_t translate(const struct kd_pgt *t, uint64_t va)
{
	const uint64_t *table = t->top;

	for (int level = t->levels; level > 2; level--) {
		uint64_t e = table[(va >> (12 + 9 * (level - 1))) & 511];

		if (!(e & X86_PTE_PRESENT) || (e & X86_PTE_PS))
			return UINT64_MAX;
		table = (const uint64_t *)(uintptr_t)(e & X86_PTE_ADDR);
	}
	uint64_t pmd = table[(va >> 21) & 511];
	if (!(pmd & X86_PTE_PRESENT) || !(pmd & X86_PTE_PS) || !(pmd & X86_PTE_RW))
		return UINT64_MAX;
	return (pmd & X86_PTE_ADDR & ~(X86_PMD_SIZE - 1)) | (va & (X86_PMD_SIZE - 1));
}

/* Count every present leaf by walking all tables; check each against `wanted`. */
static uint64_t count_leaves(const uint64_t *table, int level, uint64_t base, bool (*wanted)(uint64_t))
{
	uint64_t n = 0;

	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = table[i], va = base | ((uint64_t)i << (12 + 9 * (level - 1)));

		if (!(e & X86_PTE_PRESENT))
			continue;
		if (level == 2) {
			CHECKF(e & X86_PTE_PS, "PD entry without PS at 0x%llx", (unsigned long long)va);
			CHECKF((e & X86_PTE_ADDR) == va, "leaf for 0x%llx maps 0x%llx", (unsigned long long)va,
			       (unsigned long long)(e & X86_PTE_ADDR));
			CHECKF(wanted(va), "0x%llx is mapped but was never requested", (unsigned long long)va);
			n++;
		} else {
			n += count_leaves((const uint64_t *)(uintptr_t)(e & X86_PTE_ADDR), level - 1, va, wanted);
		}
	}
	return n;
}

static struct kd_range_req {
	uint64_t start, end;
} reqs[64];
static unsigned n_reqs;

static bool requested(uint64_t pmd)
{
	for (unsigned i = 0; i < n_reqs; i++)
		if (pmd + X86_PMD_SIZE > (reqs[i].start & ~(X86_PMD_SIZE - 1)) && pmd < reqs[i].end)
			return true;
	return false;
}

static void random_maps(int levels, uint64_t seed)
{
	void *pool = aligned_alloc(4096, POOL_PAGES * 4096);
	struct kd_pgt t;
	uint64_t s = seed, space = levels == 5 ? 1ull << 52 : 1ull << 46;

	CHECK_EQ(kd_pgt_init(&t, pool, POOL_PAGES * 4096, levels), KD_OK);
	n_reqs = 0;
	for (int i = 0; i < 24; i++) {
		uint64_t start = t_rand(&s) % space, len = 1 + t_rand(&s) % (64ull << 20);

		if (i % 4 == 0)	/* exact boundaries: the last byte of a 2 MiB page, a range ending on one */
			start = (start & ~(X86_PMD_SIZE - 1)) + X86_PMD_SIZE - 1;
		if (start + len > space)
			len = space - start;
		reqs[n_reqs].start = start;
		reqs[n_reqs].end = start + len;
		n_reqs++;
		CHECK_EQ(kd_pgt_map(&t, start, start + len), KD_OK);
	}
	uint64_t pages_before = t.used;
	for (unsigned i = 0; i < n_reqs; i++)	/* again: idempotent */
		CHECK_EQ(kd_pgt_map(&t, reqs[i].start, reqs[i].end), KD_OK);
	CHECK_EQ(t.used, pages_before);

	uint64_t expected = 0;
	for (unsigned i = 0; i < n_reqs; i++) {
		CHECK_EQ(translate(&t, reqs[i].start), reqs[i].start);
		CHECK_EQ(translate(&t, reqs[i].end - 1), reqs[i].end - 1);
		for (uint64_t a = reqs[i].start & ~(X86_PMD_SIZE - 1); a < reqs[i].end; a += X86_PMD_SIZE) {
			CHECK_EQ(translate(&t, a + 12345), a + 12345);
			/* count distinct pages once: only if no earlier request covered it */
			bool earlier = false;
			for (unsigned j = 0; j < i && !earlier; j++)
				earlier = a + X86_PMD_SIZE > (reqs[j].start & ~(X86_PMD_SIZE - 1)) && a < reqs[j].end;
			expected += !earlier;
		}
		/* just past the rounded-out end, unless another request covers it */
		uint64_t after = KD_ALIGN_UP(reqs[i].end, X86_PMD_SIZE);
		if (after < space && !requested(after))
			CHECK_EQ(translate(&t, after), UINT64_MAX);
	}
	CHECK_EQ(count_leaves(t.top, levels, 0, requested), expected);
	free(pool);
}

TEST(pgtable_4level_random_ranges)
{
	for (uint64_t seed = 1; seed <= 20; seed++)
		random_maps(4, seed * 7919);
}

TEST(pgtable_5level_random_ranges)
{
	for (uint64_t seed = 1; seed <= 20; seed++)
		random_maps(5, seed * 104729);
}

TEST(pgtable_pool_exhaustion)
{
	void *pool = aligned_alloc(4096, 4 * 4096);
	struct kd_pgt t;

	CHECK_EQ(kd_pgt_init(&t, pool, 4 * 4096, 4), KD_OK);
	/* PML4 + PDPT + PD: the first GiB fits in 3 pages */
	CHECK_EQ(kd_pgt_map(&t, 0, 1ull << 30), KD_OK);
	CHECK_EQ(kd_pgt_map(&t, 1ull << 30, 2ull << 30), KD_OK);	/* the 4th page */
	CHECK_EQ(kd_pgt_map(&t, 1ull << 40, (1ull << 40) + 1), KD_ERR_PGTABLE);
	CHECK_EQ(translate(&t, (1ull << 30) + 5), (1ull << 30) + 5);	/* what was mapped stays */
	CHECK_EQ(kd_pgt_init(&t, pool, 100, 4), KD_ERR_PGTABLE);	/* not even one page */
	free(pool);
}
