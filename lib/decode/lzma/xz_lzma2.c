// SPDX-License-Identifier: MIT
/*
 * LZMA2: LZMA data cut into chunks, each starting with a control byte.
 *
 *   0x00        end of the LZMA2 data
 *   0x01        uncompressed chunk, dictionary reset
 *   0x02        uncompressed chunk, no reset
 *   0x03-0x7F   invalid
 *   0x80-0xFF   LZMA chunk; bits 5-6 say what to reset first:
 *                 0 nothing, 1 state, 2 state + new properties,
 *                 3 state + new properties + dictionary;
 *               bits 0-4 are bits 16-20 of (uncompressed size - 1)
 *
 * An uncompressed chunk continues with (size - 1) as 16 bits big-endian and
 * the bytes.  An LZMA chunk continues with (uncompressed size - 1) low 16
 * bits and (compressed size - 1), both big-endian, then the properties byte
 * (pb * 5 + lp) * 9 + lc when it sets new ones, then a complete range-coded
 * stream of exactly that many bytes: every chunk restarts the range decoder,
 * and its symbols produce exactly the uncompressed size (a match may not
 * run past the chunk).  No end-of-payload marker is allowed.
 *
 * The first chunk must reset the dictionary, and the first LZMA chunk after
 * a dictionary reset must set properties (the rules XZ Utils enforces).
 * lc + lp <= 4, so the decoder's literal table has a fixed worst case.
 *
 * The dictionary is the block's output so far, back to the last reset; the
 * declared dictionary size is not enforced (see lib/decode/lzma/lzma.c).
 */
#include "xz_dec.h"

#define LZMA2_CTRL_END		0x00
#define LZMA2_CTRL_COPY_RESET	0x01
#define LZMA2_CTRL_COPY		0x02
#define LZMA2_CTRL_LZMA		0x80
#define LZMA2_RESET_STATE	1
#define LZMA2_RESET_PROPS	2
#define LZMA2_RESET_DICT	3

/* What the chunk sequence requires next. */
struct lzma2_seq {
	uint8_t *dict_start;	/* output position of the last dictionary reset */
	bool need_dict_reset;	/* nothing decoded yet */
	bool need_props;	/* no properties since the last dictionary reset */
};

static enum kd_err lzma2_copy(struct kd_job *job, struct xz_block_io *io)
{
	size_t size;

	KD_FAIL_IF(io->iend - io->ip < 2, job, KD_ERR_TRUNCATED, "lzma2 chunk header is cut off");
	size = (size_t)kd_get_be16(io->ip) + 1;
	io->ip += 2;
	KD_FAIL_IF(size > (size_t)(io->iend - io->ip), job, KD_ERR_TRUNCATED, "lzma2 uncompressed chunk is cut off");
	if (size > (size_t)(io->oend - io->op)) {
		if (io->oend_is_size)
			KD_FAIL(job, KD_ERR_SIZE, "lzma2 data is larger than the block's uncompressed size");
		KD_FAIL(job, KD_ERR_OUTPUT_FULL, "xz output does not fit in the output buffer");
	}
	kd_memmove(io->op, io->ip, size);	/* in place, the input may be just ahead */
	io->ip += size;
	io->op += size;
	return KD_OK;
}

/* Read new lc/lp/pb from a chunk's properties byte. */
static enum kd_err lzma2_props(struct kd_job *job, struct lzma_dec *s, uint8_t props)
{
	unsigned lc = props % 9, lp = props / 9 % 5, pb = props / 45;

	KD_FAIL_IF(props > (4 * 5 + 4) * 9 + 8, job, KD_ERR_CORRUPT, "lzma2 properties byte is invalid");
	KD_FAIL_IF(lc + lp > LZMA2_LIT_BITS_MAX, job, KD_ERR_CORRUPT, "lzma2 properties have lc + lp above 4");
	lzma_dec_reset(s, lc, lp, pb);
	return KD_OK;
}

