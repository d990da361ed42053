// SPDX-License-Identifier: MIT
/*
 * The data of a Huffman-coded block (RFC 1951 3.2.5): literal/length
 * symbols, each length followed by a distance, up to the end-of-block code.
 *
 * Most of the work is in the fast loop, which runs while both buffers have
 * room for the most one iteration can read or write, so it checks bounds
 * only in its loop condition: it refills the bit buffer a word at a time
 * without looking at the end of the input, and copies matches in 8-byte
 * words that may run past the match.  Near the ends, the generic loop
 * finishes one symbol at a time, refilling a byte at a time (zero bytes past
 * the end, which only an actually truncated stream consumes) and checking
 * every write.  Match distances are checked in both.
 */
#include "deflate.h"

#define LITLEN_MASK	((1u << LITLEN_TABLE_BITS) - 1)
#define DIST_MASK	((1u << DIST_TABLE_BITS) - 1)

/* The most bits the longest codes take: a length code with its extra bits, a distance code with its. */
#define MAX_LENGTH_BITS	(DEFLATE_MAX_CODE_LEN + 5)
#define MAX_DIST_BITS	(DEFLATE_MAX_CODE_LEN + 13)

/* A word refill leaves 56..63 bits in the buffer. */
#define REFILLED_BITS	56

/*
 * One fast-loop iteration decodes up to three literals, or up to two
 * literals then a match.  Refills are placed just after a lookup, so that
 * the refill overlaps the table load instead of delaying it: after the
 * first literal's successor is looked up, after a distance is looked up,
 * and after the next iteration's first symbol is looked up.  Between
 * refills the bits consumed plus the bits a lookup needs must fit in what
 * a refill guarantees: two literals and the third's lookup; a literal, a
 * length and the distance lookup; a distance and the next lookup.
 */
_Static_assert(3 * DEFLATE_MAX_CODE_LEN <= REFILLED_BITS, "literals between refills");
_Static_assert(DEFLATE_MAX_CODE_LEN + MAX_LENGTH_BITS + DIST_TABLE_BITS <= REFILLED_BITS,
	       "a literal, a length and a distance lookup between refills");
_Static_assert(MAX_DIST_BITS + LITLEN_TABLE_BITS <= REFILLED_BITS, "a distance and the next lookup");

/*
 * FASTLOOP_MAX_BYTES_READ: a word refill reads the 8 bytes at `in` and
 * advances `in` by at most 7.  An iteration refills at most three times,
 * so it reads no further than 2 * 7 + 8 bytes past where it started.
 *
 * FASTLOOP_MAX_BYTES_WRITTEN: two literals, then a match of at most 258
 * bytes copied in 8-byte words, the last of which may end 7 bytes past the
 * match (a short match still writes 40 bytes, well within that).
 */
#define FASTLOOP_MAX_BYTES_READ		(2 * 7 + 8)
#define FASTLOOP_MAX_BYTES_WRITTEN	(2 + DEFLATE_MAX_MATCH + 7)

static inline void copy8(uint8_t *d, const uint8_t *s)
{
	kd_memcpy(d, s, 8);
}

/*
 * The first 8 bytes of a match with distance 2..7: the `dist` bytes before
 * `out` repeated.  The word loaded at `src` is right for its first `dist`
 * bytes only (the rest is output not yet written); doubling the valid part
 * by shifting it `dist` bytes up, once or twice, fills the word.
 */
static inline uint64_t short_period_word(const uint8_t *src, size_t dist)
{
	uint64_t v = kd_get_le64(src) & ((1ull << (8 * dist)) - 1);

	v |= v << (8 * dist);
	if (dist < 4)
		v |= v << (16 * dist);
	return v;
}

/*
 * Copy a match of `len` bytes from `dist` back, in 8-byte words; may write
 * up to 7 bytes past out + len (at least 40 bytes in all when dist >= 8).
 * A distance under 8 overlaps its own output within a word: distance 1 is a
 * run of one byte, written as a broadcast word; other short distances
 * write their first word from short_period_word(), after which `step`, the
 * smallest multiple of the period that is at least 8, points back at the
 * same phase of the pattern a whole word behind.
 */
static inline void copy_match_fast(uint8_t *out, size_t dist, size_t len)
{
	const uint8_t *src = out - dist;
	uint8_t *end = out + len;

	if (KD_LIKELY(dist >= 8)) {
		copy8(out, src);
		copy8(out + 8, src + 8);
		copy8(out + 16, src + 16);
		copy8(out + 24, src + 24);
		copy8(out + 32, src + 32);
		for (out += 40, src += 40; out < end; out += 8, src += 8)
			copy8(out, src);
	} else if (dist == 1) {
		uint64_t v = 0x0101010101010101ull * *src;

		kd_memcpy(out, &v, 8);
		kd_memcpy(out + 8, &v, 8);
		kd_memcpy(out + 16, &v, 8);
		for (out += 24; out < end; out += 8)
			kd_memcpy(out, &v, 8);
	} else {
		uint64_t v = short_period_word(src, dist);
		size_t step = dist;

		kd_memcpy(out, &v, 8);
		if (len <= 8)
			return;
		while (step < 8)
			step += dist;
		for (out += 8; out < end; out += 8)
			copy8(out, out - step);
	}
}

