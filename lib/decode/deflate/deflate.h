/* SPDX-License-Identifier: MIT */
/*
 * The raw DEFLATE decoder (RFC 1951) behind the gzip container: its decode
 * tables, its bit reader, and the calls between its layers.
 *
 *   deflate_huff.c    canonical Huffman codes -> decode tables
 *   deflate_block.c   the block loop: headers, stored blocks, code lengths
 *   deflate_decode.c  Huffman-coded block data: the fast loop and the tail
 *   gzip.c            the RFC 1952 wrapper around all of it
 */
#ifndef KD_DEFLATE_H
#define KD_DEFLATE_H

#include "kd.h"

#define DEFLATE_MAX_CODE_LEN		15
#define DEFLATE_NUM_LITLEN_SYMS		288	/* 286 usable; 286 and 287 only in the fixed code */
#define DEFLATE_NUM_DIST_SYMS		32	/* 30 usable; 30 and 31 only in the fixed code */
#define DEFLATE_NUM_PRECODE_SYMS	19
#define DEFLATE_MAX_LITLEN_CODES	286	/* HLIT + 257 may not exceed this */
#define DEFLATE_MAX_DIST_CODES		30	/* HDIST + 1 may not exceed this */
#define DEFLATE_END_OF_BLOCK		256
#define DEFLATE_MIN_MATCH		3
#define DEFLATE_MAX_MATCH		258
#define DEFLATE_WINDOW			32768	/* the farthest distance: symbol 29, base 24577, 13 extra bits */

/*
 * Decode tables are indexed by the next bits of the stream (the bit buffer's
 * low bits: DEFLATE packs Huffman codes most significant bit first, so the
 * index is the codeword bit-reversed).  A code no longer than the main
 * table's index fills every entry whose low bits are its codeword; a longer
 * one goes in a subtable reached through the entry for its first bits.
 *
 * Main table sizes: 11 index bits make every literal/length code of 11 bits
 * or fewer (nearly all of them in real streams) one lookup, and keep the
 * table inside L1 with its subtables.  The ENOUGH sizes are the largest a
 * main table plus all its subtables can be for any complete code over that
 * many symbols with codes up to 15 bits, as counted by zlib's `enough`
 * utility (its published results for 288 symbols/11 bits and 32 symbols/8
 * bits).  Incomplete codes are accepted only with a single one-bit code,
 * which needs no subtable.  The precode's codes are at most 7 bits, so its
 * table is 2^7 entries with no subtables.
 */
#define LITLEN_TABLE_BITS	11
#define LITLEN_ENOUGH		2342
#define DIST_TABLE_BITS		8
#define DIST_ENOUGH		402
#define PRECODE_TABLE_BITS	7
#define PRECODE_MAX_LEN		7

/*
 * One 32-bit table entry:
 *
 *   bits  0-7    bits to remove from the bit buffer for this entry: the
 *                codeword plus, for a length or distance, its extra bits
 *                (so one shift consumes both); for a subtable link, the
 *                main table's index bits
 *   bits  8-11   the codeword's own length, where the extra bits start; for
 *                a subtable link, the subtable's index bits
 *   bit  12      END_OF_BLOCK    (with EXCEPTIONAL)
 *   bit  13      SUBTABLE        (with EXCEPTIONAL): value is its first index
 *   bit  14      EXCEPTIONAL     not a literal, length or distance
 *   bit  15      LITERAL         value is the byte
 *   bits 16-31   value: literal byte, length or distance base, precode
 *                symbol, subtable index, or the reason for an INVALID entry
 *
 * An entry with EXCEPTIONAL and neither END_OF_BLOCK nor SUBTABLE is invalid:
 * a symbol the format forbids, or a bit pattern no codeword of an
 * incomplete code matches.
 */
#define ENTRY_END_OF_BLOCK	0x1000u
#define ENTRY_SUBTABLE		0x2000u
#define ENTRY_EXCEPTIONAL	0x4000u
#define ENTRY_LITERAL		0x8000u

