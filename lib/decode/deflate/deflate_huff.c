// SPDX-License-Identifier: MIT
/*
 * DEFLATE's canonical Huffman codes (RFC 1951 3.2.2) turned into decode
 * tables (the entry layout is in deflate.h).
 *
 * A block sends only each symbol's code length; codewords follow from the
 * lengths: shorter codes come first, and codes of one length are
 * consecutive in symbol order.  A set of lengths must describe a complete
 * code (every bit pattern starts exactly one codeword).  Two exceptions are
 * allowed for the literal/length and distance codes, as zlib allows them: a
 * single one-bit codeword, and (distance code only) no codewords at all, for
 * a block with no matches.  Every other incomplete or over-subscribed set is
 * corrupt.
 */
#include "deflate.h"

enum code_kind { KIND_PRECODE, KIND_LITLEN, KIND_DIST };

/*
 * Length symbols 257..284 come in groups of four sharing a number of extra
 * bits (0 for the first eight, then 1, 2, .. 5); each base is the previous
 * base plus the previous symbol's range.  285 is 258 with no extra bits.
 */
static uint32_t length_entry(unsigned sym, unsigned code_bits)
{
	unsigned i = sym - 257, extra, base;

	if (i < 8) {
		extra = 0;
		base = DEFLATE_MIN_MATCH + i;
	} else if (i < 28) {
		extra = (i - 4) / 4;
		base = ((4 + (i & 3)) << extra) + DEFLATE_MIN_MATCH;
	} else {
		extra = 0;
		base = DEFLATE_MAX_MATCH;
	}
	return base << 16 | code_bits << 8 | (code_bits + extra);
}

/* Distance symbols 0..29: the first four exact, then pairs with 1, 2, .. 13 extra bits. */
static uint32_t dist_entry(unsigned sym, unsigned code_bits)
{
	unsigned extra = sym < 4 ? 0 : (sym - 2) / 2;
	unsigned base = sym < 4 ? 1 + sym : ((2 + (sym & 1)) << extra) + 1;

	return base << 16 | code_bits << 8 | (code_bits + extra);
}

/* An invalid symbol still consumes its codeword, so a truncated stream is seen as truncated. */
static uint32_t invalid_entry(enum deflate_invalid why, unsigned code_bits)
{
	return (uint32_t)why << 16 | ENTRY_EXCEPTIONAL | code_bits << 8 | code_bits;
}

/* The entry for `sym` whose codeword has `code_bits` bits left to consume at this level. */
static inline uint32_t symbol_entry(enum code_kind kind, unsigned sym, unsigned code_bits)
{
	switch (kind) {
	case KIND_PRECODE:
		return sym << 16 | code_bits << 8 | code_bits;
	case KIND_LITLEN:
		if (sym < 256)
			return sym << 16 | ENTRY_LITERAL | code_bits << 8 | code_bits;
		if (sym == DEFLATE_END_OF_BLOCK)
			return ENTRY_EXCEPTIONAL | ENTRY_END_OF_BLOCK | code_bits << 8 | code_bits;
		if (sym < DEFLATE_MAX_LITLEN_CODES)
			return length_entry(sym, code_bits);
		return invalid_entry(INVALID_LITLEN_286_287, code_bits);
	case KIND_DIST:
		if (sym < DEFLATE_MAX_DIST_CODES)
			return dist_entry(sym, code_bits);
		return invalid_entry(INVALID_DIST_30_31, code_bits);
	}
	return 0;
}

static const char *oversubscribed(enum code_kind kind)
{
	switch (kind) {
	case KIND_PRECODE:
		return "deflate code length code is oversubscribed";
	case KIND_LITLEN:
		return "deflate literal/length code is oversubscribed";
	case KIND_DIST:
		break;
	}
	return "deflate distance code is oversubscribed";
}

static const char *incomplete(enum code_kind kind)
{
	switch (kind) {
	case KIND_PRECODE:
		return "deflate code length code is incomplete";
	case KIND_LITLEN:
		return "deflate literal/length code is incomplete";
	case KIND_DIST:
		break;
	}
	return "deflate distance code is incomplete";
}

/*
 * The next codeword of the same length, kept bit-reversed as tables index
 * it: add 1 at bit len - 1 and carry toward bit 0.  Moving on to longer
 * codes appends a 0 bit to the codeword, which leaves the reversed form
 * unchanged.
 */
