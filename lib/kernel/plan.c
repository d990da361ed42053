// SPDX-License-Identifier: MIT
/* The boot's placement decisions (see plan.h). */
#include "plan.h"

uint64_t kd_plan_target(const struct kd_plan_kernel *k, uint64_t load)
{
	uint64_t target;

	if (!k->relocatable)
		return k->link;
	target = KD_ALIGN_UP(load, k->align);
	return target < k->link ? k->link : target;
}

bool kd_plan_copy_safe(uint64_t src, uint64_t dest, uint64_t len)
{
	return dest >= src || dest + len <= src;
}

enum kd_plan_kaslr kd_plan_kaslr(const struct kd_plan_kernel *k, const char **why)
{
	*why = NULL;
	if (!k->relocatable) {
		*why = "KASLR disabled: the kernel is not relocatable (relocatable_kernel = 0); it runs at its link address";
		return KD_PLAN_KASLR_NONE;
	}
	if (!k->relocs) {
		*why = "Virtual KASLR disabled: the kernel has no relocation table; it runs at its link-time virtual address";
		return KD_PLAN_KASLR_PHYSICAL;
	}
	return KD_PLAN_KASLR_ALL;
}

int kd_plan_paging_levels(bool kernel_5level, bool cpu_la57, bool no5lvl, int current, bool stub_below_4g,
			  const char **why)
{
	int wanted = kernel_5level && cpu_la57 && !no5lvl ? 5 : 4;

	*why = NULL;
	if (wanted == current || stub_below_4g)
		return wanted;
	if (current == 5 && !kernel_5level) {
		*why = "entered in 5-level paging above 4 GiB: cannot go back to the 4-level paging this kernel needs";
		return 0;
	}
	return current;
}
