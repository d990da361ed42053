// SPDX-License-Identifier: MIT
/*
 * The LZMA symbol decoder (see lzma_dec.h for the format in brief).
 *
 * One loop body, compiled twice: a fast loop that checks its bounds only in
 * its loop condition, and a careful step that decodes one symbol and checks
 * every write.  The range decoder's range and code, the state and the four
 * rep distances stay in locals for the whole fast loop.
 *
 * The range decoder normalizes after each bit (a byte in when the range
 * drops below 2^24), so between bits the range is at least 2^24 and, after
 * the last symbol of a stream, the decoder has read exactly the bytes the
 * encoder wrote.
 */
#include "lzma_dec.h"

#define RC_TOP		(1u << 24)
#define RC_PROB_BITS	11
#define RC_PROB_ONE	(1u << RC_PROB_BITS)	/* probabilities are of a 0, in units of 2^-11 */
#define RC_MOVE_BITS	5			/* adaptation speed */
#define RC_PROB_INIT	(RC_PROB_ONE / 2)

/*
 * LZMA_IN_MAX: the most input bytes one symbol can consume.
 *
 * A probability stays within [31, 2017] (the updates move it by 1/32 of the
 * distance to 0 or 2048 and stop moving it at those points), so one adaptive
 * bit shrinks the range by at most 2048/31 < 2^6.05; a direct bit halves it.
 * Each byte read grows it by 2^8, and the range is in [2^24, 2^32) before and
 * after a symbol, so a symbol that shrinks the range by 2^S reads fewer than
 * (8 + S) / 8 bytes.  The largest symbol is a match with a long length and
 * distance slot 63: is_match, is_rep, two length choices, 8 length bits,
 * 6 slot bits and 4 align bits (22 adaptive) plus 26 direct bits, so
 * S < 22 * 6.05 + 26 < 160 and the symbol reads at most 20 bytes; one more
 * absorbs rounding (range >> 11 floors).
 */
#define LZMA_IN_MAX		21

/*
 * LZMA_OUT_MARGIN: the fast loop runs while this much output room remains:
 * the longest match plus the 15 bytes a 16-byte-chunk copy may write past it.
 */
#define MATCH_COPY_SLACK	15
#define LZMA_OUT_MARGIN		(LZMA_MATCH_LEN_MAX + MATCH_COPY_SLACK)

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* The range decoder, kept in the caller's locals. */
struct rc {
	uint32_t range;
	uint32_t code;
	const uint8_t *ip;
};

static ALWAYS_INLINE void rc_normalize(struct rc *rc)
{
	if (rc->range < RC_TOP) {
		rc->range <<= 8;
		rc->code = (rc->code << 8) | *rc->ip++;
	}
}

/* One adaptive bit, for decisions the caller branches on anyway. */
static ALWAYS_INLINE bool rc_bit(struct rc *rc, uint16_t *p)
{
	uint32_t prob = *p, bound = (rc->range >> RC_PROB_BITS) * prob;
	bool bit;

	if (rc->code < bound) {
		rc->range = bound;
		*p = (uint16_t)(prob + ((RC_PROB_ONE - prob) >> RC_MOVE_BITS));
		bit = 0;
	} else {
		rc->range -= bound;
		rc->code -= bound;
		*p = (uint16_t)(prob - (prob >> RC_MOVE_BITS));
		bit = 1;
	}
	rc_normalize(rc);
	return bit;
}

/*
 * One adaptive bit without a branch on its value, for tree walks whose bits
 * a branch predictor cannot guess.  The probability update is
 * prob - floor((prob - t) / 32) with t = 2048 - 31 for a 0 (which rounds the
 * same way as prob + (2048 - prob) / 32) and t = 0 for a 1.
 */
static ALWAYS_INLINE uint32_t rc_bit_nobranch(struct rc *rc, uint16_t *p)
{
	uint32_t prob = *p, bound = (rc->range >> RC_PROB_BITS) * prob;
	uint32_t bit = rc->code >= bound, mask = 0u - bit;

	rc->range = bound + ((rc->range - 2 * bound) & mask);
	rc->code -= bound & mask;
	*p = (uint16_t)(prob - (uint32_t)((int32_t)(prob - ((RC_PROB_ONE - 31) & ~mask)) >> RC_MOVE_BITS));
	rc_normalize(rc);
	return bit;
}