static const char *invalid_reason(uint32_t entry)
{
	switch ((enum deflate_invalid)entry_value(entry)) {
	case INVALID_LITLEN_286_287:
		return "deflate stream uses length symbol 286 or 287";
	case INVALID_DIST_30_31:
		return "deflate stream uses distance symbol 30 or 31";
	case INVALID_UNUSED_CODEWORD:
		break;
	case INVALID_NO_DIST_CODES:
		return "deflate block has a match but no distance codes";
	}
	return "deflate bits match no codeword of the block's incomplete code";
}

/*
 * Extra bits of a length or distance: those after its codeword, among the
 * ones the entry consumed.  Such entries have no flag bits, so bits 8-13
 * are the codeword length alone and the shift needs no mask beyond the
 * one x86 applies anyway.
 */
static inline unsigned extra_value(uint64_t saved, uint32_t entry)
{
	return (unsigned)((saved & ((1ull << entry_bits(entry)) - 1)) >> ((entry >> 8) & 63));
}

/* The subtable entry a link points at, indexed by the bits after the main table's. */
static inline uint32_t subtable_entry(const uint32_t *table, uint32_t link, uint64_t buf)
{
	return table[entry_value(link) + (buf & ((1u << entry_code_bits(link)) - 1))];
}

/* Bit reader and output state shared by the two loops, kept in their locals while they run. */
struct huff_state {
	const uint8_t *in;
	uint64_t buf;
	unsigned left;
	uint8_t *out;
};

/*
 * The fast loop: runs while in_end - in >= FASTLOOP_MAX_BYTES_READ and
 * out_end - out >= FASTLOOP_MAX_BYTES_WRITTEN (the caller checks them the
 * first time).  Returns with *eob set if it reached the end of the block.
 */
static enum kd_err fast_loop(struct kd_job *job, const struct deflate_tables *t, struct huff_state *st,
			     const uint8_t *in_end, const uint8_t *out_start, bool *eob)
{
	const uint32_t *litlen = t->litlen, *dtab = t->dist;
	const uint8_t *in = st->in;
	uint8_t *out = st->out, *out_end = job->out + job->out_cap;
	uint64_t buf = st->buf, saved;
	unsigned left = st->left, len, lit;
	size_t dist;
	uint32_t entry;
	enum kd_err err = KD_OK;
	const uint8_t *in_fast_end = in_end - FASTLOOP_MAX_BYTES_READ;
	uint8_t *out_fast_end = out_end - FASTLOOP_MAX_BYTES_WRITTEN;

	/*
	 * In this loop only the low byte of `left` counts: entries are
	 * subtracted whole (their bit count is their low byte), which
	 * leaves the low byte right and saves masking on every symbol.
	 * Each entry is consumed as soon as it is looked up, before its
	 * kind is known, so the next lookup need not wait for that
	 * branch; `saved` keeps the bits a length or distance's extra
	 * bits are taken from.
	 */
#define CONSUME(e) do { saved = buf; buf >>= (uint8_t)(e); left -= (e); } while (0)
#define REFILL_WORD() do {					\
	buf |= kd_get_le64(in) << (left & 63);		\
	in += (~left & 63) >> 3;			\
	left |= REFILLED_BITS;				\
} while (0)

	REFILL_WORD();
	entry = litlen[buf & LITLEN_MASK];
	do {
		/* here the buffer was just refilled and `entry` is the next symbol's */
		CONSUME(entry);
		if (entry & ENTRY_LITERAL) {
			lit = entry_value(entry);
			entry = litlen[buf & LITLEN_MASK];
			REFILL_WORD();
			CONSUME(entry);
			*out++ = (uint8_t)lit;
			if (entry & ENTRY_LITERAL) {
				lit = entry_value(entry);
				entry = litlen[buf & LITLEN_MASK];
				CONSUME(entry);
				*out++ = (uint8_t)lit;
				if (entry & ENTRY_LITERAL) {
					lit = entry_value(entry);
					entry = litlen[buf & LITLEN_MASK];
					REFILL_WORD();
					*out++ = (uint8_t)lit;
					continue;
				}
			}
		}
		if (KD_UNLIKELY(entry & ENTRY_EXCEPTIONAL)) {
			if (entry & ENTRY_SUBTABLE) {
				entry = subtable_entry(litlen, entry, buf);
				CONSUME(entry);
				if (entry & ENTRY_LITERAL) {
					*out++ = (uint8_t)entry_value(entry);
					entry = litlen[buf & LITLEN_MASK];
					REFILL_WORD();
					continue;
				}
			}
			if (entry & ENTRY_EXCEPTIONAL) {
				KD_FAIL_TO_IF(!(entry & ENTRY_END_OF_BLOCK), stop, err, job, KD_ERR_CORRUPT,
					      invalid_reason(entry));
				*eob = true;
				goto stop;
			}
		}
		len = entry_value(entry) + extra_value(saved, entry);

		entry = dtab[buf & DIST_MASK];
		REFILL_WORD();
		CONSUME(entry);
		if (KD_UNLIKELY(entry & ENTRY_EXCEPTIONAL)) {
			if (entry & ENTRY_SUBTABLE) {
				entry = subtable_entry(dtab, entry, buf);
				CONSUME(entry);
			}
			KD_FAIL_TO_IF(entry & ENTRY_EXCEPTIONAL, stop, err, job, KD_ERR_CORRUPT, invalid_reason(entry));
		}
		dist = entry_value(entry) + extra_value(saved, entry);
		KD_FAIL_TO_IF(dist > (size_t)(out - out_start), stop, err, job, KD_ERR_CORRUPT,
			      "deflate match distance reaches before the start of the output");
		/* look the next symbol up before the copy, so the two overlap */
		entry = litlen[buf & LITLEN_MASK];
		REFILL_WORD();
		copy_match_fast(out, dist, len);
		out += len;
	} while (in < in_fast_end && out < out_fast_end);
