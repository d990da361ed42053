// SPDX-License-Identifier: MIT
/*
 * zstd sequences section (RFC 8878 3.1.1.3.2) and sequence execution
 * (3.1.2), in one pass: each sequence is executed SEQ_AHEAD sequences
 * after it is decoded, its match prefetched meanwhile.
 *
 * Section: Number_of_Sequences (1-3 bytes), a byte of Compression_Modes
 * (literals lengths in bits 7-6, offsets 5-4, match lengths 3-2, bits 1-0
 * reserved), the table descriptions in that order, then one backward
 * bitstream: the initial states (literals length, offset, match length),
 * then per sequence the extra bits of the offset, match length and
 * literals length codes, then, except after the last sequence, the state
 * updates (literals length, match length, offset).  The bitstream must be
 * used up exactly.
 *
 * Execution has a fast path and a careful one.  The fast path runs while
 * the sequence's literals and match end SEQ_SLACK bytes before the end of
 * the output (and within the block's limit): it copies literals from the
 * literal buffer and matches in wide chunks, writing a little past the end
 * of each, which the next sequence overwrites.  The careful path checks
 * every length and copies byte by byte.  Both check the offset.
 *
 * The loop is built twice, once for CPUs with BMI2 (chosen by CPUID in
 * zstd_frame.c): its bit reads are shifts by a variable count, which
 * without BMI2 must all go through CL and crowd the other state out of
 * registers.
 */
#include "copy.h"
#include "zstd_internal.h"

/*
 * Room the fast path needs past a sequence's end.  The literal copy writes
 * at most 15 bytes past the literals (the match then overwrites them); the
 * match copy at most 21 past the match (16-byte chunks: 15; a period under
 * 8: three 8-byte words at most 7 apart, 24 bytes for a match of 3).
 */
#define SEQ_SLACK 32
_Static_assert(SEQ_SLACK > KD_COPY_OVERRUN, "sequence slack");

/*
 * Where sequences are executed.  Kept in locals like the decoder's state,
 * with the frame's start and window copied out of struct zstd_dec, which
 * the output's stores could otherwise alias.
 */
struct seq_out {
	uint8_t *op;			/* the next sequence's first byte */
	const uint8_t *lit, *lit_end;	/* the literals not yet copied */
	uint8_t *fast_limit;		/* the fast path runs while a sequence ends by here */
	uint8_t *limit;			/* no sequence ends past here */
	const uint8_t *frame_start;	/* no offset reaches before this */
	uint64_t window;		/* nor further back than this */
};

/* Check a match at op with this offset: after the frame's start, within the window. */
static inline enum kd_err check_offset(struct kd_job *job, size_t offset, const uint8_t *op, const struct seq_out *o)
{
	KD_FAIL_IF(offset == 0, job, KD_ERR_CORRUPT, "zstd match offset is zero");
	KD_FAIL_IF(offset > (size_t)(op - o->frame_start), job, KD_ERR_CORRUPT,
		   "zstd match reaches before the start of the frame");
	KD_FAIL_IF(offset > o->window, job, KD_ERR_CORRUPT, "zstd match reaches beyond the window");
	return KD_OK;
}

/* A sequence near the end of the output or the block: every length checked, bytes copied one by one. */
static __attribute__((noinline)) enum kd_err exec_careful(struct kd_job *job, struct seq_out o, size_t ll,
							   size_t offset, size_t ml)
{
	uint8_t *op = o.op;

	KD_FAIL_IF(ll + ml > (size_t)(o.limit - op), job, KD_ERR_OUTPUT_FULL, "zstd sequence overflows the output");
	kd_memcpy(op, o.lit, ll);
	op += ll;
	enum kd_err err = check_offset(job, offset, op, &o);
	if (err)
		return err;
	const uint8_t *src = op - offset;
	for (size_t i = 0; i < ml; i++)
		op[i] = src[i];
	return KD_OK;
}

/* The repeat offsets, most recent first. */
struct rep_offsets {
	size_t r0, r1, r2;
};

/*
 * Offset_Value 1-3 name a repeat offset (RFC 8878 3.1.2.1); with no
 * literals before the match they shift by one, 3 then meaning the most
 * recent offset minus one.  Returns the offset and updates the history:
 * the offset used moves to the front, the ones before it move back one.
 * Offset codes above 1 always give values above 3, so the caller tells
 * new offsets from repeats by the code, known before the bits are read.
 */