static unsigned next_reversed(unsigned rev, unsigned len)
{
	unsigned bit = 1u << (len - 1);

	while (rev & bit) {
		rev ^= bit;
		bit >>= 1;
	}
	return rev | bit;
}

/*
 * Index bits of the subtable that starts with a `len`-bit codeword: grow it
 * until the codewords not yet placed (`remaining`, this one included) fill
 * it.  Codewords sharing their first table_bits bits are consecutive in
 * canonical order, so they are exactly the next ones placed.
 */
static unsigned subtable_bits(const unsigned *remaining, unsigned len, unsigned table_bits)
{
	unsigned bits = len - table_bits;
	int room = 1 << bits;

	for (;;) {
		room -= (int)remaining[table_bits + bits];
		if (room <= 0 || table_bits + bits >= DEFLATE_MAX_CODE_LEN)
			return bits;
		bits++;
		room <<= 1;
	}
}

/* Fill every entry whose low bits are `rev`, stepping by 2^len, below `size`. */
static void fill_entries(uint32_t *table, unsigned rev, unsigned len, unsigned size, uint32_t entry)
{
	for (unsigned i = rev; i < size; i += 1u << len)
		table[i] = entry;
}

/*
 * Count the symbols of each length (count[0]: unused symbols) and list
 * them by (length, symbol), the canonical order.  The two halves of the
 * alphabet keep their own counters, so the CPU runs two chains of
 * increments side by side instead of one.
 */
static void sort_by_length(const uint8_t *lens, unsigned nsyms, unsigned *count, uint16_t *sorted)
{
	unsigned lo[DEFLATE_MAX_CODE_LEN + 1] = { 0 }, hi[DEFLATE_MAX_CODE_LEN + 1] = { 0 };
	unsigned half = (nsyms + 1) / 2, pos = 0;

	for (unsigned s = 0; s < nsyms - half; s++) {
		lo[lens[s]]++;
		hi[lens[half + s]]++;
	}
	if (nsyms & 1)
		lo[lens[half - 1]]++;
	for (unsigned len = 0; len <= DEFLATE_MAX_CODE_LEN; len++) {
		count[len] = lo[len] + hi[len];
		hi[len] = pos + lo[len];	/* now where each half's symbols of this length go */
		lo[len] = pos;
		pos += count[len];
	}
	for (unsigned s = 0; s < nsyms - half; s++) {
		sorted[lo[lens[s]]++] = (uint16_t)s;
		sorted[hi[lens[half + s]]++] = (uint16_t)(half + s);
	}
	if (nsyms & 1)
		sorted[lo[lens[half - 1]]++] = (uint16_t)(half - 1);
}

/*
 * Build the table for `nsyms` code lengths.  `capacity` entries are
 * available (main table first, subtables after it); `sorted` is scratch
 * for nsyms symbols.  KD_ERR_CORRUPT if the lengths are not a code.
 */
