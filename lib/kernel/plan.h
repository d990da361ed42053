/* SPDX-License-Identifier: MIT */
/*
 * Where the kernel runs: the placement decisions of the boot, written once
 * and used by the stub (boot/), kdecomp pack and kdecomp simulate.
 *
 * Nothing here is assumed about the kernel: its facts are read from the
 * kernel itself by pack and recorded in the image's head info block:
 *
 *   link         its link-time physical address, the lowest PT_LOAD
 *                p_paddr (Linux's LOAD_PHYSICAL_ADDR: CONFIG_PHYSICAL_START
 *                rounded up to CONFIG_PHYSICAL_ALIGN; 16 MiB on distributions)
 *   align        the physical alignment it asks for: its bzImage's
 *                kernel_alignment (CONFIG_PHYSICAL_ALIGN), never below the
 *                2 MiB its own entry code checks
 *   relocatable  it may run at another physical address (its bzImage's
 *                relocatable_kernel; for a vmlinux, that it carries
 *                relocations, which Linux emits only with KASLR)
 *   relocs       a relocation table follows its ELF: only then may it run
 *                at another virtual address
 *   five_level   it was built for 5-level paging (XLF_5LEVEL_ENABLED)
 *
 * Physical placement on x86-64 needs no relocation: the kernel finds its
 * physical base itself at entry.  A relocatable kernel without a table may
 * therefore still move physically; its virtual address stays the link one.
 */
#ifndef KD_PLAN_H
#define KD_PLAN_H
#include "kd.h"

#define KD_PLAN_MIN_ALIGN	(2ull << 20)	/* a 2 MiB page: x86-64's startup_64 refuses less */

struct kd_plan_kernel {
	uint64_t link;		/* link-time physical address (also the virtual offset it is linked at) */
	uint64_t align;		/* physical and virtual alignment, a power of two >= KD_PLAN_MIN_ALIGN */
	uint64_t kernel_mem;	/* its memory from link: highest p_paddr + p_memsz - link */
	uint64_t needed;	/* what its destination must hold: max(decompressed size, kernel_mem) */
	bool relocatable;
	bool relocs;
	bool five_level;
};

/*
 * The start of the decompression buffer [target, target + init_size) for an
 * image loaded at `load`: a relocatable kernel's buffer starts at `load`
 * rounded up to its alignment, never below its link address; any other
 * kernel's at its link address (where it must run).
 */
uint64_t kd_plan_target(const struct kd_plan_kernel *k, uint64_t load);

/*
 * The head copies the image (len bytes at src) backwards to dest: safe when
 * dest is not below src, or when the two do not overlap.
 */
bool kd_plan_copy_safe(uint64_t src, uint64_t dest, uint64_t len);

/* What KASLR may move. */
enum kd_plan_kaslr {
	KD_PLAN_KASLR_ALL,	/* physical and virtual */
	KD_PLAN_KASLR_PHYSICAL,	/* physical only: no relocation table */
	KD_PLAN_KASLR_NONE,	/* nothing: not relocatable */
};

/*
 * What KASLR may move for this kernel; *why is the stub's warning when it
 * may not move everything (NULL otherwise).  `nokaslr` is the caller's.
 */
enum kd_plan_kaslr kd_plan_kaslr(const struct kd_plan_kernel *k, const char **why);

/*
 * The paging mode the stub builds for the kernel, 4 or 5 levels; 0 when
 * none works (*why says why).  5-level only for a kernel built for it, on a
 * CPU with LA57, without `no5lvl`.  Changing mode passes through 32-bit
 * code, so a stub running above 4 GiB keeps the mode it was entered in,
 * unless the kernel cannot run in it.
 */
int kd_plan_paging_levels(bool kernel_5level, bool cpu_la57, bool no5lvl, int current, bool stub_below_4g,
			  const char **why);
#endif