/* A `bits`-bit symbol coded most significant bit first down a tree rooted at probs[1]. */
static ALWAYS_INLINE uint32_t rc_tree(struct rc *rc, uint16_t *probs, unsigned bits)
{
	uint32_t sym = 1;

	for (unsigned i = 0; i < bits; i++)
		sym = (sym << 1) | rc_bit_nobranch(rc, probs + sym);
	return sym - (1u << bits);
}

/* The same, least significant bit first. */
static ALWAYS_INLINE uint32_t rc_tree_reverse(struct rc *rc, uint16_t *probs, unsigned bits)
{
	uint32_t sym = 1, val = 0;

	for (unsigned i = 0; i < bits; i++) {
		uint32_t bit = rc_bit_nobranch(rc, probs + sym);

		sym = (sym << 1) | bit;
		val |= bit << i;
	}
	return val;
}

/* `bits` bits of probability one half, most significant first. */
static ALWAYS_INLINE uint32_t rc_direct(struct rc *rc, unsigned bits)
{
	uint32_t val = 0;

	do {
		uint32_t mask;

		rc->range >>= 1;
		rc->code -= rc->range;
		mask = 0u - (rc->code >> 31);	/* all ones if the code was below the half: a 0 */
		rc->code += rc->range & mask;
		val = (val << 1) + (mask + 1);
		rc_normalize(rc);
	} while (--bits);
	return val;
}

static ALWAYS_INLINE uint32_t decode_len(struct rc *rc, struct lzma_len_probs *lp, uint32_t pos_state)
{
	if (!rc_bit(rc, &lp->choice))
		return LZMA_MATCH_LEN_MIN + rc_tree(rc, lp->low[pos_state], 3);
	if (!rc_bit(rc, &lp->choice2))
		return LZMA_MATCH_LEN_MIN + 8 + rc_tree(rc, lp->mid[pos_state], 3);
	return LZMA_MATCH_LEN_MIN + 16 + rc_tree(rc, lp->high, 8);
}

/*
 * A new match distance (minus one).  Its slot is the position of the
 * highest set bit and the bit below it; slots 4..13 code the remaining bits
 * with their own reverse trees, higher slots code all but the low 4 bits
 * directly and those with the shared align tree.
 */
static ALWAYS_INLINE uint32_t decode_dist(struct rc *rc, struct lzma_probs *pr, uint32_t len)
{
	uint32_t len_state = len - LZMA_MATCH_LEN_MIN < LZMA_DIST_STATES - 1 ? len - LZMA_MATCH_LEN_MIN
									  : LZMA_DIST_STATES - 1;
	uint32_t slot = rc_tree(rc, pr->dist_slot[len_state], 6), dist;
	unsigned bits;

	if (slot < LZMA_DIST_MODEL_START)
		return slot;
	bits = (slot >> 1) - 1;
	dist = (2 | (slot & 1)) << bits;
	if (slot < LZMA_DIST_MODEL_END)
		return dist + rc_tree_reverse(rc, pr->dist_special + dist - slot, bits);
	dist += rc_direct(rc, bits - LZMA_ALIGN_BITS) << LZMA_ALIGN_BITS;
	return dist + rc_tree_reverse(rc, pr->dist_align, LZMA_ALIGN_BITS);
}

/* For each period below 8: its smallest multiple that is at least 8. */
static const uint8_t period_step[8] = { 0, 8, 8, 9, 8, 10, 12, 14 };

/*
 * Copy a match of len bytes from dist bytes back (dist >= 1, may overlap).
 * Fast: may write up to MATCH_COPY_SLACK bytes past op + len.
 */
static ALWAYS_INLINE void copy_match(uint8_t *op, size_t dist, size_t len, bool careful)
{
	const uint8_t *src = op - dist;
	uint8_t *end = op + len;

	if (careful) {
		do
			*op++ = *src++;
		while (op < end);
	} else if (dist >= 16) {
		do {
			kd_memcpy(op, src, 16);
			op += 16;
			src += 16;
		} while (op < end);
	} else if (dist >= 8) {
		do {
			kd_memcpy(op, src, 8);
			op += 8;
			src += 8;
		} while (op < end);
	} else {
		/*
		 * A short period: write the first 8 bytes one by one, then
		 * copy 8 at a time from `step` back, a whole number of
		 * periods, where the same pattern is already written.
		 */
		size_t step = period_step[dist];

		for (int i = 0; i < 8; i++)
			op[i] = src[i];
		for (op += 8; op < end; op += 8)
			kd_memcpy(op, op - step, 8);
	}
}

