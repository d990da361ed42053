// SPDX-License-Identifier: MIT
/*
 * bzip2's entropy layer: from a block's header to its bytes in BWT order.
 *
 * After the block magic and CRC (read by bzip2.c) a block holds:
 *
 *   randomised:1  origPtr:24
 *   used map:16, then 16 bits for each set bit: the byte values present,
 *       in order; the MTF alphabet is those values (nInUse of them), and
 *       the Huffman alphabet is RUNA, RUNB, MTF positions 1..nInUse-1 and
 *       EOB: nInUse + 2 symbols
 *   groups:3 (2..6 Huffman tables)  selectors:15 (at least 1)
 *   selectors: each the index of a table, MTF-coded among the tables and
 *       written in unary (j one bits, then a zero)
 *   for each table: a 5-bit start length, then for each symbol the length
 *       as deltas: while the next bit is 1, the bit after it says -1 (1)
 *       or +1 (0); lengths stay within 1..20
 *   symbols: table selectors[k] codes symbols 50k .. 50k + 49, up to EOB
 *
 * Codes are canonical: shorter codes first, and among equal lengths the
 * smaller symbol first.  Runs of the front MTF value are written as RUNA
 * and RUNB digits of a bijective base-2 number (RUNA adds 1 << k, RUNB
 * adds 2 << k, for the k-th digit); any other symbol s moves MTF position
 * s - 1 to the front and emits it.
 */
#include "bzip2.h"

/*
 * Decoding looks the next TABLE_BITS bits up in `fast`; an entry is the
 * symbol << 5 | the code length, or 0 for a code longer than TABLE_BITS
 * (or a bit pattern no code starts with).  Those go to the canonical
 * search: a code of length `len` read as a left-justified 20-bit number
 * lies below limit[len] and at or above limit[len - 1], and its symbol is
 * sorted[(the code) + offset[len]].  Ten bits keep the six tables of a
 * block in 12 KiB, inside L1.
 */
#define TABLE_BITS 10

struct bz_huff {
	uint16_t fast[1 << TABLE_BITS];
	uint32_t limit[BZ_MAX_CODE_LEN + 1];	/* left-justified end of each length's codes */
	int32_t offset[BZ_MAX_CODE_LEN + 1];	/* sorted index minus code, per length */
	uint16_t sorted[BZ_MAX_ALPHA];		/* symbols by (length, symbol) */
};

_Static_assert(BZ_MAX_ALPHA << 5 < 1 << 16 && BZ_MAX_CODE_LEN < 32, "fast entries fit 16 bits");
_Static_assert(BZ_MAX_CODE_LEN <= 56, "a refill leaves 56 bits or more: room for the longest code");

size_t kd_bzip2_tables_size(void)
{
	return sizeof(struct bz_huff) * BZ_MAX_GROUPS;
}

/*
 * Build a table from code lengths (each 1..20).  Rejects lengths that
 * promise more codes than there are bit patterns; an incomplete set is
 * accepted, and decoding fails only if the stream uses a missing code.
 */
static bool build_table(struct bz_huff *h, const uint8_t *lens, unsigned alpha)
{
	unsigned count[BZ_MAX_CODE_LEN + 1] = { 0 }, next[BZ_MAX_CODE_LEN + 1];
	uint32_t code = 0, index = 0;

	for (unsigned s = 0; s < alpha; s++)
		count[lens[s]]++;
	for (unsigned len = 1; len <= BZ_MAX_CODE_LEN; len++) {
		next[len] = index;
		h->offset[len] = (int32_t)index - (int32_t)code;
		index += count[len];
		code += count[len];
		if (code > 1u << len)
			return false;
		h->limit[len] = code << (BZ_MAX_CODE_LEN - len);
		code <<= 1;
	}
	for (unsigned s = 0; s < alpha; s++)
		h->sorted[next[lens[s]]++] = (uint16_t)s;

	kd_memset(h->fast, 0, sizeof(h->fast));
	for (unsigned i = 0; i < alpha; i++) {
		unsigned s = h->sorted[i], len = lens[s];

		if (len > TABLE_BITS)
			break;	/* sorted by length: the rest are longer too */
		uint32_t first = ((uint32_t)i - h->offset[len]) << (TABLE_BITS - len);
		for (uint32_t e = 0; e < 1u << (TABLE_BITS - len); e++)
			h->fast[first + e] = (uint16_t)(s << 5 | len);
	}
	return true;
}

