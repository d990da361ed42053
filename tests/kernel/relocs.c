// SPDX-License-Identifier: MIT
/*
 * Did the stub relocate us?  The probes in probes.S hold, at link time,
 * values this file can recompute; after the stub has applied the table for
 * a virtual offset delta, each must have moved by +delta, by -delta or not
 * at all (the table in probes.S).  delta itself is read off the first
 * 64-bit probe; every other probe must agree with it.
 *
 * Runs identity-mapped at the physical address P, before anything is
 * mapped at the link-time addresses: link-time values are derived from
 * %rip-relative addresses, linked(x) = LINK_BASE + (x - _text).
 */
#include "bootparam.h"
#include "kernel.h"

/* probe_table in probes.S */
struct probes {
	uint64_t marker;		/* R_X86_64_64 */
	uint64_t marker_32s_fn;		/* R_X86_64_64 to probe_marker_32s */
	uint64_t end;			/* R_X86_64_64 to the linker script's _end */
	uint64_t pcpu_abs;		/* R_X86_64_64 to a per-cpu symbol */
	uint32_t marker_32s;		/* R_X86_64_32S */
	uint32_t pcpu_rel;		/* R_X86_64_PC32 to a per-cpu symbol */
	uint32_t marker_rel;		/* R_X86_64_PC32 inside the image */
	uint32_t pad;
};

extern char _text[], _end[], __per_cpu_load[], marker[];
extern struct probes probe_table;
uint64_t probe_marker_32s(void);

static unsigned wrong;

uint64_t linked(const void *p)
{
	return LINK_BASE + ((uint64_t)(uintptr_t)p - (uint64_t)(uintptr_t)_text);
}

static void expect(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	wrong++;
	con_puts("testkernel: relocation wrong: ");
	con_puts(what);
	con_puts(" is ");
	con_hex(got);
	con_puts(", expected ");
	con_hex(want);
	con_puts("\n");
}

bool check_relocations(const struct kd_boot_params *bp, uint64_t *delta_out)
{
	const struct probes *p = &probe_table;
	const uint64_t delta = p->marker - linked(marker);
	const uint64_t kernel_size = (uint64_t)(uintptr_t)_end - (uint64_t)(uintptr_t)_text;

	wrong = 0;
	expect("64-bit pointer to a function", p->marker_32s_fn, linked(probe_marker_32s) + delta);
	expect("64-bit pointer to the linker script's _end", p->end, linked(_end) + delta);
	expect("32S pointer", p->marker_32s, (uint32_t)(linked(marker) + delta));
	expect("32S pointer, sign-extended", (uint64_t)(int64_t)(int32_t)p->marker_32s, linked(marker) + delta);
	expect("per-cpu offset minus a spot in the image (inverse 32-bit)", p->pcpu_rel,
	       (uint32_t)(PCPU_PROBE_OFFSET - (linked(&p->pcpu_rel) + delta)));
	expect("64-bit per-cpu offset (must not move)", p->pcpu_abs, PCPU_PROBE_OFFSET);
	expect("PC-relative reference inside the image (must not move)", p->marker_rel,
	       (uint32_t)((uintptr_t)marker - (uintptr_t)&p->marker_rel));
	expect("per-cpu initial data at __per_cpu_load", *(const uint64_t *)(__per_cpu_load + PCPU_PROBE_OFFSET),
	       PCPU_MAGIC);
	expect("delta modulo 2 MiB", delta & (KERNEL_ALIGN - 1), 0);
	if (LINK_BASE + delta < KERNEL_MAP || LINK_BASE + delta - KERNEL_MAP + kernel_size > KERNEL_MAP_SIZE)
		expect("kernel start in the 1 GiB kernel mapping", LINK_BASE + delta, LINK_BASE);
	if (!(bp->hdr.loadflags & KD_KASLR_FLAG))
		expect("delta without KASLR", delta, 0);
	*delta_out = delta;
	return wrong == 0;
}

/*
 * At the virtual address: call probe_marker_32s through its relocated
 * 64-bit pointer; the relocated 32S immediate it returns must be marker's
 * address as %rip sees it, and hold marker's value.
 */
bool check_absolute_references(void)
{
	uint64_t (*const fn)(void) = (uint64_t (*)(void))(uintptr_t)probe_table.marker_32s_fn;
	const uint64_t got = fn();

	wrong = 0;
	expect("marker's address from code at the virtual address", got, (uint64_t)(uintptr_t)marker);
	if (!wrong)
		expect("marker's value read through it", *(const uint64_t *)(uintptr_t)got, MARKER_MAGIC);
	return wrong == 0;
}
