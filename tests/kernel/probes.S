/* SPDX-License-Identifier: MIT */
/*
 * Relocation probes: one spot of each kind Linux's relocation table
 * describes, at link time holding a value the kernel can recompute, so it
 * can tell after boot whether the stub patched each one for the virtual
 * offset it chose (delta):
 *
 *   spot                     relocation        table list     after boot
 *   .quad marker             R_X86_64_64       64-bit         + delta
 *   .quad probe_marker_32s   R_X86_64_64       64-bit         + delta (a function: called at the virtual address)
 *   .quad _end               R_X86_64_64       64-bit         + delta (a linker-script symbol)
 *   32S immediate of marker  R_X86_64_32S      32-bit         + delta (in data and in code)
 *   .long pcpu_probe - .     R_X86_64_PC32     inverse 32-bit - delta (per-cpu symbol, spot in the image)
 *   .quad pcpu_probe         R_X86_64_64       none           unchanged (a per-cpu offset)
 *   .long marker - .         R_X86_64_PC32     none           unchanged (both ends move)
 *
 * struct probes in main.c mirrors probe_table.
 */
#include "kernel.h"

/* Linked at 0, like SMP Linux's: pcpu_probe is an offset into each CPU's area. */
	.section .data..percpu, "aw"
	.org PCPU_PROBE_OFFSET
	.globl pcpu_probe
pcpu_probe:
	.quad PCPU_MAGIC

	.data
	.balign 8
	.globl marker
marker:
	.quad MARKER_MAGIC

	/* in the last segment, with .bss: the stub relocates every segment */
	.section .init.data, "aw"
	.balign 8
	.globl probe_table
probe_table:
	.quad marker
	.quad probe_marker_32s
	.quad _end
	.quad pcpu_probe
	.reloc ., R_X86_64_32S, marker
	.long 0
	.long pcpu_probe - .
	.long marker - .
	.long 0

	.text
/* uint64_t probe_marker_32s(void): marker's address from a sign-extended 32-bit immediate */
	.globl probe_marker_32s
	.type probe_marker_32s, @function
probe_marker_32s:
	movq $marker, %rax
	ret
	.size probe_marker_32s, . - probe_marker_32s