/*
 * The symbol loop.  Fast (careful == false): runs while ip <= ilimit and
 * op <= olimit, which the caller has made true on entry and which leave room
 * for any one symbol (LZMA_IN_MAX, LZMA_OUT_MARGIN).  Careful: decodes one
 * symbol from input with LZMA_IN_MAX readable bytes, checking its output.
 */
static ALWAYS_INLINE enum lzma_stop lzma_run(struct lzma_dec *s, struct lzma_io *io, const uint8_t *ilimit,
					     const uint8_t *olimit, const bool careful)
{
	struct lzma_probs *pr = &s->probs;
	struct rc rc = { s->range, s->code, io->ip };
	uint32_t state = s->state;
	uint32_t rep0 = s->rep[0], rep1 = s->rep[1], rep2 = s->rep[2], rep3 = s->rep[3];
	uint8_t *op = io->op, *const oend = io->oend;
	const uintptr_t dict = (uintptr_t)io->dict_start;
	const uint32_t pb_mask = (1u << s->pb) - 1;
	/* literal coder index: the low lp bits of the position, then the high lc bits of the previous byte */
	const uint32_t lit_mask = (0x100u << s->lp) - 1, lit_shift = 8 - s->lc;
	uint32_t prev = (uintptr_t)op > dict ? op[-1] : 0;
	enum lzma_stop stop = LZMA_STOP_NONE;

	do {
		size_t pos = (uintptr_t)op - dict;
		uint32_t pos_state = pos & pb_mask, len;

		if (!rc_bit(&rc, &pr->is_match[state][pos_state])) {
			uint16_t *probs = pr->literal + LZMA_LITERAL_CODER_SIZE *
					  (((((uint32_t)pos << 8) | prev) & lit_mask) >> lit_shift);
			uint32_t sym = 1;

			if (careful && op == oend) {
				stop = LZMA_STOP_OVERFLOW;
				break;
			}
			if (state < 7) {
				for (int i = 0; i < 8; i++)
					sym = (sym << 1) | rc_bit_nobranch(&rc, probs + sym);
			} else {
				/*
				 * After a match the byte at rep0 is a good guess: its
				 * bits select the probabilities until the first bit
				 * that differs from it (offs becomes 0 there).
				 */
				uint32_t match_byte = *(op - (size_t)rep0 - 1), offs = 0x100;

				for (int i = 0; i < 8; i++) {
					uint32_t match_bit, bit;

					match_byte <<= 1;
					match_bit = match_byte & offs;
					bit = rc_bit_nobranch(&rc, probs + offs + match_bit + sym);
					sym = (sym << 1) | bit;
					offs &= match_bit ^ (bit - 1);
				}
			}
			prev = sym & 0xff;
			*op++ = (uint8_t)prev;
			state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
			continue;
		}
		if (!rc_bit(&rc, &pr->is_rep[state])) {
			len = decode_len(&rc, &pr->match_len, pos_state);
			rep3 = rep2;
			rep2 = rep1;
			rep1 = rep0;
			rep0 = decode_dist(&rc, pr, len);
			state = state < 7 ? 7 : 10;
			if (KD_UNLIKELY(rep0 >= pos)) {
				stop = rep0 == 0xffffffffu ? LZMA_STOP_MARKER : LZMA_STOP_DISTANCE;
				break;
			}
		} else {
			if (!rc_bit(&rc, &pr->is_rep0[state])) {
				if (!rc_bit(&rc, &pr->is_rep0_long[state][pos_state])) {
					/* short rep: one byte from rep0 */
					if (KD_UNLIKELY(rep0 >= pos) || (careful && op == oend)) {
						stop = rep0 >= pos ? LZMA_STOP_DISTANCE : LZMA_STOP_OVERFLOW;
						break;
					}
					prev = *(op - (size_t)rep0 - 1);
					*op++ = (uint8_t)prev;
					state = state < 7 ? 9 : 11;
					continue;
				}
			} else {
				uint32_t dist;

				if (!rc_bit(&rc, &pr->is_rep1[state])) {
					dist = rep1;
				} else {
					if (!rc_bit(&rc, &pr->is_rep2[state])) {
						dist = rep2;
					} else {
						dist = rep3;
						rep3 = rep2;
					}
					rep2 = rep1;
				}
				rep1 = rep0;
				rep0 = dist;
			}
			len = decode_len(&rc, &pr->rep_len, pos_state);
			state = state < 7 ? 8 : 11;
			if (KD_UNLIKELY(rep0 >= pos)) {
				stop = LZMA_STOP_DISTANCE;
				break;
			}
		}
		if (careful && len > (size_t)(oend - op)) {
			stop = LZMA_STOP_OVERFLOW;
			break;
		}
		copy_match(op, (size_t)rep0 + 1, len, careful);
		op += len;
		prev = op[-1];
	} while (!careful && rc.ip <= ilimit && op <= olimit);

	s->range = rc.range;
	s->code = rc.code;
	s->state = state;
	s->rep[0] = rep0;
	s->rep[1] = rep1;
	s->rep[2] = rep2;
	s->rep[3] = rep3;
	io->ip = rc.ip;
	io->op = op;
	return stop;
}

