// SPDX-License-Identifier: MIT
/*
 * The placement plan (lib/kernel/plan.c), which the stub, pack and simulate
 * share:
 *   - the buffer's target: a relocatable kernel's is the load address
 *     rounded up to its own alignment (2 or 16 MiB), never below its link
 *     address (2, 16 or 64 MiB); any other kernel's is its link address,
 *     wherever the image was loaded;
 *   - the backward self-copy is allowed exactly when it cannot run down
 *     over its own source;
 *   - KASLR moves everything only with a relocation table, only the
 *     physical address without one, nothing for a kernel that is not
 *     relocatable, and says why in each reduced case;
 *   - 5-level paging only for a kernel built for it, on a CPU with LA57,
 *     without no5lvl; above 4 GiB the entry mode is kept, and a 4-level-only
 *     kernel entered in 5-level mode there is refused with a reason.
 */
#include "plan.h"
#include "t.h"

#define MB (1ull << 20)
#define GB (1ull << 30)

TEST(plan_target_relocatable)
{
	static const uint64_t links[] = { 2 * MB, 16 * MB, 64 * MB }, aligns[] = { 2 * MB, 16 * MB };
	uint64_t s = 3;

	for (int i = 0; i < 20000; i++) {
		struct kd_plan_kernel k = { .link = links[t_rand(&s) % 3], .align = aligns[t_rand(&s) % 2],
					    .relocatable = true };
		uint64_t load = (t_rand(&s) % (8 * GB)) & ~0xfffull, t = kd_plan_target(&k, load);

		CHECKF(t % k.align == 0 || t == k.link, "load 0x%llx: target 0x%llx not aligned",
		       (unsigned long long)load, (unsigned long long)t);
		CHECK(t >= k.link && t >= load);
		/* the least such address: one alignment step lower is either below the load or below the link */
		CHECKF(t == k.link || t - k.align < load, "load 0x%llx: target 0x%llx is not the least",
		       (unsigned long long)load, (unsigned long long)t);
	}
	/* QEMU loads at 1 MiB: every relocatable kernel then runs at its link address */
	for (int l = 0; l < 3; l++) {
		struct kd_plan_kernel k = { .link = links[l], .align = 2 * MB, .relocatable = true };

		CHECK_EQ(kd_plan_target(&k, MB), links[l]);
	}
	struct kd_plan_kernel k64 = { .link = 64 * MB, .align = 16 * MB, .relocatable = true };
	CHECK_EQ(kd_plan_target(&k64, 100 * MB), 112 * MB);
	CHECK_EQ(kd_plan_target(&k64, 5 * GB + 4096), 5 * GB + 16 * MB);
}

TEST(plan_target_not_relocatable)
{
	struct kd_plan_kernel k = { .link = 16 * MB, .align = 2 * MB, .relocatable = false };

	CHECK_EQ(kd_plan_target(&k, MB), 16 * MB);
	CHECK_EQ(kd_plan_target(&k, 200 * MB), 16 * MB);
	CHECK_EQ(kd_plan_target(&k, 6 * GB), 16 * MB);
	k.link = 2 * MB;
	CHECK_EQ(kd_plan_target(&k, 64 * MB), 2 * MB);
}

TEST(plan_copy_safe)
{
	CHECK(kd_plan_copy_safe(MB, 16 * MB, 8 * MB));		/* up, apart */
	CHECK(kd_plan_copy_safe(MB, 2 * MB, 8 * MB));		/* up, overlapping: backwards is right */
	CHECK(kd_plan_copy_safe(MB, MB, 8 * MB));		/* in place */
	CHECK(kd_plan_copy_safe(64 * MB, 16 * MB, 48 * MB));	/* down, ending exactly at the source */
	CHECK(!kd_plan_copy_safe(64 * MB, 16 * MB, 48 * MB + 32));	/* down over itself */
	CHECK(!kd_plan_copy_safe(17 * MB, 16 * MB, 8 * MB));
}

TEST(plan_kaslr_what_moves)
{
	struct kd_plan_kernel k = { .link = 16 * MB, .align = 2 * MB, .relocatable = true, .relocs = true };
	const char *why = "stale";

	CHECK(kd_plan_kaslr(&k, &why) == KD_PLAN_KASLR_ALL);
	CHECK(why == NULL);
	k.relocs = false;
	CHECK(kd_plan_kaslr(&k, &why) == KD_PLAN_KASLR_PHYSICAL);
	CHECK(why && strstr(why, "no relocation table"));
	k.relocatable = false;
	CHECK(kd_plan_kaslr(&k, &why) == KD_PLAN_KASLR_NONE);
	CHECK(why && strstr(why, "not relocatable"));
	k.relocs = true;	/* a table does not make a kernel relocatable */
	CHECK(kd_plan_kaslr(&k, &why) == KD_PLAN_KASLR_NONE);
}

TEST(plan_paging_levels)
{
	const char *why;

	/* below 4 GiB the stub switches to whatever the kernel wants */
	for (int cur = 4; cur <= 5; cur++) {
		CHECK_EQ(kd_plan_paging_levels(true, true, false, cur, true, &why), 5);
		CHECK_EQ(kd_plan_paging_levels(false, true, false, cur, true, &why), 4);	/* 5LEVEL=n on LA57 */
		CHECK_EQ(kd_plan_paging_levels(true, false, false, cur, true, &why), 4);	/* no LA57 */
		CHECK_EQ(kd_plan_paging_levels(true, true, true, cur, true, &why), 4);		/* no5lvl */
		CHECK(why == NULL);
	}
	/* above 4 GiB the entry mode stays, unless the kernel cannot run in it */
	CHECK_EQ(kd_plan_paging_levels(true, true, false, 4, false, &why), 4);
	CHECK_EQ(kd_plan_paging_levels(true, true, true, 5, false, &why), 5);
	CHECK(why == NULL);
	CHECK_EQ(kd_plan_paging_levels(false, true, false, 5, false, &why), 0);
	CHECK(why && strstr(why, "5-level"));
}
