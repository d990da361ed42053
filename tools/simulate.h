/* SPDX-License-Identifier: MIT */
/* kdecomp simulate: the state the steps share, its memory and its report (see simulate.c). */
#ifndef KD_SIMULATE_H
#define KD_SIMULATE_H
#include "../boot/layout.h"
#include "kaslr.h"
#include "pgtable.h"
#include "tools.h"

#define CHUNK		(2ull << 20)	/* simulated memory is allocated 2 MiB at a time */
#define GiB		(1ull << 30)
#define REAL_ADDR	0x10000ull	/* QEMU: the setup sectors */
#define CMDLINE_ADDR	0x20000ull	/* QEMU: the command line */
#define MAX_MAPS	16
#define X(v) ((unsigned long long)(v))

/* --- sparse physical memory --- */

/* One allocated run of chunks: [start, end) of physical memory at data. */
struct extent {
	uint64_t start, end;
	uint8_t *data;
};

struct phys_mem {
	struct extent *x;
	size_t n, cap;
	uint64_t bytes;		/* allocated in all extents */
};

/*
 * A host pointer to physical [addr, addr + len).  Allocates the chunks not
 * yet allocated, merging every extent the range overlaps into one, so
 * earlier pointers into those extents become invalid: take the pointers a
 * step needs after the calls that may allocate.
 */
uint8_t *phys(struct phys_mem *m, uint64_t addr, uint64_t len);
void phys_free(struct phys_mem *m);

/* --- the simulation's state, step by step --- */

enum step { S_LOADER, S_HEAD, S_IDENT, S_KASLR, S_DECOMPRESS, S_ELF, S_RELOCS, S_COUNT };

struct options {
	uint64_t mem, seed, initrd_size, load;
	uint64_t initrd_addr;			/* 0: where QEMU would put it */
	uint64_t bp_addr, cmdline_addr;		/* QEMU's, or a 64-bit loader's (--loader64) */
	const char *e820_path, *cmdline, *dump_path;
	bool json, trace, loader64;
};

/* One identity mapping the stub makes, and why. */
struct mapping {
	uint64_t start, end;
	const char *what;
};

struct sim {
	struct options o;
	FILE *tr;			/* --trace goes here (NULL: off) */
	struct phys_mem mem;
	struct kd_bzimage img;
	struct kd_head_info info;
	struct kd_plan_kernel kernel;	/* the kernel's placement facts, from info */

	/* loader */
	struct kd_boot_params bp;	/* what our setup leaves at BOOT_PARAMS */
	uint64_t bp_addr;
	uint64_t low_top;		/* the end of the highest usable RAM below 4 GiB */
	uint64_t initrd_max;
	size_t cmdline_len;

	/* head */
	bool entry_64;			/* startup_64: the load is above what startup_32 reaches */
	uint64_t target, dest, copy_len;

	/* identity maps */
	struct kd_pgt pgt;
	void *pool;
	struct mapping maps[MAX_MAPS];
	unsigned n_maps;

	/* kaslr */
	bool nokaslr, randomised, phys_found;
	enum kd_plan_kaslr what;	/* what KASLR may move for this kernel */
	uint64_t seed;			/* kdecomp.seed= on the command line, else --seed */
	uint64_t random, slots, virt_slots, needed;
	struct kd_kaslr_map map;
	uint64_t output, virt;

	/* decompress */
	size_t heap_size, heap_peak, in_used;

	/* elf and relocations */
	struct kd_elf_info elf;
	struct kd_relocs rel;
	uint64_t entry;

	unsigned started;		/* steps begun: 1 + the last one's enum step */
	uint64_t ns[S_COUNT];		/* each step's time */
	const char *failed_step;	/* where the stub would halt, and why */
	char why[512];
};

/* A line of --trace (nothing without it). */
void say(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *e820_type_name(uint32_t type);

/* What an avoided region is, by where the stub took it from. */
const char *avoid_name(const struct sim *s, const struct kd_range *r);

/* simulate_report.c: every step begun, as aligned text or one JSON object on stdout. */
void report(const struct sim *s, const char *path, bool ok);
#endif