static inline size_t resolve_offset(size_t value, bool is_new, size_t ll, struct rep_offsets *rep)
{
	size_t offset;

	if (is_new) {
		offset = value - 3;
		rep->r2 = rep->r1;
		rep->r1 = rep->r0;
		rep->r0 = offset;
		return offset;
	}
	size_t idx = value - 1 + (ll == 0);
	if (idx == 0)
		return rep->r0;
	offset = idx == 1 ? rep->r1 : idx == 2 ? rep->r2 : rep->r0 - 1;
	if (idx != 1)
		rep->r2 = rep->r1;
	rep->r1 = rep->r0;
	rep->r0 = offset;
	return offset;
}

/* One decoded sequence. */
struct seq {
	size_t ll, ml, offset;
};

/*
 * The sequence decoder's state, kept in locals that nothing else can reach
 * (the output is written through uint8_t pointers, which may alias
 * anything that is not a local).
 */
struct seq_decoder {
	struct zstd_bits br;
	size_t lls, ofs, mls;	/* the three FSE states */
	struct rep_offsets rep;
};

/* Always inlined: the loop's state must stay in registers. */
#define SEQ_INLINE static inline __attribute__((always_inline))

/*
 * A sequence reads at most 31 + 16 + 16 bits of extras and 9 + 9 + 8 of
 * states: its refills step back at most 12 bytes in all.
 */
#define SEQ_MAX_BYTES 12

/*
 * Decode one sequence; the last one updates no states.  `far` says the
 * stream's start is more than SEQ_MAX_BYTES + 8 bytes away, so refills
 * need no bounds check.
 */
SEQ_INLINE struct seq decode_seq(struct seq_decoder *sd, const struct zstd_dec *d, bool last, bool far)
{
	const struct zstd_seq_cell *lc = &d->ll.cells[sd->lls], *oc = &d->of.cells[sd->ofs];
	const struct zstd_seq_cell *mc = &d->ml.cells[sd->mls];
	struct seq s;
	size_t ofv;

	/* a refill leaves 57 bits: enough for offset and match length extra bits (31 + 16) */
	if (far)
		zstd_bits_refill_fast(&sd->br);
	else
		zstd_bits_refill(&sd->br);
	ofv = oc->base + zstd_bits_read(&sd->br, oc->extra);
	s.ml = mc->base + zstd_bits_read(&sd->br, mc->extra);
	/* then the literals length (16) and the states (9 + 9 + 8) fit unless the extras were long */
	if (KD_UNLIKELY(oc->extra + mc->extra + lc->extra > 57 - 26)) {
		if (far)
			zstd_bits_refill_fast(&sd->br);
		else
			zstd_bits_refill(&sd->br);
	}
	s.ll = lc->base + zstd_bits_read(&sd->br, lc->extra);
	s.offset = resolve_offset(ofv, oc->extra > 1, s.ll, &sd->rep);
	if (KD_LIKELY(!last)) {
		sd->lls = lc->next + zstd_bits_read(&sd->br, lc->state_bits);
		sd->mls = mc->next + zstd_bits_read(&sd->br, mc->state_bits);
		sd->ofs = oc->next + zstd_bits_read(&sd->br, oc->state_bits);
	}
	return s;
}

/* Execute a sequence at o->op; a kd_err (through KD_FAIL_IF) if it cannot be. */
SEQ_INLINE enum kd_err exec_seq(struct kd_job *job, struct seq_out *o, const struct seq *s)
{
	uint8_t *op = o->op;
	const uint8_t *lit = o->lit;
	size_t ll = s->ll, ml = s->ml, offset = s->offset;

	KD_FAIL_IF(ll > (size_t)(o->lit_end - lit), job, KD_ERR_CORRUPT, "zstd literals length runs past the literals");
	if (KD_LIKELY((ptrdiff_t)(ll + ml) <= o->fast_limit - op)) {
		uint8_t *oplit = op + ll;

		kd_copy16(op, lit);
		if (ll > 16)
			kd_wild_copy(op + 16, lit + 16, ll - 16);
		/* one test for the three checks; the failure says which */
		if (KD_UNLIKELY(offset - 1 >= (size_t)(oplit - o->frame_start) || offset > o->window))
			return check_offset(job, offset, oplit, o);
		kd_match_copy(oplit, offset, ml);
	} else {
		enum kd_err err = exec_careful(job, *o, ll, offset, ml);
		if (err)
			return err;
	}
	o->lit = lit + ll;
	o->op = op + ll + ml;
	return KD_OK;
}