static enum kd_err lzma2_chunk(struct kd_job *job, struct lzma_dec *s, struct xz_block_io *io,
			       struct lzma2_seq *seq, unsigned ctrl)
{
	unsigned reset = (ctrl >> 5) & 3;
	size_t usize, csize;
	struct lzma_io lio;
	enum lzma_stop stop;
	enum kd_err err;

	KD_FAIL_IF(io->iend - io->ip < 4 + (reset >= LZMA2_RESET_PROPS), job, KD_ERR_TRUNCATED,
		   "lzma2 chunk header is cut off");
	usize = ((size_t)(ctrl & 0x1f) << 16) + kd_get_be16(io->ip) + 1;
	csize = (size_t)kd_get_be16(io->ip + 2) + 1;
	io->ip += 4;
	if (reset >= LZMA2_RESET_PROPS) {
		err = lzma2_props(job, s, *io->ip++);
		if (err)
			return err;
		seq->need_props = false;
	} else {
		KD_FAIL_IF(seq->need_props, job, KD_ERR_CORRUPT, "lzma2 chunk after a dictionary reset sets no properties");
		if (reset == LZMA2_RESET_STATE)
			lzma_dec_reset_state(s);
	}
	KD_FAIL_IF(csize > (size_t)(io->iend - io->ip), job, KD_ERR_TRUNCATED, "lzma2 chunk is cut off");
	if (usize > (size_t)(io->oend - io->op)) {
		if (io->oend_is_size)
			KD_FAIL(job, KD_ERR_SIZE, "lzma2 data is larger than the block's uncompressed size");
		KD_FAIL(job, KD_ERR_OUTPUT_FULL, "xz output does not fit in the output buffer");
	}

	lio.ip = io->ip;
	lio.iend = io->ip + csize;
	lio.op = io->op;
	lio.oend = io->op + usize;
	lio.dict_start = seq->dict_start;
	stop = lzma_rc_init(s, &lio);
	if (stop == LZMA_STOP_NONE)
		stop = lzma_decode(s, &lio);
	io->op = lio.op;
	switch (stop) {
	case LZMA_STOP_FULL:
		KD_FAIL_IF(lio.ip != lio.iend || !lzma_rc_finished(s), job, KD_ERR_CORRUPT,
			   "lzma2 chunk's data does not end where its compressed size says");
		break;
	case LZMA_STOP_MARKER:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma2 chunk contains an end-of-payload marker");
	case LZMA_STOP_OVERFLOW:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma2 chunk decodes to more than its uncompressed size");
	case LZMA_STOP_DISTANCE:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma2 match distance reaches before the dictionary");
	case LZMA_STOP_INPUT:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma2 chunk's data runs past its compressed size");
	default:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma2 chunk's range coder does not start with a zero byte");
	}
	io->ip = lio.iend;
	return KD_OK;
}

enum kd_err xz_lzma2_decode(struct kd_job *job, struct lzma_dec *s, struct xz_block_io *io)
{
	struct lzma2_seq seq = { io->op, true, true };

	for (;;) {
		unsigned ctrl;
		enum kd_err err;

		KD_FAIL_IF(io->ip >= io->iend, job, KD_ERR_TRUNCATED, "lzma2 data ends without its end marker");
		ctrl = *io->ip++;
		if (ctrl == LZMA2_CTRL_END)
			return KD_OK;
		if (ctrl == LZMA2_CTRL_COPY_RESET || ctrl >= LZMA2_CTRL_LZMA + (LZMA2_RESET_DICT << 5)) {
			seq.dict_start = io->op;
			seq.need_dict_reset = false;
			seq.need_props = true;
		} else {
			KD_FAIL_IF(seq.need_dict_reset, job, KD_ERR_CORRUPT,
				   "first lzma2 chunk does not reset the dictionary");
		}
		if (ctrl >= LZMA2_CTRL_LZMA)
			err = lzma2_chunk(job, s, io, &seq, ctrl);
		else if (ctrl <= LZMA2_CTRL_COPY)
			err = lzma2_copy(job, io);
		else
			KD_FAIL(job, KD_ERR_CORRUPT, "lzma2 control byte is reserved (0x03..0x7f)");
		if (err)
			return err;
	}
}
