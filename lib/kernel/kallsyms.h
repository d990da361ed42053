/* SPDX-License-Identifier: MIT */
/*
 * kallsyms: the symbol table a Linux kernel built with CONFIG_KALLSYMS
 * carries in its read-only data, found by its structure (not by symbol
 * names: a stripped vmlinux has none) and decoded.
 *
 * scripts/kallsyms writes these arrays, each starting 8-byte aligned (4-byte
 * from 7.0):
 *
 *   kallsyms_num_syms        the symbol count N: a u32 (padded to 8 bytes
 *                            before 7.0; a u64 in old kernels: the same bytes)
 *   kallsyms_names           N entries: a length, then that many token
 *                            numbers.  The length is one byte; from 6.1 a
 *                            length >= 0x80 takes two bytes, 7 bits each,
 *                            low bits first.  The expanded text starts with
 *                            the type letter nm gave the symbol.
 *   kallsyms_markers         ceil(N / 256) offsets into kallsyms_names:
 *                            where symbols 0, 256, 512, ... start
 *                            (u32; unsigned long, so u64, in old kernels)
 *   kallsyms_token_table     256 NUL-terminated strings: token b expands
 *                            to string b
 *   kallsyms_token_index     256 u16: where each string starts in the table
 *   the addresses, either
 *     kallsyms_addresses     N u64 (before 4.6, or KALLSYMS_BASE_RELATIVE=n)
 *   or
 *     kallsyms_offsets       N 32-bit offsets, and
 *     kallsyms_relative_base a u64.  address = base + (u32)offset; with
 *                            KALLSYMS_ABSOLUTE_PERCPU (x86-64 SMP before
 *                            6.11) an offset >= 0 is itself the address (a
 *                            per-cpu variable) and one < 0 means
 *                            base - 1 - offset.
 *   or, from 7.0,
 *     kallsyms_offsets       N signed 32-bit offsets, each from its own
 *                            address (no base)
 *   kallsyms_seqs_of_names   (6.2 on, and backported to 6.1 stable) N
 *                            3-byte big-endian symbol numbers, in the order
 *                            of the symbols' names
 *
 * Symbols are in address order.  The order of the arrays changed in 6.4:
 *
 *   up to 6.3:  addresses, num_syms, names, markers, [seqs], token table, token index
 *   from 6.4:   num_syms, names, markers, token table, token index, addresses, [seqs]
 *   from 7.0:   the same, 4-byte aligned, with place-relative offsets
 *
 * The finder locates the token table by its index, then the count whose
 * names stream, walked entry by entry, ends just where markers agreeing
 * with the walk begin, then sorted addresses beside those.  Everything a
 * later decode relies on is checked while finding, so decoding a found
 * table cannot fail.
 */
#ifndef KD_KALLSYMS_H
#define KD_KALLSYMS_H
#include "elf.h"
#include "kd.h"

/* The longest name with its type letter and NUL: Linux's KSYM_NAME_LEN from 6.1 (128 before). */
#define KD_KSYM_NAME_MAX 512

enum kd_ksym_addressing {
	KD_KSYM_ABSOLUTE,		/* kallsyms_addresses */
	KD_KSYM_RELATIVE,		/* base + (u32)offset */
	KD_KSYM_RELATIVE_PERCPU,	/* offset >= 0: the address; < 0: base - 1 - offset */
	KD_KSYM_PLACE_RELATIVE,		/* the offset's own address + offset */
};

/* Where the tables are: file offsets into the vmlinux (all in one PT_LOAD segment). */
struct kd_kallsyms {
	const uint8_t *file;		/* the vmlinux the offsets point into */
	uint64_t seg_offset;		/* the segment holding the tables: file offset ... */
	uint64_t seg_vaddr;		/* ... and its virtual address */
	uint32_t num_syms;
	uint64_t num_syms_at;
	uint64_t names, names_end;	/* kallsyms_names [names, names_end) */
	uint64_t markers;
	unsigned marker_size;		/* 4 or 8 */
	uint64_t token_table, token_index;
	uint64_t addresses;		/* kallsyms_addresses or kallsyms_offsets */
	uint64_t relative_base_at;	/* 0 when there is no base */
	uint64_t seqs;			/* kallsyms_seqs_of_names, or 0 */
	uint64_t relative_base;
	enum kd_ksym_addressing addressing;
	bool long_lengths;		/* the 6.1 two-byte lengths (same as one byte below 0x80) */
	uint16_t token_off[256];	/* token b: token_table + token_off[b], token_len[b] chars */
	uint16_t token_len[256];
};

/* One decoded symbol, as a line of /proc/kallsyms. */
struct kd_ksym {
	uint64_t addr;
	char type;			/* nm's letter: T t D d B b R r W V A ... */
	uint16_t name_len;
	char name[KD_KSYM_NAME_MAX];	/* NUL-terminated, without the type letter */
};

/* Walking the symbols in table (address) order. */
struct kd_ksym_cursor {
	uint32_t index;			/* the next symbol's number */
	uint64_t pos;			/* its entry's file offset in kallsyms_names */
};

/*
 * Find the tables in the vmlinux file[0..len) whose loadable segments
 * `elf` describes.  KD_ERR_KALLSYMS, with the reason, when there is no
 * table or none whose parts agree.
 */
enum kd_err kd_kallsyms_find(const uint8_t *file, size_t len, const struct kd_elf_info *elf, struct kd_kallsyms *ks,
			     struct kd_report *r);

/* Start a walk at symbol 0. */
void kd_kallsyms_begin(const struct kd_kallsyms *ks, struct kd_ksym_cursor *c);

/* Decode the symbol at the cursor and move past it; false after the last one. */
bool kd_kallsyms_next(const struct kd_kallsyms *ks, struct kd_ksym_cursor *c, struct kd_ksym *sym);

/* Symbol i's address (i < num_syms). */
uint64_t kd_kallsyms_address(const struct kd_kallsyms *ks, uint32_t i);

/* The number of the i-th symbol in name order (kallsyms_seqs_of_names; ks->seqs != 0, i < num_syms). */
uint32_t kd_kallsyms_name_order(const struct kd_kallsyms *ks, uint32_t i);

/* A table's virtual address, from its file offset. */
static inline uint64_t kd_kallsyms_vaddr(const struct kd_kallsyms *ks, uint64_t offset)
{
	return ks->seg_vaddr + (offset - ks->seg_offset);
}
#endif