stop:
#undef CONSUME
#undef REFILL_WORD
	st->in = in;
	st->buf = buf;
	st->left = left & 63;
	st->out = out;
	return err;
}

/* The generic loop: one symbol at a time, every read and write checked. */
static enum kd_err generic_loop(struct kd_job *job, const struct deflate_tables *t, struct deflate_bits *br,
				uint8_t **opp, const uint8_t *out_start)
{
	const uint32_t *litlen = t->litlen, *dtab = t->dist;
	const uint8_t *in = br->in, *in_end = br->end;
	uint8_t *out = *opp, *out_end = job->out + job->out_cap;
	uint64_t buf = br->buf, saved;
	unsigned left = br->left, len;
	size_t dist, overread = br->overread;
	uint32_t entry;
	enum kd_err err = KD_OK;

#define CONSUME(e) do { saved = buf; buf >>= entry_bits(e); left -= entry_bits(e); } while (0)
	for (;;) {
		while (left < REFILLED_BITS) {
			if (in < in_end)
				buf |= (uint64_t)*in++ << left;
			else
				overread++;
			left += 8;
		}
		entry = litlen[buf & LITLEN_MASK];
		if (entry & ENTRY_SUBTABLE) {
			CONSUME(entry);
			entry = subtable_entry(litlen, entry, buf);
		}
		CONSUME(entry);
		KD_FAIL_TO_IF(overread * 8 > left, stop, err, job, KD_ERR_TRUNCATED, "deflate block data is cut off");
		if (entry & ENTRY_LITERAL) {
			KD_FAIL_TO_IF(out == out_end, stop, err, job, KD_ERR_OUTPUT_FULL,
				      "deflate literal overflows the output");
			*out++ = (uint8_t)entry_value(entry);
			continue;
		}
		if (entry & ENTRY_EXCEPTIONAL) {
			KD_FAIL_TO_IF(!(entry & ENTRY_END_OF_BLOCK), stop, err, job, KD_ERR_CORRUPT,
				      invalid_reason(entry));
			break;
		}
		len = entry_value(entry) + extra_value(saved, entry);

		entry = dtab[buf & DIST_MASK];
		if (entry & ENTRY_SUBTABLE) {
			CONSUME(entry);
			entry = subtable_entry(dtab, entry, buf);
		}
		CONSUME(entry);
		KD_FAIL_TO_IF(overread * 8 > left, stop, err, job, KD_ERR_TRUNCATED, "deflate block data is cut off");
		KD_FAIL_TO_IF(entry & ENTRY_EXCEPTIONAL, stop, err, job, KD_ERR_CORRUPT, invalid_reason(entry));
		dist = entry_value(entry) + extra_value(saved, entry);
		KD_FAIL_TO_IF(dist > (size_t)(out - out_start), stop, err, job, KD_ERR_CORRUPT,
			      "deflate match distance reaches before the start of the output");
		KD_FAIL_TO_IF(len > (size_t)(out_end - out), stop, err, job, KD_ERR_OUTPUT_FULL,
			      "deflate match overflows the output");
		for (const uint8_t *src = out - dist, *end = out + len; out < end;)
			*out++ = *src++;
	}
stop:
#undef CONSUME
	br->in = in;
	br->buf = buf;
	br->left = left;
	br->overread = overread;
	*opp = out;
	return err;
}

enum kd_err deflate_huffman_block(struct kd_job *job, const struct deflate_tables *t,
				  struct deflate_bits *br, uint8_t **opp, const uint8_t *out_start)
{
	uint8_t *out_end = job->out + job->out_cap;

	if (br->end - br->in >= FASTLOOP_MAX_BYTES_READ && out_end - *opp >= FASTLOOP_MAX_BYTES_WRITTEN) {
		struct huff_state st = { br->in, br->buf, br->left, *opp };
		bool eob = false;
		enum kd_err err = fast_loop(job, t, &st, br->end, out_start, &eob);

		br->in = st.in;
		br->buf = st.buf;
		br->left = st.left;
		*opp = st.out;
		if (err || eob)
			return err;
	}
	return generic_loop(job, t, br, opp, out_start);
}