/*
 * Sequences are decoded SEQ_AHEAD ahead of their execution, and the first
 * two cache lines of each match are prefetched when it is decoded: in a
 * big window, far matches would otherwise wait on memory when they run.
 * A prefetch never faults, so a corrupt sequence's address does no harm;
 * its offset is checked when it runs.
 */
#define SEQ_AHEAD	8	/* a power of two */
#define CACHE_LINE	64

struct seq_queue {
	struct seq s[SEQ_AHEAD];
	size_t decoded, executed;
	uintptr_t end;		/* where the last sequence decoded will end in the output */
};

/*
 * Decode the next sequence, prefetch its match, and, with the queue full,
 * execute the oldest.
 */
SEQ_INLINE enum kd_err decode_next(struct kd_job *job, const struct zstd_dec *d, struct seq_decoder *sd,
				   struct seq_queue *q, struct seq_out *o, bool last, bool far)
{
	struct seq s = decode_seq(sd, d, last, far);
	uintptr_t match = q->end + s.ll - s.offset;
	enum kd_err err = KD_OK;

	__builtin_prefetch((const void *)match);
	__builtin_prefetch((const void *)(match + CACHE_LINE));
	q->end += s.ll + s.ml;
	if (q->decoded - q->executed == SEQ_AHEAD)
		err = exec_seq(job, o, &q->s[q->executed++ % SEQ_AHEAD]);
	q->s[q->decoded++ % SEQ_AHEAD] = s;
	return err;
}

/*
 * Decode and execute nseq sequences from *brp; the section's tables are
 * ready.  Inlined into two builds of the loop, one for BMI2.
 */
SEQ_INLINE enum kd_err run_sequences(struct kd_job *job, struct zstd_dec *d, const struct zstd_bits *brp,
				     size_t nseq, uint8_t **opp, uint8_t *limit)
{
	uint8_t *out_end = job->out + job->out_cap;
	struct seq_out o = {
		.op = *opp,
		.lit = d->lit,
		.lit_end = d->lit + d->lit_len,
		.limit = limit,
		.frame_start = d->frame_start,
		.window = d->window,
	};
	struct seq_decoder sd = {
		.br = *brp,
		.rep = { d->rep[0], d->rep[1], d->rep[2] },
	};
	struct seq_queue q = { .end = (uintptr_t)o.op };
	enum kd_err err = KD_OK;

	if (out_end - limit >= SEQ_SLACK)
		o.fast_limit = limit;
	else
		o.fast_limit = out_end - o.op >= SEQ_SLACK ? out_end - SEQ_SLACK : o.op;
	sd.lls = zstd_bits_read(&sd.br, d->ll.log);
	sd.ofs = zstd_bits_read(&sd.br, d->of.log);
	sd.mls = zstd_bits_read(&sd.br, d->ml.log);

	/*
	 * Runs of sequences far from the stream's start, then the rest.  The
	 * bytes a run of n may step back over: 12 per sequence, plus up to 8
	 * for the bits already read.
	 */
	while (nseq > 1 && !err) {
		size_t room = (size_t)(sd.br.ptr - sd.br.start);
		size_t n = room >= SEQ_MAX_BYTES + 8 ? (room - 8) / SEQ_MAX_BYTES : 0;

		if (n == 0)
			break;
		if (n > nseq - 1)
			n = nseq - 1;
		nseq -= n;
		do
			err = decode_next(job, d, &sd, &q, &o, false, true);
		while (!err && --n);
	}
	for (; nseq > 1 && !err; nseq--)
		err = decode_next(job, d, &sd, &q, &o, false, false);
	if (!err)
		err = decode_next(job, d, &sd, &q, &o, true, false);
	while (!err && q.executed < q.decoded)
		err = exec_seq(job, &o, &q.s[q.executed++ % SEQ_AHEAD]);
	if (!err) {
		size_t rest = (size_t)(o.lit_end - o.lit);

		zstd_bits_refill(&sd.br);
		KD_FAIL_TO_IF(!zstd_bits_finished(&sd.br), done, err, job, KD_ERR_CORRUPT,
			      "zstd sequence bitstream is not used up exactly");
		KD_FAIL_TO_IF(rest > (size_t)(limit - o.op), done, err, job, KD_ERR_OUTPUT_FULL,
			      "zstd last literals overflow the output");
		kd_memcpy(o.op, o.lit, rest);
		o.op += rest;
	}
done:
	d->rep[0] = sd.rep.r0, d->rep[1] = sd.rep.r1, d->rep[2] = sd.rep.r2;
	*opp = o.op;
	return err;
}

