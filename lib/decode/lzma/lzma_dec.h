/* SPDX-License-Identifier: MIT */
/*
 * The LZMA core shared by .lzma (lib/decode/lzma/lzma.c) and xz's LZMA2 (lib/decode/lzma/xz_lzma2.c):
 * a range decoder and the symbol decoder, writing straight into the caller's
 * output buffer.  The output is the dictionary: a match copies from bytes
 * already written, so there is no window buffer and no wrap-around.
 *
 * LZMA in brief (the format as the LZMA SDK and xz document it):
 *
 *   - A range decoder turns input bytes into bits.  Most bits are coded with
 *     an adaptive 11-bit probability of being 0; "direct" bits have a fixed
 *     probability of one half.
 *   - Each symbol is a literal (one byte, coded as 8 bits in a binary tree
 *     whose probabilities depend on the previous byte and the position), a
 *     match (a length and a new distance), a rep match (a length and one of
 *     the four most recent distances), or a short rep (one byte at the most
 *     recent distance).
 *   - A 12-value state remembers what the last few symbols were; it picks the
 *     probabilities of the symbol-kind bits.
 *   - lc, lp, pb: how many high bits of the previous byte (lc) and low bits
 *     of the position (lp) select the literal coder, and how many low bits of
 *     the position (pb) select the match-bit probabilities.
 *   - The end: a known uncompressed size, or the end-of-payload marker, a
 *     match whose distance is 0xFFFFFFFF.
 */
#ifndef LZMA_DEC_H
#define LZMA_DEC_H

#include "kd.h"

#define LZMA_STATES		12
#define LZMA_POS_STATES_MAX	16	/* pb <= 4 */
#define LZMA_LC_MAX		8
#define LZMA_LP_MAX		4
#define LZMA_PB_MAX		4
#define LZMA_MATCH_LEN_MIN	2
#define LZMA_MATCH_LEN_MAX	273	/* 2 + 8 + 8 + 255 */
#define LZMA_LITERAL_CODER_SIZE	0x300	/* probabilities per literal coder */
#define LZMA_DIST_STATES	4	/* distance slots are coded per min(len - 2, 3) */
#define LZMA_DIST_SLOTS		64
#define LZMA_DIST_MODEL_START	4	/* slots below this are the distance itself */
#define LZMA_DIST_MODEL_END	14	/* slots from here on code their low 4 bits with dist_align */
#define LZMA_FULL_DISTANCES	(1u << (LZMA_DIST_MODEL_END / 2))
#define LZMA_ALIGN_BITS		4

/* Probabilities of a match length: 2..9 (low), 10..17 (mid), 18..273 (high). */
struct lzma_len_probs {
	uint16_t choice;			/* 0: low */
	uint16_t choice2;			/* 0: mid, 1: high */
	uint16_t low[LZMA_POS_STATES_MAX][8];	/* 3-bit trees per position state */
	uint16_t mid[LZMA_POS_STATES_MAX][8];
	uint16_t high[256];			/* one 8-bit tree */
};

/*
 * Everything the decoder adapts, followed by the literal coders.  All of it
 * is reset together ("state reset") and every entry starts at one half.
 * Tree-coded arrays are indexed from 1 (the root), as a binary heap.
 */
struct lzma_probs {
	uint16_t is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
	uint16_t is_rep[LZMA_STATES];		/* match or rep match */
	uint16_t is_rep0[LZMA_STATES];		/* rep0, or rep1..3 */
	uint16_t is_rep1[LZMA_STATES];
	uint16_t is_rep2[LZMA_STATES];		/* rep2, or rep3 */
	uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX]; /* 0: short rep */
	uint16_t dist_slot[LZMA_DIST_STATES][LZMA_DIST_SLOTS];	/* 6-bit trees */
	/*
	 * Reverse trees for the low bits of slots 4..13, one after another:
	 * slot s with base distance b has its tree (root at index 1) at b - s,
	 * so entry 0 is never used and the last tree ends at 128 - 14.
	 */
	uint16_t dist_special[LZMA_FULL_DISTANCES - LZMA_DIST_MODEL_END + 1];
	uint16_t dist_align[1 << LZMA_ALIGN_BITS];	/* reverse tree, slots >= 14 */
	struct lzma_len_probs match_len;
	struct lzma_len_probs rep_len;
	/* (0x300 << (lc + lp)) literal probabilities follow */
	uint16_t literal[];
};

