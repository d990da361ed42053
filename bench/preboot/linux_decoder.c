// SPDX-License-Identifier: MIT
/*
 * One of Linux's preboot decompressors, built as
 * arch/x86/boot/compressed/misc.c builds it: that directory's compiler
 * flags, misc.h and the boot string.h first, STATIC and a visible boot-heap
 * malloc (include/linux/decompress/mm.h), memzero and memmove defined as
 * there, then the format's lib/decompress_*.c included whole.  Nothing of
 * Linux's is in this file: bench/preboot/preboot.sh compiles it inside
 * Debian's extracted linux-source tree, naming the decompressor file in
 * KD_LINUX_DECOMPRESSOR and the entry point in KD_LINUX_ENTRY.
 *
 * The entry point is ours: it gives the decoder a fresh boot heap and calls
 * __decompress as extract_kernel does (whole input, whole output buffer,
 * no fill or flush callbacks).
 */
#include "misc.h"
#include "../string.h"

#define STATIC		static
#define MALLOC_VISIBLE
#include <linux/decompress/mm.h>

#define memzero(s, n)	memset((s), 0, (n))
#ifndef memmove
#define memmove		memmove
void *memmove(void *dest, const void *src, size_t n);
#endif

memptr free_mem_ptr;
memptr free_mem_end_ptr;

#include KD_LINUX_DECOMPRESSOR

static char *failure;

static void record_error(char *why)
{
	failure = why;
}

int KD_LINUX_ENTRY(unsigned char *in, long in_len, unsigned char *out, long out_len, void *heap,
		   unsigned long heap_size, char **why);

int KD_LINUX_ENTRY(unsigned char *in, long in_len, unsigned char *out, long out_len, void *heap,
		   unsigned long heap_size, char **why)
{
	int ret;

	free_mem_ptr = (memptr)heap;
	free_mem_end_ptr = free_mem_ptr + heap_size;
	malloc_ptr = 0;
	malloc_count = 0;
	failure = NULL;
	ret = __decompress(in, in_len, NULL, NULL, out, out_len, NULL, record_error);
	*why = failure;
	return ret;
}
