/* SPDX-License-Identifier: MIT */
/* kdecomp simulate: the state the steps share, its memory, its steps and its report (see simulate.c). */
#ifndef KD_SIMULATE_H
#define KD_SIMULATE_H
#include "../boot/layout.h"
#include "efi_boot.h"
#include "kaslr.h"
#include "pgtable.h"
#include "tools.h"

#define CHUNK		(2ull << 20)	/* simulated memory is allocated 2 MiB at a time */
#define GiB		(1ull << 30)
#define REAL_ADDR	0x10000ull	/* QEMU: the setup sectors */
#define CMDLINE_ADDR	0x20000ull	/* QEMU: the command line */
#define TYPE_OF_LOADER_UNDEFINED 0xff	/* what efi.c's make_boot_params and new 64-bit loaders write */
#define STUB_VALUE	"%s 0x%016llx"	/* a message with a value, as the stub's error_value prints it */
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
	const char *e820_path, *efi_map_path, *cmdline, *dump_path;
	bool efi, json, trace, loader64;
};

/* --- the simulated UEFI firmware (--efi, simulate_efi_fw.c) --- */

#define EFI_FW_MAX_DESCS	1024
#define EFI_FW_DESC_SIZE	48	/* what OVMF's GetMemoryMap reports: longer than the 40-byte struct */

/* Its memory map: sorted by address, neighbours of one type and attribute merged, as EDK2 keeps it. */
struct efi_fw {
	struct kd_efi_mem_desc d[EFI_FW_MAX_DESCS];
	unsigned n;
	uint64_t key;			/* GetMemoryMap's map key: changes with every allocation */
	uint64_t systab;		/* where the system table lies (runtime services data) */
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
	uint64_t cmdline_addr;
	size_t cmdline_len;
	uint64_t load;			/* where the protected-mode part is when the head runs */
	bool entry_64;			/* entered at startup_64: EFI, or loaded above what startup_32 reaches */

	/* efi (--efi): the firmware, and what efi_main allocated and handed over */
	struct efi_fw fw;
	uint64_t image_base, buffer, memmap_addr, memmap_size, ext_addr;
	unsigned e820_count, exit_calls;

	/* head */
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

/* The stub halts in `step` with this message: recorded for the report; always false. */
bool halt(struct sim *s, const char *step, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool halt_report(struct sim *s, const char *step, enum kd_err err, const struct kd_report *r);

/* The steps, each in the file named for it; false when the stub halts there. */
bool step_loader(struct sim *s);	/* simulate_loader.c */
bool step_efi(struct sim *s);		/* simulate_efi.c: the firmware and efi_main, in the loader's place */
bool step_head(struct sim *s);		/* simulate_head.c */
bool step_main(struct sim *s);
bool step_ident(struct sim *s);
bool step_kaslr(struct sim *s);		/* simulate_kaslr.c */
bool step_decompress(struct sim *s);	/* simulate_kernel.c */
bool step_elf(struct sim *s);
bool step_relocs(struct sim *s);

/* simulate_loader.c: the e820 table in boot_params, one line a range, for --trace. */
void trace_e820(struct sim *s);

/* simulate_efi_fw.c: the firmware's map, its allocations (AllocatePages' modes), GetMemoryMap. */
void efi_fw_default_map(struct efi_fw *fw, uint64_t mem);
void efi_fw_read_map(struct efi_fw *fw, const char *path);
bool efi_fw_allocate(struct efi_fw *fw, enum efi_allocate_type how, uint32_t type, uint64_t bytes, uint64_t *addr);
void efi_fw_free(struct efi_fw *fw, uint64_t addr, uint64_t bytes);
uint64_t efi_fw_map_size(const struct efi_fw *fw);
void efi_fw_write_map(const struct efi_fw *fw, uint8_t *buf);
const char *efi_type_name(uint32_t type);
/* A boot services table whose GetMemoryMap and ExitBootServices are this firmware's. */
const struct efi_boot_services *efi_fw_boot_services(struct efi_fw *fw);

/* The head's test before it writes to the buffer: is this byte in a usable entry (or is there no map)? */
bool ram_at(const struct kd_boot_params *bp, uint64_t addr);

/* Identity-map [start, end) in the stub's tables, recorded for the report; false (halted) when the pool runs out. */
bool add_map(struct sim *s, uint64_t start, uint64_t end, const char *what);

/* The kernel's destination as the stub sees it: the whole buffer in place, else `needed` bytes. */
uint8_t *output_mem(struct sim *s);

const char *e820_type_name(uint32_t type);

/* What an avoided region is, by where the stub took it from. */
const char *avoid_name(const struct sim *s, const struct kd_range *r);

/* simulate_report.c: every step begun, as aligned text or one JSON object on stdout. */
void report(const struct sim *s, const char *path, bool ok);
#endif
