// SPDX-License-Identifier: MIT
#include "kd.h"

/* A switch rather than a table of pointers: the boot stub has no run-time relocations. */
const char *kd_strerror(enum kd_err err)
{
	switch (err) {
	case KD_OK:			return "success";
	case KD_ERR_MAGIC:		return "not in this format (bad magic)";
	case KD_ERR_UNSUPPORTED:	return "uses a feature that is not supported";
	case KD_ERR_CORRUPT:		return "corrupt data";
	case KD_ERR_TRUNCATED:		return "input is truncated";
	case KD_ERR_CHECKSUM:		return "checksum mismatch";
	case KD_ERR_SIZE:		return "stored size does not match the data";
	case KD_ERR_DICTIONARY:		return "dictionary required";
	case KD_ERR_OUTPUT_FULL:	return "output buffer too small";
	case KD_ERR_HEAP:		return "not enough heap";
	case KD_ERR_IMAGE:		return "not a valid bzImage";
	case KD_ERR_ELF:		return "bad kernel ELF";
	case KD_ERR_RELOC:		return "bad relocation table";
	case KD_ERR_PLACE:		return "no room to place the kernel";
	case KD_ERR_PGTABLE:		return "out of page-table pages";
	case KD_ERR_KALLSYMS:		return "no usable kallsyms symbol table";
	}
	return "unknown error";
}