/*
 * The decoder: probabilities plus the state that lives between calls to the
 * symbol loop (the loop itself keeps all of it in locals).
 */
struct lzma_dec {
	uint32_t range;		/* range decoder: width of the interval, >= 2^24 between bits */
	uint32_t code;		/* range decoder: offset of the input within the interval, < range */
	uint32_t state;		/* 0..11: 0..6 after a literal, 7..11 after a match of some kind */
	uint32_t rep[4];	/* the last four distances, minus one; rep[0] the most recent */
	unsigned lc, lp, pb;	/* literal context bits, literal position bits, position bits */
	struct lzma_probs probs;	/* must be last: the literal table follows */
};

/* Heap bytes for a decoder whose lc + lp is at most `lit_bits`. */
static inline size_t lzma_dec_size(unsigned lit_bits)
{
	return sizeof(struct lzma_dec) + ((size_t)LZMA_LITERAL_CODER_SIZE << lit_bits) * sizeof(uint16_t);
}

/* Take a decoder for lc + lp <= lit_bits from the job's heap; NULL if it does not fit. */
struct lzma_dec *lzma_dec_alloc(struct kd_job *job, unsigned lit_bits);

/* Set lc/lp/pb (lc + lp at most the lit_bits it was allocated for) and reset the state. */
void lzma_dec_reset(struct lzma_dec *s, unsigned lc, unsigned lp, unsigned pb);

/* Reset the probabilities and the state, keeping lc/lp/pb. */
void lzma_dec_reset_state(struct lzma_dec *s);

/*
 * Where one call of the decoder reads and writes.  Matches may reach back
 * to dict_start (the output position of the last dictionary reset) and no
 * further; positions for lp and pb count from dict_start too.
 */
struct lzma_io {
	const uint8_t *ip;	/* next input byte */
	const uint8_t *iend;	/* end of this stream's (or chunk's) input */
	uint8_t *op;		/* next output byte */
	uint8_t *oend;		/* no symbol may write past this */
	uint8_t *dict_start;
};

/* How a decoding run ended. */
enum lzma_stop {
	LZMA_STOP_NONE,		/* (internal) no reason to stop yet */
	LZMA_STOP_FULL,		/* op reached oend */
	LZMA_STOP_MARKER,	/* the end-of-payload marker (op may be short of oend) */
	LZMA_STOP_OVERFLOW,	/* a symbol would write past oend */
	LZMA_STOP_DISTANCE,	/* a match reaches before dict_start */
	LZMA_STOP_INPUT,	/* the input ended inside a symbol */
	LZMA_STOP_RC,		/* the range decoder's first byte is not zero */
};

/* Start the range decoder on the 5 bytes at io->ip (checked: LZMA_STOP_INPUT / _RC). */
enum lzma_stop lzma_rc_init(struct lzma_dec *s, struct lzma_io *io);

/* Decode symbols until op reaches oend or an end marker (or an error). */
enum lzma_stop lzma_decode(struct lzma_dec *s, struct lzma_io *io);

/*
 * Decode exactly one symbol, checking every byte read and written: after a
 * known size, this tells an end marker (LZMA_STOP_MARKER) from more data
 * (LZMA_STOP_OVERFLOW when oend == op).  LZMA_STOP_NONE: a symbol was decoded.
 */
enum lzma_stop lzma_decode_one(struct lzma_dec *s, struct lzma_io *io);

/*
 * After the last symbol of a stream or chunk: the encoder's flush leaves the
 * decoder's code at exactly zero (and it has read every byte).
 */
static inline bool lzma_rc_finished(const struct lzma_dec *s)
{
	return s->code == 0;
}

#endif
