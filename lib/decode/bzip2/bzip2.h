/* SPDX-License-Identifier: MIT */
/*
 * bzip2 internals shared by the stream layer (bzip2.c), the entropy layer
 * (bzip2_huff.c: tables, selectors, Huffman, MTF and RLE2), the block
 * layer (bzip2_bwt.c: inverse BWT, RLE1, randomisation); the CRC is
 * lib/check/bzip2_crc.c.
 *
 * bzip2 reads its bits most significant first and never pads between
 * blocks: only the end of a stream is aligned to a byte.
 */
#ifndef KD_BZIP2_H
#define KD_BZIP2_H

#include "kd.h"

#define BZ_BLOCK_UNIT		100000u	/* block size step: "BZh1".."BZh9" */
#define BZ_BLOCK_MAX		(9 * BZ_BLOCK_UNIT)
#define BZ_MAX_GROUPS		6	/* Huffman tables per block, at least 2 */
#define BZ_MAX_ALPHA		258	/* RUNA, RUNB, 255 MTF positions, EOB */
#define BZ_MAX_CODE_LEN		20
#define BZ_GROUP_SIZE		50	/* symbols coded with one selector */
/*
 * A block of BZ_BLOCK_MAX bytes gives at most BZ_BLOCK_MAX + 1 symbols
 * (every byte an MTF symbol, then EOB), so 18001 selectors; the reference
 * encoder may write one more, and some write the 15-bit field larger still:
 * selectors past this many are read and ignored.
 */
#define BZ_MAX_SELECTORS	18002

/*
 * The bit reader.  `buf` holds the unread bits left-aligned (the next bit
 * is bit 63) and `avail` of its top bits are valid, 0..63.  Below them buf
 * holds either zeros or the stream's following bits, so a refill may OR
 * them in again.  Past the end of the input it feeds zero bytes and counts
 * them in `over`; a decoder that has used any of them (bz_overrun) read a
 * truncated stream.
 */
struct bz_bits {
	const uint8_t *ip;	/* next byte to load into buf */
	const uint8_t *start;	/* where this stream's input starts */
	const uint8_t *iend;
	uint64_t buf;
	unsigned avail;
	size_t over;		/* zero bytes loaded past iend */
};

static inline void bz_refill(struct bz_bits *b)
{
	if (KD_LIKELY(b->iend - b->ip >= 8)) {
		/* whole bytes until 56..63 bits are valid; the rest of the load is real stream too */
		b->buf |= __builtin_bswap64(kd_get_le64(b->ip)) >> b->avail;
		b->ip += (63 - b->avail) >> 3;
		b->avail |= 56;
		return;
	}
	while (b->avail < 56) {
		uint64_t byte = 0;

		if (b->ip < b->iend)
			byte = *b->ip++;
		else
			b->over++;
		b->buf |= byte << (56 - b->avail);
		b->avail += 8;
	}
}

/* The next n bits, 1 <= n <= 32, as an unsigned number. */
static inline uint32_t bz_get(struct bz_bits *b, unsigned n)
{
	uint32_t v;

	if (b->avail < n)
		bz_refill(b);
	v = (uint32_t)(b->buf >> (64 - n));
	b->buf <<= n;
	b->avail -= n;
	return v;
}

/* Whether any bit handed out so far lay past the end of the input. */
static inline bool bz_overrun(const struct bz_bits *b)
{
	return b->over * 8 > b->avail;
}

/* Bits consumed since b->start. */
static inline size_t bz_bit_pos(const struct bz_bits *b)
{
	return (size_t)(b->ip - b->start + b->over) * 8 - b->avail;
}

/*
 * One block between the entropy and the BWT stages.  tt[0 .. n) holds the
 * block's bytes (the last column of the sorted rotations) in their low 8
 * bits; the BWT stage links them through the upper 24 bits.  count[c] is
 * how often byte c occurs.
 */
struct bz_block {
	uint32_t *tt;		/* BZ_BLOCK_MAX entries, on the heap */
	uint8_t *selectors;	/* BZ_MAX_SELECTORS entries, on the heap */
	void *tables;		/* struct bz_huff[BZ_MAX_GROUPS], on the heap */
	uint32_t max;		/* block size limit of this stream: level * 100000 */
	uint32_t n;		/* bytes in the block, 1..max */
	uint32_t orig_ptr;	/* row of the original text among the sorted rotations, < n */
	bool randomised;	/* the obsolete randomised mode: some bytes are XORed with 1 */
	uint32_t count[256];
};

/* Heap taken by kd_bzip2_read_block's tables (struct bz_huff is private to it). */
size_t kd_bzip2_tables_size(void);

/* Read a block after its magic and CRC: header, tables, symbols into blk->tt. */
enum kd_err kd_bzip2_read_block(struct kd_job *job, struct bz_bits *bits, struct bz_block *blk);

/*
 * Undo the BWT and RLE1 (and the randomisation) of blk into out[*pos ..
 * out_cap), advancing *pos; the caller checks the CRC.
 */
enum kd_err kd_bzip2_write_block(struct kd_job *job, struct bz_block *blk, size_t *pos);

#endif
