// SPDX-License-Identifier: MIT
/*
 * choose_random_location: what the stub knows about memory, turned into a
 * physical slot and a virtual offset by lib/kaslr.c.
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
 * capped by mem= and by what 4-level paging reaches.
 */
#include "boot.h"
#include "cmdline.h"
#include "kaslr.h"
#include "pgtable.h"

#define PHYSICAL_ALIGN	(2ull << 20)
#define MAX_MEMMAP	4

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

/* memmap=SIZE<sep>START, with any of Linux's separators: all such ranges are kept free. */
static bool avoid_memmap(struct kd_kaslr_map *m, const char *cmd, size_t len)
{
	const char *v;
	size_t n;

	if (!kd_cmdline_get(cmd, len, "memmap", &v, &n))
		return true;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '@' || v[i] == '#' || v[i] == '$' || v[i] == '!') {
			uint64_t size, start;

			if (kd_parse_size(v, i, &size) && kd_parse_size(v + i + 1, n - i - 1, &start))
				return kd_kaslr_avoid(m, start, size);
			return false;	/* a memmap= we cannot read: do not guess */
		}
	}
	return true;
}

static bool collect_memory(struct kd_kaslr_map *m, struct kd_boot_params *bp, uint64_t target, uint32_t init_size)
{
	size_t len = 0;
	const char *cmd = boot_cmdline(bp, &len);
	uint64_t limit = kd_pgt_limit(4), mem;
	const char *v;
	size_t n;
	bool ok = true;

	if (cmd && kd_cmdline_get(cmd, len, "mem", &v, &n) && kd_parse_size(v, n, &mem) && mem < limit)
		limit = mem;
	kd_kaslr_map_init(m, limit);
	kd_kaslr_add_e820(m, bp->e820_table, bp->e820_entries < KD_E820_MAX ? bp->e820_entries : KD_E820_MAX);
	ok &= kd_kaslr_avoid(m, target, init_size);
	ok &= kd_kaslr_avoid(m, kd_initrd_addr(bp), kd_initrd_size(bp));
	ok &= kd_kaslr_avoid(m, (uintptr_t)bp, sizeof(*bp));
	if (cmd)
		ok &= kd_kaslr_avoid(m, (uintptr_t)cmd, len + 1);
	for (uint64_t node = bp->hdr.setup_data; node && ok;) {
		const struct kd_setup_data *sd = (const struct kd_setup_data *)(uintptr_t)node;

		ok &= kd_kaslr_avoid(m, node, sizeof(*sd) + sd->len);
		if (sd->type == KD_SETUP_E820_EXT)
			kd_kaslr_add_e820(m, (const struct kd_e820_entry *)sd->data, sd->len / sizeof(struct kd_e820_entry));
		node = sd->next;
	}
	if (cmd)
		ok &= avoid_memmap(m, cmd, len);
	return ok;
}

void choose_random_location(struct kd_boot_params *bp, uint64_t target, uint32_t init_size, uint64_t needed,
			    uint64_t kernel_mem, uint64_t *output, uint64_t *virt)
{
	static struct kd_kaslr_map map;	/* 4 KiB: too much for the stack */
	size_t len = 0;
	const char *cmd = boot_cmdline(bp, &len);
	const char *v;
	size_t n;
	uint64_t random, phys;

	*output = target;
	*virt = KD_LOAD_PHYSICAL_ADDR;
	if (cmd && kd_cmdline_get(cmd, len, "nokaslr", &v, &n)) {
		putstr("KASLR disabled: 'nokaslr' on cmdline.\n");
		return;
	}
	random = get_entropy(bp);
	if (!collect_memory(&map, bp, target, init_size)) {
		warn("KASLR disabled: too many regions to avoid, or an unreadable memmap=");
		return;
	}
	phys = kd_kaslr_choose_phys(&map, needed, PHYSICAL_ALIGN, random);
	if (phys)
		*output = phys;
	else
		warn("Physical KASLR disabled: no suitable memory region!");
	*virt = kd_kaslr_choose_virt(kernel_mem, PHYSICAL_ALIGN, kd_kaslr_mix(random, 0x7669727475616cull));
	bp->hdr.loadflags |= KD_KASLR_FLAG;
}
