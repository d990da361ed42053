/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's constants, shared by its assembly, its C and its
 * linker script.
 *
 * The kernel is linked as Linux's vmlinux is: at virtual
 * KERNEL_MAP + LOAD_PHYS, physical LOAD_PHYS, with its per-cpu section
 * linked at 0.  It reports through the isa-debug-exit device: QEMU exits
 * with status (value << 1) | 1 when the kernel writes value to its port,
 * so no status the kernel chooses can be mistaken for QEMU's own 0
 * (a triple fault with -no-reboot) or 1 (a QEMU error).
 */
#ifndef TESTKERNEL_H
#define TESTKERNEL_H

#define KERNEL_MAP		0xffffffff80000000	/* __START_KERNEL_map */
#define LOAD_PHYS		0x1000000		/* LOAD_PHYSICAL_ADDR: 16 MiB */
#define LINK_BASE		(KERNEL_MAP + LOAD_PHYS)	/* _text, as linked */
#define KERNEL_ALIGN		0x200000		/* where a stub may put us: 2 MiB steps */
#define KERNEL_MAP_SIZE		0x40000000		/* the kernel mapping: 1 GiB */

/* pcpu_probe's offset in .data..percpu (its link-time value) and what it holds */
#define PCPU_PROBE_OFFSET	0x40
#define PCPU_MAGIC		0x7063707570726f62	/* "borpupcp" */
#define MARKER_MAGIC		0x72656b72616d6b74	/* "tkmarker" */

#define DEBUG_EXIT_PORT		0xf4
#define EXIT_OK			0x10	/* QEMU exits 33 */
#define EXIT_BAD_BOOT		0x11	/* 35: rsi is not boot_params, or we run misaligned */
#define EXIT_BAD_RELOCS		0x12	/* 37: a relocation was not applied for our offset */
#define EXIT_BAD_VIRTUAL	0x13	/* 39: wrong address or references once at the virtual address */

#define BOOT_STACK_SIZE		0x4000
/*
 * paging.c's pool: the PML4; for the identity map a PDPT and two PDs (the
 * kernel may straddle a 1 GiB boundary); for the kernel mapping a PDPT
 * and one PD (the mapping is one aligned GiB): 6, and room to spare.
 */
#define PGT_PAGES		8

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct kd_boot_params;

/* relocs.c */
uint64_t linked(const void *p);
bool check_relocations(const struct kd_boot_params *bp, uint64_t *delta);
bool check_absolute_references(void);

/* paging.c */
bool build_page_tables(uint64_t phys, uint64_t virt, uint64_t size, uint64_t *cr3);

/* serial.c: COM1, polled */
void serial_init(void);
void con_puts(const char *s);
void con_putsn(const char *s, uint64_t max);
void con_hex(uint64_t v);

/* head.S */
void enter_virtual(uint64_t cr3, uint64_t shift, void (*next)(void)) __attribute__((noreturn));
void debug_exit(uint32_t value) __attribute__((noreturn));
#endif
#endif