static __attribute__((noinline)) enum lzma_stop lzma_fast(struct lzma_dec *s, struct lzma_io *io,
							  const uint8_t *ilimit, const uint8_t *olimit)
{
	return lzma_run(s, io, ilimit, olimit, false);
}

static __attribute__((noinline)) enum lzma_stop lzma_careful(struct lzma_dec *s, struct lzma_io *io)
{
	return lzma_run(s, io, NULL, NULL, true);
}

enum lzma_stop lzma_decode_one(struct lzma_dec *s, struct lzma_io *io)
{
	size_t avail = (size_t)(io->iend - io->ip), used;
	uint8_t tmp[LZMA_IN_MAX];
	struct lzma_io t;
	enum lzma_stop stop;

	if (avail >= LZMA_IN_MAX)
		return lzma_careful(s, io);
	/*
	 * Near the end of the input: decode from a zero-padded copy and
	 * check afterwards that the symbol stayed within the real bytes.
	 */
	kd_memcpy(tmp, io->ip, avail);
	kd_memset(tmp + avail, 0, sizeof(tmp) - avail);
	t = *io;
	t.ip = tmp;
	t.iend = tmp + sizeof(tmp);
	stop = lzma_careful(s, &t);
	used = (size_t)(t.ip - tmp);
	if (used > avail)
		return LZMA_STOP_INPUT;
	io->ip += used;
	io->op = t.op;
	return stop;
}

enum lzma_stop lzma_decode(struct lzma_dec *s, struct lzma_io *io)
{
	enum lzma_stop stop;

	do {
		if (io->op == io->oend)
			return LZMA_STOP_FULL;
		if (io->iend - io->ip >= LZMA_IN_MAX && io->oend - io->op >= LZMA_OUT_MARGIN)
			stop = lzma_fast(s, io, io->iend - LZMA_IN_MAX, io->oend - LZMA_OUT_MARGIN);
		else
			stop = lzma_decode_one(s, io);
	} while (stop == LZMA_STOP_NONE);
	return stop;
}

enum lzma_stop lzma_rc_init(struct lzma_dec *s, struct lzma_io *io)
{
	if (io->iend - io->ip < 5)
		return LZMA_STOP_INPUT;
	/* the encoder's first byte is its empty carry cache: always zero */
	if (io->ip[0] != 0)
		return LZMA_STOP_RC;
	s->range = 0xffffffffu;
	s->code = kd_get_be32(io->ip + 1);
	io->ip += 5;
	return LZMA_STOP_NONE;
}

void lzma_dec_reset_state(struct lzma_dec *s)
{
	uint16_t *p = (uint16_t *)&s->probs;
	size_t n = offsetof(struct lzma_probs, literal) / sizeof(uint16_t) +
		   ((size_t)LZMA_LITERAL_CODER_SIZE << (s->lc + s->lp));

	for (size_t i = 0; i < n; i++)
		p[i] = RC_PROB_INIT;
	s->state = 0;
	s->rep[0] = s->rep[1] = s->rep[2] = s->rep[3] = 0;
}

void lzma_dec_reset(struct lzma_dec *s, unsigned lc, unsigned lp, unsigned pb)
{
	s->lc = lc;
	s->lp = lp;
	s->pb = pb;
	lzma_dec_reset_state(s);
}

struct lzma_dec *lzma_dec_alloc(struct kd_job *job, unsigned lit_bits)
{
	return kd_alloc(job->heap, lzma_dec_size(lit_bits));
}
