/* SPDX-License-Identifier: MIT */
/*
 * Choosing where the kernel runs: a physical slot in usable RAM that avoids
 * everything still in use at boot, and a virtual offset in the kernel's
 * mapping area.  Pure arithmetic over what the caller collected, so the
 * host can test it over any memory map with any seed; the stub gathers the
 * memory map, the regions to avoid and the entropy (boot/kaslr.c).
 *
 *   0        16 MiB (LOAD_PHYSICAL_ADDR)                          limit
 *   |.........|====RAM====|avoid|====RAM=======|avoid|===RAM===|....|
 *               slots: every align-aligned address a, a >= 16 MiB,
 *               with [a, a + size) inside one RAM range and
 *               clear of every avoided region
 *
 * The choice is uniform over all slots: each slot is one number in
 * [0, total), and the random number picks one.
 */
#ifndef KD_KASLR_H
#define KD_KASLR_H
#include "bootparam.h"

#define KD_KASLR_MAX_AVOID	32
#define KD_KASLR_MAX_RAM	(KD_E820_MAX + 64)

struct kd_range {
	uint64_t start;
	uint64_t end;		/* exclusive */
};

struct kd_kaslr_map {
	struct kd_range ram[KD_KASLR_MAX_RAM];		/* usable RAM, any order */
	unsigned n_ram;
	struct kd_range avoid[KD_KASLR_MAX_AVOID];	/* in use: image, initrd, cmdline, ... */
	unsigned n_avoid;
	uint64_t limit;		/* nothing at or above: mem=, the paging mode's reach */
};

void kd_kaslr_map_init(struct kd_kaslr_map *m, uint64_t limit);
/* Add usable RAM from e820 entries (type 1 only). */
void kd_kaslr_add_e820(struct kd_kaslr_map *m, const struct kd_e820_entry *e, unsigned n);
/* Add a region to avoid; false if the table is full (the caller must then not randomise). */
bool kd_kaslr_avoid(struct kd_kaslr_map *m, uint64_t start, uint64_t size);

/* How many aligned slots of `size` bytes there are (at or above `min`). */
uint64_t kd_kaslr_count_slots(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min);

/* Slot number `n` (0 <= n < count) as an address; slots ordered by RAM range, then address. */
uint64_t kd_kaslr_slot_addr(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min, uint64_t n);

/* A random physical slot, or 0 if none fits. */
uint64_t kd_kaslr_choose_phys(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t random);

/*
 * A random virtual base (as a physical-style address: the kernel runs at
 * KD_START_KERNEL_MAP + it), aligned, at or above 16 MiB, with the whole
 * kernel inside the KD_KERNEL_IMAGE_SIZE mapping.
 */
uint64_t kd_kaslr_choose_virt(uint64_t size, uint64_t align, uint64_t random);

/* Mix entropy words into one well-spread 64-bit number. */
uint64_t kd_kaslr_mix(uint64_t acc, uint64_t word);
#endif
