/* SPDX-License-Identifier: MIT */
/*
 * Choosing where the kernel runs: a physical slot in usable RAM that avoids
 * everything still in use at boot, and a virtual offset in the kernel's
 * mapping area.  Pure arithmetic over what the caller collected, so the
 * host can test it over any memory map with any seed; the stub gathers the
 * memory map, the regions to avoid and the entropy (boot/kaslr.c).
 *
 *   0        min (the kernel's link address)                      limit
 *   |.........|====RAM====|avoid|====RAM=======|avoid|===RAM===|....|
 *               slots: every align-aligned address a, a >= min,
 *               with [a, a + size) inside one RAM range and
 *               clear of every avoided region
 *
 * The choice is uniform over all slots: each slot is one number in
 * [0, total), and the random number picks one.
 */
#ifndef KD_KASLR_H
#define KD_KASLR_H
#include "bootparam.h"
#include "plan.h"

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
/*
 * Add usable RAM from a UEFI memory map (efi_map.h): only what the map calls
 * conventional memory.  Loader data (boot_params, the command line, the
 * initrd, the memory map itself), boot services memory the kernel keeps
 * until it has read the firmware's tables, and runtime regions are never
 * usable for the kernel's placement.
 */
void kd_kaslr_add_efi(struct kd_kaslr_map *m, const uint8_t *map, uint64_t size, uint64_t desc_size);
/* Add a region to avoid; false if the table is full (the caller must then not randomise). */
bool kd_kaslr_avoid(struct kd_kaslr_map *m, uint64_t start, uint64_t size);

/* How many aligned slots of `size` bytes there are (at or above `min`). */
uint64_t kd_kaslr_count_slots(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min);

/* Slot number `n` (0 <= n < count) as an address; slots ordered by RAM range, then address. */
uint64_t kd_kaslr_slot_addr(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min, uint64_t n);

/* A random physical slot at or above min, or 0 if none fits. */
uint64_t kd_kaslr_choose_phys(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min,
			      uint64_t random);

/* How many virtual bases kd_kaslr_choose_virt chooses from (1: only min, when nothing else fits). */
uint64_t kd_kaslr_virt_slots(uint64_t size, uint64_t align, uint64_t min);

/*
 * A random virtual base (as a physical-style address: the kernel runs at
 * KD_START_KERNEL_MAP + it), aligned, at or above min (the link address),
 * with the whole kernel inside the KD_KERNEL_IMAGE_SIZE mapping.
 */
uint64_t kd_kaslr_choose_virt(uint64_t size, uint64_t align, uint64_t min, uint64_t random);

/*
 * Reading one setup_data node for kd_kaslr_collect: the node at physical
 * address `addr` with its `len` bytes of data, readable by the caller until
 * the next call; NULL if it cannot be read.  The stub reads its identity-
 * mapped memory directly, `kdecomp simulate` its simulated memory.
 */
typedef const struct kd_setup_data *(*kd_setup_data_reader)(uint64_t addr, void *ctx);

/* What the boot has put in memory, as kd_kaslr_collect reads it. */
struct kd_kaslr_boot {
	const struct kd_boot_params *bp;	/* readable */
	uint64_t bp_addr;			/* where boot_params lies in physical memory */
	const char *cmdline;			/* readable, or NULL; it lies at kd_cmdline_addr(bp) */
	size_t cmdline_len;
	uint64_t target;			/* the decompression buffer [target, target + init_size) */
	uint64_t init_size;
	kd_setup_data_reader read_setup_data;
	void *ctx;				/* for read_setup_data */
	const uint8_t *efi_map;			/* readable: the memory map efi_info names, or NULL if none */
};

/*
 * The memory map KASLR chooses from: usable RAM from the EFI memory map
 * when the boot came through EFI (b->efi_map), else the e820 table and
 * SETUP_E820_EXT nodes; below mem= and the reach of 4-level paging; avoided,
 * the buffer, the initrd, boot_params, the command line, every setup_data
 * node, every memmap= range and every non-RAM entry of the e820 table that
 * overlaps RAM (where entries disagree, reserved wins).  False when the regions do not fit the map,
 * a setup_data node cannot be read or a memmap= cannot be parsed, with *why
 * the stub's warning for each (else NULL): the caller must then not
 * randomise (a region it missed could be overwritten).
 */
bool kd_kaslr_collect(struct kd_kaslr_map *m, const struct kd_kaslr_boot *b, const char **why);

/*
 * The stub's choice from one random number, for the kernel k: a physical
 * slot for k->needed bytes, k->align-aligned, at or above k->link (false,
 * *phys untouched, if none fits) and, when `what` allows it, from the
 * number mixed again so the two are independent, a virtual base for
 * k->kernel_mem bytes (else *virt is untouched).
 */
bool kd_kaslr_choose(const struct kd_kaslr_map *m, const struct kd_plan_kernel *k, enum kd_plan_kaslr what,
		     uint64_t random, uint64_t *phys, uint64_t *virt);

/*
 * The checks extract_kernel makes on the chosen place before writing the
 * kernel there: both addresses aligned to the kernel's alignment, the
 * kernel below what 4-level paging maps and inside the 1 GiB kernel
 * mapping.  r->why is the stub's message, r->value the address at fault.
 */
enum kd_err kd_kaslr_check_destination(const struct kd_plan_kernel *k, uint64_t phys, uint64_t virt,
				       struct kd_report *r);

/* Mix entropy words into one well-spread 64-bit number. */
uint64_t kd_kaslr_mix(uint64_t acc, uint64_t word);

/*
 * kdecomp.seed=N on the command line (N decimal or 0x hex): a debugging
 * option that replaces the hardware's entropy (RDRAND, RDTSC, the i8254)
 * with N, so a boot places the kernel exactly where `kdecomp simulate`
 * predicts.  It removes the randomisation: for testing only.
 */
enum kd_kaslr_seed {
	KD_SEED_NONE,		/* no kdecomp.seed=: the hardware's entropy */
	KD_SEED_FIXED,		/* *seed holds N */
	KD_SEED_BAD,		/* kdecomp.seed= without a number: ignored, the hardware's entropy */
};
/* *why: the warning the stub prints (NULL for KD_SEED_NONE); *seed is set only for KD_SEED_FIXED. */
enum kd_kaslr_seed kd_kaslr_cmdline_seed(const char *cmdline, size_t len, uint64_t *seed, const char **why);

/* The random number KASLR chooses from for a fixed seed: the stub's for kdecomp.seed=N, simulate's. */
uint64_t kd_kaslr_seeded(uint64_t seed);
#endif