static enum kd_err build_table(struct kd_job *job, uint32_t *table, unsigned capacity, const uint8_t *lens, unsigned nsyms,
			       unsigned table_bits, enum code_kind kind, uint16_t *sorted)
{
	unsigned count[DEFLATE_MAX_CODE_LEN + 1];
	unsigned main_size = 1u << table_bits;
	int left = 1;

	sort_by_length(lens, nsyms, count, sorted);
	for (unsigned len = 1; len <= DEFLATE_MAX_CODE_LEN; len++) {
		left = 2 * left - (int)count[len];
		KD_FAIL_IF(left < 0, job, KD_ERR_CORRUPT, oversubscribed(kind));
	}
	if (left > 0) {
		unsigned used = nsyms - count[0];

		KD_FAIL_IF(kind == KIND_PRECODE || used > 1 || (used == 1 && count[1] != 1), job, KD_ERR_CORRUPT,
			   incomplete(kind));
		for (unsigned i = 0; i < main_size; i++)
			table[i] = invalid_entry(used ? INVALID_UNUSED_CODEWORD : INVALID_NO_DIST_CODES, 0);
	}

	/*
	 * Codes that fit the main table: while doing length `len`, only the
	 * first 2^len entries are current; each codeword goes in once, then
	 * the table is doubled by copying, which repeats every shorter code at
	 * the stride it needs.  Entries copied before their code is placed
	 * are overwritten by it (every index belongs to exactly one code).
	 * Doubling starts at the shortest length in use.
	 */
	unsigned rev = 0, placed = count[0], len = 1, first;

	while (len < table_bits && !count[len])
		len++;
	for (first = len; len <= table_bits; len++) {
		if (len > first)
			kd_memcpy(table + (1u << (len - 1)), table, (1u << (len - 1)) * sizeof(*table));
		for (unsigned n = count[len]; n; n--) {
			table[rev] = symbol_entry(kind, sorted[placed++], len);
			rev = next_reversed(rev, len);
		}
	}

	unsigned next_free = main_size, sub_prefix = main_size, sub_start = 0, sub_bits = 0;

	for (; len <= DEFLATE_MAX_CODE_LEN; len++) {
		for (; count[len]; count[len]--) {
			if ((rev & (main_size - 1)) != sub_prefix) {
				sub_prefix = rev & (main_size - 1);
				sub_start = next_free;
				sub_bits = subtable_bits(count, len, table_bits);
				next_free += 1u << sub_bits;
				/* a complete code stays within the ENOUGH bound; this guards the memory */
				KD_FAIL_IF(next_free > capacity, job, KD_ERR_CORRUPT, oversubscribed(kind));
				table[sub_prefix] = sub_start << 16 | ENTRY_EXCEPTIONAL | ENTRY_SUBTABLE |
						    sub_bits << 8 | table_bits;
			}
			fill_entries(table + sub_start, rev >> table_bits, len - table_bits, 1u << sub_bits,
				     symbol_entry(kind, sorted[placed++], len - table_bits));
			rev = next_reversed(rev, len);
		}
	}
	return KD_OK;
}

/* The precode's lengths are in t->lens[0..19), by symbol. */
enum kd_err deflate_build_precode(struct kd_job *job, struct deflate_tables *t)
{
	return build_table(job, t->precode, KD_ARRAY_SIZE(t->precode), t->lens, DEFLATE_NUM_PRECODE_SYMS,
			   PRECODE_TABLE_BITS, KIND_PRECODE, t->sorted);
}

/* The literal/length lengths are t->lens[0..nlitlen), the distance lengths follow. */
enum kd_err deflate_build_litlen_dist(struct kd_job *job, struct deflate_tables *t, unsigned nlitlen,
				      unsigned ndist)
{
	enum kd_err err;

	t->have_fixed = false;
	KD_FAIL_IF(t->lens[DEFLATE_END_OF_BLOCK] == 0, job, KD_ERR_CORRUPT,
		   "deflate literal/length code has no end-of-block code");
	err = build_table(job, t->litlen, LITLEN_ENOUGH, t->lens, nlitlen, LITLEN_TABLE_BITS, KIND_LITLEN,
			  t->sorted);
	if (err)
		return err;
	return build_table(job, t->dist, DIST_ENOUGH, t->lens + nlitlen, ndist, DIST_TABLE_BITS, KIND_DIST,
			   t->sorted);
}

/* The fixed code of RFC 1951 3.2.6, built on first use rather than stored. */
void deflate_build_fixed(struct kd_job *job, struct deflate_tables *t)
{
	if (t->have_fixed)
		return;
	kd_memset(t->lens, 8, 144);
	kd_memset(t->lens + 144, 9, 256 - 144);
	kd_memset(t->lens + 256, 7, 280 - 256);
	kd_memset(t->lens + 280, 8, DEFLATE_NUM_LITLEN_SYMS - 280);
	kd_memset(t->lens + DEFLATE_NUM_LITLEN_SYMS, 5, DEFLATE_NUM_DIST_SYMS);
	/* the fixed lengths are a complete code by construction */
	build_table(job, t->litlen, LITLEN_ENOUGH, t->lens, DEFLATE_NUM_LITLEN_SYMS, LITLEN_TABLE_BITS,
		    KIND_LITLEN, t->sorted);
	build_table(job, t->dist, DIST_ENOUGH, t->lens + DEFLATE_NUM_LITLEN_SYMS, DEFLATE_NUM_DIST_SYMS,
		    DIST_TABLE_BITS, KIND_DIST, t->sorted);
	t->have_fixed = true;
}
