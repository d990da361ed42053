/* SPDX-License-Identifier: MIT */
/*
 * The test kernel, laid out as Linux's vmlinux is (arch/x86's linker
 * script has the same shape; this one is written from the ELF facts):
 *
 *   PT_LOAD text    .text .rodata       virtual KERNEL_MAP + 16 MiB, physical 16 MiB
 *   PT_LOAD data    .data
 *   PT_LOAD percpu  .data..percpu       virtual 0, physical __per_cpu_load - KERNEL_MAP
 *   PT_LOAD init    .init.data .bss     (Linux's init segment ends with .bss too)
 *
 * Every segment's physical address is its virtual one minus KERNEL_MAP,
 * except the per-cpu one's: linked at 0, its initial contents sit in the
 * image at __per_cpu_load.  e_entry is startup_64's physical address.
 */
#include "kernel.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(phys_startup_64)

PHDRS
{
	text PT_LOAD FLAGS(5);
	data PT_LOAD FLAGS(6);
	percpu PT_LOAD FLAGS(6);
	init PT_LOAD FLAGS(6);
}

SECTIONS
{
	. = LINK_BASE;
	_text = .;
	.text : AT(ADDR(.text) - KERNEL_MAP) {
		KEEP(*(.head.text))
		*(.text .text.*)
	} :text
	.rodata : AT(ADDR(.rodata) - KERNEL_MAP) { *(.rodata .rodata.*) } :text

	. = ALIGN(4096);
	/* not .data..percpu: the pattern is .data. followed by anything but a dot */
	.data : AT(ADDR(.data) - KERNEL_MAP) { *(.data .data.[!.]*) } :data

	. = ALIGN(4096);
	__per_cpu_load = .;
	.data..percpu 0 : AT(__per_cpu_load - KERNEL_MAP) { KEEP(*(.data..percpu)) } :percpu
	. = __per_cpu_load + SIZEOF(.data..percpu);

	/*
	 * The stub reads segments in file order and moves each down to its
	 * place: a segment of .bss alone would have no file offset of its own,
	 * so, as in Linux, initialised data leads the last segment.
	 */
	. = ALIGN(4096);
	.init.data : AT(ADDR(.init.data) - KERNEL_MAP) { *(.init.data) } :init
	.bss : AT(ADDR(.bss) - KERNEL_MAP) {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		__bss_stop = .;
	} :init
	_end = .;

	phys_startup_64 = ABSOLUTE(startup_64 - KERNEL_MAP);

	/DISCARD/ : { *(.eh_frame) *(.note.*) *(.comment) }
}

ASSERT(_text == LINK_BASE, "the kernel must start at its link base")
ASSERT(startup_64 == _text, "startup_64 must be the kernel's first byte")
ASSERT(pcpu_probe == PCPU_PROBE_OFFSET, "pcpu_probe is not where relocs.c expects it")
