/* SPDX-License-Identifier: MIT */
#include "layout.h"
/*
 * Main: linked at 0 as a PIE, run wherever the head copied it.  The
 * header at 0x10 carries the sizes pack needs; the asserts keep run-time
 * relocations out (there is nobody to apply them).
 */
OUTPUT_FORMAT("elf64-x86-64")
ENTRY(main_entry)
SECTIONS
{
	. = 0;
	.head : {
		KEEP(*(.head.text))
		. = MAIN_FILE_END;
		LONG(_file_end) LONG(_end) LONG(_pgtable) LONG(HEAP_SIZE)
		LONG(efi_pe_entry) LONG(efi_handover_entry)
	}
	.text : { *(.text .text.*) }
	.rodata : { *(.rodata .rodata.*) }
	.data : {
		*(.data .data.*)
		. = ALIGN(16);		/* the file ends on the same boundary as _file_end */
	}
	_file_end = .;
	.bss (NOLOAD) : {
		_bss_start = .;
		*(.bss .bss.*) *(COMMON)
		. = ALIGN(16);
		_bss_end = .;
	}
	. = ALIGN(X86_PAGE_SIZE);
	.pgtable (NOLOAD) : {
		_pgtable = .;
		. += (PGT_POOL_FIRST + PGT_POOL_PAGES) * X86_PAGE_SIZE;
	}
	_end = .;
	.rela.dyn : { *(.rela.*) }
	.got : { *(.got) *(.got.*) }
	/DISCARD/ : { *(.eh_frame) *(.note.*) *(.comment) *(.interp) *(.dynamic) *(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash) }
}
ASSERT(SIZEOF(.rela.dyn) == 0, "run-time relocations in the stub: a pointer in static data?")
ASSERT(SIZEOF(.got) == 0 || SIZEOF(.got) == 24, "GOT entries in the stub")