/* A code longer than TABLE_BITS: its symbol and length, or length 0 if no code matches. */
static unsigned decode_long(const struct bz_huff *h, uint64_t buf, unsigned *len)
{
	uint32_t v = (uint32_t)(buf >> (64 - BZ_MAX_CODE_LEN));

	for (unsigned l = TABLE_BITS + 1; l <= BZ_MAX_CODE_LEN; l++) {
		if (v < h->limit[l]) {
			*len = l;
			return h->sorted[(v >> (BZ_MAX_CODE_LEN - l)) + h->offset[l]];
		}
	}
	*len = 0;
	return 0;
}

/* The byte values present, from the two-level used map; their count, 0 if none. */
static unsigned read_used_map(struct bz_bits *bits, uint8_t *values)
{
	unsigned n = 0, map = bz_get(bits, 16);

	for (unsigned hi = 0; hi < 16; hi++) {
		if (!(map & (0x8000 >> hi)))
			continue;
		unsigned m = bz_get(bits, 16);
		for (unsigned lo = 0; lo < 16; lo++)
			if (m & (0x8000 >> lo))
				values[n++] = (uint8_t)(hi << 4 | lo);
	}
	return n;
}

/* The selectors, un-MTF'd; how many were stored (at most BZ_MAX_SELECTORS), 0 on a bad one. */
static unsigned read_selectors(struct bz_bits *bits, uint8_t *sel, unsigned groups, unsigned count)
{
	uint8_t order[BZ_MAX_GROUPS] = { 0, 1, 2, 3, 4, 5 };

	for (unsigned i = 0; i < count; i++) {
		unsigned j = 0;

		while (bz_get(bits, 1))
			if (++j >= groups)
				return 0;
		uint8_t g = order[j];
		for (; j > 0; j--)
			order[j] = order[j - 1];
		order[0] = g;
		if (i < BZ_MAX_SELECTORS)
			sel[i] = g;
	}
	return count < BZ_MAX_SELECTORS ? count : BZ_MAX_SELECTORS;
}

/* One table's code lengths as deltas; false if one leaves 1..20. */
static bool read_lengths(struct bz_bits *bits, uint8_t *lens, unsigned alpha)
{
	unsigned len = bz_get(bits, 5);

	for (unsigned s = 0; s < alpha; s++) {
		for (;;) {
			if (len < 1 || len > BZ_MAX_CODE_LEN)
				return false;
			if (!bz_get(bits, 1))
				break;
			len += bz_get(bits, 1) ? -1u : 1u;
		}
		lens[s] = (uint8_t)len;
	}
	return true;
}

/* Move MTF position i (>= 1) to the front and return its value. */
static inline unsigned mtf_pop(uint8_t *mtf, unsigned i)
{
	unsigned v = mtf[i];

	if (i < 8) {
		/* shift bytes 0 .. i - 1 up by one inside one little-endian word */
		uint64_t w = kd_get_le64(mtf), mask = ~(uint64_t)0 >> (56 - 8 * i);

		kd_put_le64(mtf, (((w << 8) | v) & mask) | (w & ~mask));
	} else {
		kd_memmove(mtf + 1, mtf, i);
		mtf[0] = (uint8_t)v;
	}
	return v;
}

/*
 * The symbol stage: Huffman codes through the selectors, RUNA/RUNB runs
 * and MTF positions, into blk->tt and blk->count.  Symbols come in groups
 * of 50 per selector; the block ends at EOB.
 */
