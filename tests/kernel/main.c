// SPDX-License-Identifier: MIT
/*
 * The test kernel: what a boot stub must get right, checked from inside
 * the kernel it booted.
 *
 *   kernel_main       at entry, identity-mapped at physical P:
 *                     %rsi was boot_params (HdrS at 0x202); P 2 MiB-aligned;
 *                     print P and the command line; check the relocation
 *                     probes (relocs.c), which give the virtual offset delta
 *   enter_virtual     our own page tables, and on at the virtual address
 *                     LINK_BASE + delta (head.S, paging.c)
 *   kernel_virtual    %rip is where delta says; absolute references (a
 *                     64-bit function pointer, a 32S immediate) work there
 *
 * The verdict leaves through isa-debug-exit (kernel.h lists the codes).
 */
#include "bootparam.h"
#include "kernel.h"

#define CMDLINE_MAX 4096	/* beyond any cmdline_size a loader honours */

extern char _text[], _end[];
void kernel_main(const struct kd_boot_params *bp, uint64_t phys) __attribute__((noreturn));

/* Set at the physical address, read at the virtual one: the same memory. */
static uint64_t delta;

static void __attribute__((noreturn)) fail(uint32_t code, const char *why, uint64_t value)
{
	con_puts("testkernel: FAIL: ");
	con_puts(why);
	con_puts(" ");
	con_hex(value);
	con_puts("\n");
	debug_exit(code);
}

static void print_boot_params(const struct kd_boot_params *bp)
{
	uint64_t cmdline = kd_cmdline_addr(bp);

	con_puts("testkernel: boot_params at ");
	con_hex((uintptr_t)bp);
	con_puts(", boot protocol ");
	con_hex(bp->hdr.version);
	con_puts(", loadflags ");
	con_hex(bp->hdr.loadflags);
	con_puts(bp->hdr.loadflags & KD_KASLR_FLAG ? " (KASLR)\n" : " (no KASLR)\n");
	con_puts("testkernel: command line: ");
	if (cmdline)
		con_putsn((const char *)(uintptr_t)cmdline, CMDLINE_MAX);
	con_puts("\n");
}

static void __attribute__((noreturn)) kernel_virtual(void)
{
	const uint64_t here = (uintptr_t)_text;	/* %rip-relative: where we run now */

	con_puts("testkernel: virtual ");
	con_hex(here);
	con_puts("\n");
	if (here != LINK_BASE + delta)
		fail(EXIT_BAD_VIRTUAL, "running at a virtual address other than LINK_BASE + delta:", here);
	if (!check_absolute_references())
		debug_exit(EXIT_BAD_VIRTUAL);
	con_puts("testkernel: absolute references work at the virtual address\n");
	con_puts("testkernel: ok\n");
	debug_exit(EXIT_OK);
}

void kernel_main(const struct kd_boot_params *bp, uint64_t phys)
{
	const uint64_t size = ((uintptr_t)_end - (uintptr_t)_text + KERNEL_ALIGN - 1) & ~(uint64_t)(KERNEL_ALIGN - 1);
	uint64_t cr3;

	serial_init();
	con_puts("\ntestkernel: physical ");
	con_hex(phys);
	con_puts("\n");
	if (!bp)
		fail(EXIT_BAD_BOOT, "no boot_params: %rsi is", 0);
	if (bp->hdr.header != KD_HDRS_MAGIC)
		fail(EXIT_BAD_BOOT, "%rsi does not point at boot_params: no HdrS at 0x202, found", bp->hdr.header);
	print_boot_params(bp);
	if (phys & (KERNEL_ALIGN - 1))
		fail(EXIT_BAD_BOOT, "physical address not 2 MiB-aligned:", phys);
	if (!check_relocations(bp, &delta)) {
		con_puts("testkernel: relocations WRONG (delta ");
		con_hex(delta);
		con_puts(")\n");
		debug_exit(EXIT_BAD_RELOCS);
	}
	con_puts("testkernel: relocations ok (delta ");
	con_hex(delta);
	con_puts(")\n");
	if (!build_page_tables(phys, LINK_BASE + delta, size, &cr3))
		fail(EXIT_BAD_VIRTUAL, "page-table pool too small for a kernel of size", size);
	enter_virtual(cr3, LINK_BASE + delta - phys, kernel_virtual);
}
