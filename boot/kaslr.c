// SPDX-License-Identifier: MIT
/*
 * choose_random_location: what the stub knows about memory, turned into a
 * physical slot and a virtual offset by lib/kernel/kaslr.c.
 *
 * First, what the loader handed over must be sound (lib/kernel/handover.c):
 * a looping setup_data list or an initrd on the image halts here.
 *
 * Regions to avoid while the kernel is decompressed and until it has taken
 * over (everything still in use):
 *
 *   the buffer [target, target + init_size): our relocated image, its
 *       heap, stack and page tables, and the in-place fallback
 *   the initrd, the command line, boot_params, every setup_data node
 *   memmap= ranges (the user said so)
 *
 * Usable RAM is the e820 table in boot_params plus SETUP_E820_EXT nodes,
 * or, after an EFI boot, the conventional memory of the EFI memory map
 * efi_info names (identity-mapped like everything else here); capped by
 * mem= and by what 4-level paging reaches.
 *
 * The random number comes from the hardware, or from kdecomp.seed=N on the
 * command line (testing only: the choice is then the one `kdecomp
 * simulate` predicts for the same inputs).
 */
#include "boot.h"
#include "cmdline.h"
#include "handover.h"
#include "kaslr.h"

#define RDRAND_TRIES	16	/* RDRAND may come back empty while its source refills */

static bool rdrand(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The i8254's counter 0, latched so its two bytes belong together. */
static uint16_t pit_count(void)
{
	uint8_t lo;

	x86_outb(X86_PIT_COMMAND, X86_PIT_LATCH_COUNTER0);
	lo = x86_inb(X86_PIT_COUNTER0);
	return (uint16_t)(lo | x86_inb(X86_PIT_COUNTER0) << 8);
}

/* RDRAND when the CPU has it, RDTSC when it has that, the i8254 counter, and boot_params itself. */
static uint64_t hardware_entropy(const struct kd_boot_params *bp)
{
	const uint8_t *bytes = (const uint8_t *)bp;
	uint32_t r[4];
	uint64_t acc = 0, v;

	x86_cpuid(X86_CPUID_FEATURES, 0, r);
	if (r[2] & X86_CPUID_1_ECX_RDRAND) {
		for (int tries = 0; tries < RDRAND_TRIES; tries++) {
			if (rdrand(&v)) {
				acc = kd_kaslr_mix(acc, v);
				break;
			}
		}
	}
	if (r[3] & X86_CPUID_1_EDX_TSC)
		acc = kd_kaslr_mix(acc, rdtsc());
	acc = kd_kaslr_mix(acc, pit_count());
	for (unsigned i = 0; i < sizeof(*bp); i += 8)
		acc = kd_kaslr_mix(acc, kd_get_le64(bytes + i));
	return acc;
}

/*
 * The random number KASLR chooses from: the hardware's, unless the command
 * line fixes it with kdecomp.seed= (then exactly what `kdecomp simulate`
 * uses for the same seed: lib/kernel/kaslr.c decides both).
 */
static uint64_t get_entropy(const struct kd_boot_params *bp, const char *cmd, size_t len)
{
	uint64_t seed;
	const char *why;
	enum kd_kaslr_seed how = kd_kaslr_cmdline_seed(cmd, len, &seed, &why);

	if (why)
		warn(why);
	return how == KD_SEED_FIXED ? kd_kaslr_seeded(seed) : hardware_entropy(bp);
}

/*
 * The stub runs identity-mapped: a node's address is its pointer (the
 * page-fault handler maps it), once the e820 table says it is RAM.
 */
static const struct kd_setup_data *read_setup_data(uint64_t addr, void *ctx)
{
	const struct kd_boot_params *bp = ctx;
	const struct kd_setup_data *sd = (const struct kd_setup_data *)(uintptr_t)addr;

	if (!kd_setup_data_readable(bp, addr, 0) || !kd_setup_data_readable(bp, addr, sd->len))
		return NULL;
	return sd;
}

void choose_random_location(struct kd_boot_params *bp, const struct kd_plan_kernel *k, uint64_t target,
			    uint32_t init_size, uint64_t *output, uint64_t *virt)
{
	static struct kd_kaslr_map map;	/* 4 KiB: too much for the stack */
	size_t len = 0;
	const char *cmd = boot_cmdline(bp, &len);
	const char *v, *why;
	size_t n;
	uint64_t random;
	enum kd_plan_kaslr what;
	struct kd_kaslr_boot b = {
		.bp = bp, .bp_addr = (uintptr_t)bp, .cmdline = cmd, .cmdline_len = len,
		.target = target, .init_size = init_size, .read_setup_data = read_setup_data, .ctx = bp,
		.efi_map = (const uint8_t *)(uintptr_t)kd_efi_memmap_addr(bp),
	};
	struct kd_report r;

	*output = target;
	*virt = k->link;
	if (kd_handover_check(bp, target, init_size, read_setup_data, bp, &r) != KD_OK)
		error_value(r.why, r.value);
	if (cmd && kd_cmdline_get(cmd, len, "nokaslr", &v, &n)) {
		putstr("KASLR disabled: 'nokaslr' on cmdline.\n");
		return;
	}
	what = kd_plan_kaslr(k, &why);
	if (why)
		warn(why);
	if (what == KD_PLAN_KASLR_NONE)
		return;
	random = get_entropy(bp, cmd, len);
	if (!kd_kaslr_collect(&map, &b, &why)) {
		warn(why);
		return;
	}
	if (!kd_kaslr_choose(&map, k, what, random, output, virt))
		warn("Physical KASLR disabled: no suitable memory region!");
	bp->hdr.loadflags |= KD_KASLR_FLAG;
}
