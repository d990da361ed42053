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
 */
#include "boot.h"
#include "cmdline.h"
#include "handover.h"
#include "kaslr.h"

static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }

static void cpuid(uint32_t leaf, uint32_t *ecx, uint32_t *edx)
{
	uint32_t eax = leaf, ebx = 0;

	*ecx = 0;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(*ecx), "=d"(*edx));
}

/* RDRAND when the CPU has it, RDTSC, the i8254 counter, and boot_params itself. */
static uint64_t get_entropy(const struct kd_boot_params *bp)
{
	const uint8_t *bytes = (const uint8_t *)bp;
	uint32_t ecx, edx;
	uint64_t acc = 0;

	cpuid(1, &ecx, &edx);
	if (ecx & (1u << 30)) {
		for (int tries = 0; tries < 16; tries++) {
			uint64_t v;
			uint8_t ok;

			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok) {
				acc = kd_kaslr_mix(acc, v);
				break;
			}
		}
	}
	if (edx & (1u << 4)) {
		uint32_t lo, hi;

		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		acc = kd_kaslr_mix(acc, (uint64_t)hi << 32 | lo);
	}
	outb(0x43, 0x00);	/* latch counter 0 */
	acc = kd_kaslr_mix(acc, inb(0x40) | (uint64_t)inb(0x40) << 8);
	for (unsigned i = 0; i < sizeof(*bp); i += 8)
		acc = kd_kaslr_mix(acc, kd_get_le64(bytes + i));
	return acc;
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
	random = get_entropy(bp);
	if (!kd_kaslr_collect(&map, &b)) {
		warn("KASLR disabled: too many regions to avoid, or an unreadable memmap=");
		return;
	}
	if (!kd_kaslr_choose(&map, k, what, random, output, virt))
		warn("Physical KASLR disabled: no suitable memory region!");
	bp->hdr.loadflags |= KD_KASLR_FLAG;
}