static enum kd_err run_sequences_plain(struct kd_job *job, struct zstd_dec *d, const struct zstd_bits *brp,
				       size_t nseq, uint8_t **opp, uint8_t *limit)
{
	return run_sequences(job, d, brp, nseq, opp, limit);
}

#if defined(__x86_64__)
static __attribute__((target("bmi2"))) enum kd_err
run_sequences_bmi2(struct kd_job *job, struct zstd_dec *d, const struct zstd_bits *brp, size_t nseq,
		   uint8_t **opp, uint8_t *limit)
{
	return run_sequences(job, d, brp, nseq, opp, limit);
}
#else
#define run_sequences_bmi2 run_sequences_plain	/* d->bmi2 is never set */
#endif

/* Number_of_Sequences: 1 byte below 128, 2 bytes below 255, else 3 bytes. */
static enum kd_err read_count(struct kd_job *job, const uint8_t *src, size_t len, size_t *nseq, size_t *used)
{
	KD_FAIL_IF(len < 1, job, KD_ERR_CORRUPT, "zstd sequences section is missing");
	if (src[0] < 128) {
		*nseq = src[0];
		*used = 1;
	} else if (src[0] < 255) {
		KD_FAIL_IF(len < 2, job, KD_ERR_CORRUPT, "zstd sequence count is cut off");
		*nseq = ((size_t)(src[0] - 128) << 8) + src[1];
		*used = 2;
	} else {
		KD_FAIL_IF(len < 3, job, KD_ERR_CORRUPT, "zstd sequence count is cut off");
		*nseq = src[1] + ((size_t)src[2] << 8) + 0x7f00;
		*used = 3;
	}
	return KD_OK;
}

enum kd_err zstd_sequences(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
			   uint8_t **opp, uint8_t *limit)
{
	static const enum zstd_seq_kind order[3] = { ZSTD_LL, ZSTD_OF, ZSTD_ML };
	size_t nseq, pos, used;
	struct zstd_bits br;
	unsigned modes;
	enum kd_err err;

	err = read_count(job, src, len, &nseq, &pos);
	if (err)
		return err;
	if (nseq == 0) {
		/* the section ends right here; the block is its literals */
		KD_FAIL_IF(pos != len, job, KD_ERR_CORRUPT, "zstd block has data after an empty sequences section");
		KD_FAIL_IF(d->lit_len > (size_t)(limit - *opp), job, KD_ERR_OUTPUT_FULL,
			   "zstd literals overflow the output");
		kd_memcpy(*opp, d->lit, d->lit_len);
		*opp += d->lit_len;
		return KD_OK;
	}
	KD_FAIL_IF(pos >= len, job, KD_ERR_CORRUPT, "zstd compression modes are missing");
	modes = src[pos++];
	KD_FAIL_IF(modes & 3, job, KD_ERR_CORRUPT, "zstd compression modes have reserved bits set");
	for (int i = 0; i < 3; i++) {
		unsigned mode = (modes >> (6 - 2 * i)) & 3;
		struct zstd_seq_table *t = order[i] == ZSTD_LL ? &d->ll : order[i] == ZSTD_OF ? &d->of : &d->ml;

		KD_FAIL_IF(mode == 3 && !d->have_seq, job, KD_ERR_CORRUPT,
			   "zstd Repeat_Mode with no earlier sequence table");
		err = zstd_seq_table_read(job, t, order[i], mode, src + pos, len - pos, &used);
		if (err)
			return err;
		pos += used;
	}
	d->have_seq = true;
	KD_FAIL_IF(!zstd_bits_init(&br, src + pos, len - pos), job, KD_ERR_CORRUPT,
		   "zstd sequence bitstream has no end marker");
	if (d->bmi2)
		return run_sequences_bmi2(job, d, &br, nseq, opp, limit);
	return run_sequences_plain(job, d, &br, nseq, opp, limit);
}