static enum kd_err read_symbols(struct kd_job *job, struct bz_bits *bits, struct bz_block *blk,
				const uint8_t *values, unsigned in_use, unsigned nsel)
{
	const struct bz_huff *tables = blk->tables;
	struct bz_bits b = *bits;
	uint32_t *tt = blk->tt, *count = blk->count, n = 0, max = blk->max;
	uint32_t run = 0, run_bit = 1;
	unsigned eob = in_use + 1;
	uint8_t mtf[256 + 8];	/* 8 spare bytes for mtf_pop's word access */
	enum kd_err err = KD_OK;

	kd_memset(count, 0, sizeof(blk->count));
	kd_memset(mtf, 0, sizeof(mtf));
	kd_memcpy(mtf, values, in_use);
	for (unsigned g = 0;; g++) {
		KD_FAIL_TO_IF(g >= nsel, done, err, job, KD_ERR_CORRUPT,
			      "bzip2 block has more symbols than its selectors cover");
		const struct bz_huff *h = &tables[blk->selectors[g]];

		for (unsigned k = 0; k < BZ_GROUP_SIZE; k++) {
			unsigned sym, len;

			if (b.avail < BZ_MAX_CODE_LEN)
				bz_refill(&b);
			sym = h->fast[b.buf >> (64 - TABLE_BITS)];
			len = sym & 31;
			sym >>= 5;
			if (KD_UNLIKELY(len == 0)) {
				sym = decode_long(h, b.buf, &len);
				KD_FAIL_TO_IF(len == 0, done, err, job, KD_ERR_CORRUPT,
					      "bzip2 symbol is not a code of its table");
			}
			b.buf <<= len;
			b.avail -= len;

			if (sym <= 1) {	/* RUNA or RUNB: one more digit of the run length */
				run += run_bit << sym;
				run_bit <<= 1;
				KD_FAIL_TO_IF(run > max - n, done, err, job, KD_ERR_CORRUPT, "bzip2 run overflows the block");
				continue;
			}
			if (run) {
				uint32_t v = mtf[0];

				count[v] += run;
				for (uint32_t end = n + run; n < end; n++)
					tt[n] = v;
				run = 0;
				run_bit = 1;
			}
			if (sym == eob)
				goto done;
			KD_FAIL_TO_IF(n >= max, done, err, job, KD_ERR_CORRUPT,
				      "bzip2 block is larger than its stream allows");
			uint32_t v = mtf_pop(mtf, sym - 1);
			count[v]++;
			tt[n++] = v;
		}
	}
done:
	*bits = b;
	blk->n = n;
	return err;
}

static enum kd_err read_tables(struct kd_job *job, struct bz_bits *bits, struct bz_block *blk,
			       unsigned alpha, unsigned *nsel)
{
	struct bz_huff *tables = blk->tables;
	unsigned groups = bz_get(bits, 3), count;
	uint8_t lens[BZ_MAX_ALPHA];

	KD_FAIL_IF(groups < 2 || groups > BZ_MAX_GROUPS, job, KD_ERR_CORRUPT, "bzip2 block has not 2-6 Huffman tables");
	count = bz_get(bits, 15);
	KD_FAIL_IF(count == 0, job, KD_ERR_CORRUPT, "bzip2 block has no selectors");
	*nsel = read_selectors(bits, blk->selectors, groups, count);
	KD_FAIL_IF(*nsel == 0, job, KD_ERR_CORRUPT, "bzip2 selector names a table the block lacks");
	for (unsigned g = 0; g < groups; g++) {
		KD_FAIL_IF(!read_lengths(bits, lens, alpha), job, KD_ERR_CORRUPT, "bzip2 code length is not 1-20");
		KD_FAIL_IF(!build_table(&tables[g], lens, alpha), job, KD_ERR_CORRUPT,
			   "bzip2 code lengths are oversubscribed");
	}
	return KD_OK;
}

static enum kd_err read_block(struct kd_job *job, struct bz_bits *bits, struct bz_block *blk)
{
	uint8_t values[256];
	unsigned in_use, nsel;
	enum kd_err err;

	blk->randomised = bz_get(bits, 1);
	blk->orig_ptr = bz_get(bits, 24);
	in_use = read_used_map(bits, values);
	KD_FAIL_IF(in_use == 0, job, KD_ERR_CORRUPT, "bzip2 block uses no byte values");
	err = read_tables(job, bits, blk, in_use + 2, &nsel);
	if (!err)
		err = read_symbols(job, bits, blk, values, in_use, nsel);
	if (err)
		return err;
	KD_FAIL_IF(blk->orig_ptr >= blk->n, job, KD_ERR_CORRUPT, "bzip2 origPtr is outside the block");
	return KD_OK;
}

enum kd_err kd_bzip2_read_block(struct kd_job *job, struct bz_bits *bits, struct bz_block *blk)
{
	enum kd_err err = read_block(job, bits, blk);

	/*
	 * Past the end, zero bits decode to nonsense: blame the truncation, not
	 * the nonsense, also when only the look-ahead saw the padding.
	 */
	KD_FAIL_IF(bz_overrun(bits) || (err && bits->over), job, KD_ERR_TRUNCATED, "bzip2 block is cut off");
	return err;
}