static inline unsigned entry_bits(uint32_t e) { return e & 0xff; }
static inline unsigned entry_code_bits(uint32_t e) { return (e >> 8) & 0xf; }
static inline unsigned entry_value(uint32_t e) { return e >> 16; }

/* What an INVALID entry's value says went wrong (see invalid_reason()). */
enum deflate_invalid {
	INVALID_LITLEN_286_287 = 1,
	INVALID_DIST_30_31,
	INVALID_UNUSED_CODEWORD,
	INVALID_NO_DIST_CODES,
};

/*
 * The decoder's scratch, on the caller's heap: the current block's tables
 * and the code lengths they were built from.  The fixed code's tables are
 * rebuilt only when the previous block was not fixed too.
 */
struct deflate_tables {
	uint32_t litlen[LITLEN_ENOUGH];
	uint32_t dist[DIST_ENOUGH];
	uint32_t precode[1u << PRECODE_TABLE_BITS];
	uint8_t lens[DEFLATE_NUM_LITLEN_SYMS + DEFLATE_NUM_DIST_SYMS];
	uint16_t sorted[DEFLATE_NUM_LITLEN_SYMS];	/* symbols by (length, value), for the builder */
	bool have_fixed;	/* litlen/dist hold the fixed code */
};

/*
 * The bit reader.  `buf` holds `left` unread bits, least significant first;
 * bits above `left` are either zero or the very bits that follow (a wide
 * refill loads whole words and counts only the bytes it took), so OR-ing
 * the next bytes in again is harmless.  Past the end of the input a refill
 * feeds zero bytes and counts them in `overread`; only if some of those were
 * actually consumed was the input truncated.
 */
struct deflate_bits {
	const uint8_t *in;	/* next byte not yet in buf */
	const uint8_t *end;	/* end of the input */
	uint64_t buf;
	unsigned left;		/* 0..63 */
	size_t overread;	/* zero bytes fed past `end` */
};

/* Fill the bit buffer to 56..63 bits, a byte at a time (safe anywhere). */
static inline void bits_refill_slow(struct deflate_bits *br)
{
	while (br->left < 56) {
		if (KD_LIKELY(br->in < br->end))
			br->buf |= (uint64_t)*br->in++ << br->left;
		else
			br->overread++;
		br->left += 8;
	}
}

/*
 * Fill the bit buffer to 56..63 bits: a word at a time while 8 bytes of
 * input remain (it takes the whole bytes that fit), else a byte at a time.
 */
static inline void bits_refill(struct deflate_bits *br)
{
	if (KD_LIKELY(br->end - br->in >= 8)) {
		br->buf |= kd_get_le64(br->in) << br->left;
		br->in += (63 - br->left) >> 3;
		br->left |= 56;
	} else {
		bits_refill_slow(br);
	}
}

/* True if bits that were never in the input have been consumed. */
static inline bool bits_overrun(const struct deflate_bits *br)
{
	return br->overread * 8 > br->left;
}

static inline unsigned bits_take(struct deflate_bits *br, unsigned n)
{
	unsigned v = (unsigned)br->buf & ((1u << n) - 1);

	br->buf >>= n;
	br->left -= n;
	return v;
}

/* deflate_huff.c */
enum kd_err deflate_build_precode(struct kd_job *job, struct deflate_tables *t);
enum kd_err deflate_build_litlen_dist(struct kd_job *job, struct deflate_tables *t, unsigned nlitlen,
				      unsigned ndist);
void deflate_build_fixed(struct kd_job *job, struct deflate_tables *t);

/* deflate_decode.c: one Huffman-coded block's data, up to its end-of-block code. */
enum kd_err deflate_huffman_block(struct kd_job *job, const struct deflate_tables *t,
				  struct deflate_bits *br, uint8_t **opp, const uint8_t *out_start);

/*
 * deflate_block.c: a whole raw DEFLATE stream from *ipp; *ipp ends after its
 * last byte.  *crc is carried on over the output (kd_crc32), a block at a
 * time while each block is still in cache.
 */
enum kd_err deflate_stream(struct kd_job *job, struct deflate_tables *t,
			   const uint8_t **ipp, uint8_t **opp, uint32_t *crc);

#endif
