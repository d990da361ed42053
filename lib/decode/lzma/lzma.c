// SPDX-License-Identifier: MIT
/*
 * .lzma ("LZMA alone", what `lzma` and `xz --format=lzma` write, and what
 * Linux's CONFIG_KERNEL_LZMA packs the kernel with).
 *
 * A 13-byte header, then one raw LZMA stream:
 *
 *   offset 0   properties: (pb * 5 + lp) * 9 + lc, so at most 4*45+4*9+8 = 224
 *   offset 1   dictionary size, 32-bit little-endian
 *   offset 5   uncompressed size, 64-bit little-endian; all ones: unknown
 *
 * With an unknown size the stream must end with the end-of-payload marker.
 * With a known size it may still have one, right after the last byte (XZ
 * Utils accepts both since 5.2.6).  The format has no magic and no way to
 * chain streams, so one stream is decoded and whatever follows it (Linux's
 * 4-byte size) is left to the caller.
 *
 * Lenient on purpose: the dictionary size is not enforced (the whole output
 * is the dictionary, so a distance is only checked against what has been
 * written), and lc + lp may exceed 4, which liblzma refuses.
 */
#include "lzma_dec.h"

#define LZMA_HEADER_SIZE	13
#define LZMA_PROPS_MAX		((LZMA_PB_MAX * 5 + LZMA_LP_MAX) * 9 + LZMA_LC_MAX)
#define LZMA_SIZE_UNKNOWN	UINT64_MAX

/* Turn how the core stopped into the stream's result; `known` says the size was in the header. */
static enum kd_err lzma_finish(struct kd_job *job, struct lzma_dec *s, struct lzma_io *io, enum lzma_stop stop,
			       bool known)
{
	if (stop == LZMA_STOP_FULL) {
		if (known && lzma_rc_finished(s))
			return KD_OK;
		/* anything but an end marker here is more data than there is room (or size) for */
		stop = lzma_decode_one(s, io);
		if (stop == LZMA_STOP_NONE || stop == LZMA_STOP_OVERFLOW) {
			if (known)
				KD_FAIL(job, KD_ERR_CORRUPT, "lzma data continues past the size in its header");
			KD_FAIL(job, KD_ERR_OUTPUT_FULL, "lzma output does not fit in the output buffer");
		}
	}
	switch (stop) {
	case LZMA_STOP_MARKER:
		KD_FAIL_IF(known && io->op != io->oend, job, KD_ERR_SIZE,
			   "lzma end marker comes before the size in the header");
		KD_FAIL_IF(!lzma_rc_finished(s), job, KD_ERR_CORRUPT, "lzma range decoder not finished at the end marker");
		return KD_OK;
	case LZMA_STOP_OVERFLOW:
		if (known)
			KD_FAIL(job, KD_ERR_CORRUPT, "lzma match runs past the size in the header");
		KD_FAIL(job, KD_ERR_OUTPUT_FULL, "lzma output does not fit in the output buffer");
	case LZMA_STOP_DISTANCE:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma match distance reaches before the start of the output");
	case LZMA_STOP_INPUT:
		KD_FAIL(job, KD_ERR_TRUNCATED, "lzma stream is cut off");
	default:
		KD_FAIL(job, KD_ERR_CORRUPT, "lzma decoder stopped for no reason");
	}
}

enum kd_err kd_lzma_decode(struct kd_job *job)
{
	const uint8_t *in = job->in;
	unsigned props, lc, lp, pb;
	uint64_t size;
	struct lzma_dec *s;
	struct lzma_io io;
	enum lzma_stop stop;
	enum kd_err err;

	job->in_used = 0;
	job->out_len = 0;
	KD_FAIL_IF(job->in_len == 0 || in[0] > LZMA_PROPS_MAX, job, KD_ERR_MAGIC,
		   "not an lzma stream (properties byte above 224)");
	KD_FAIL_IF(job->in_len < LZMA_HEADER_SIZE, job, KD_ERR_TRUNCATED, "lzma header is cut off");
	props = in[0];
	lc = props % 9;
	lp = props / 9 % 5;
	pb = props / 45;
	size = kd_get_le64(in + 5);
	KD_FAIL_IF(size != LZMA_SIZE_UNKNOWN && size > job->out_cap, job, KD_ERR_OUTPUT_FULL,
		   "lzma header's size does not fit in the output buffer");

	s = lzma_dec_alloc(job, lc + lp);
	KD_FAIL_IF(!s, job, KD_ERR_HEAP, "no heap for the lzma probabilities");
	lzma_dec_reset(s, lc, lp, pb);
	io.ip = in + LZMA_HEADER_SIZE;
	io.iend = in + job->in_len;
	io.op = job->out;
	io.oend = job->out + (size == LZMA_SIZE_UNKNOWN ? job->out_cap : size);
	io.dict_start = job->out;

	stop = lzma_rc_init(s, &io);
	KD_FAIL_IF(stop == LZMA_STOP_INPUT, job, KD_ERR_TRUNCATED, "lzma stream is cut off");
	KD_FAIL_IF(stop == LZMA_STOP_RC, job, KD_ERR_CORRUPT, "lzma range coder's first byte is not zero");
	stop = lzma_decode(s, &io);
	err = lzma_finish(job, s, &io, stop, size != LZMA_SIZE_UNKNOWN);
	job->out_len = (size_t)(io.op - job->out);
	if (!err)
		job->in_used = (size_t)(io.ip - in);
	return err;
}

/*
 * The worst case: lc = 8 and lp = 4 need 0x300 << 12 literal probabilities
 * (6 MiB).  The decoder takes only what the header asks for: about 28 KiB
 * for lc + lp <= 4, 16 KiB for Linux's lc=3 lp=0.
 */
size_t kd_lzma_heap_size(void)
{
	return lzma_dec_size(LZMA_LC_MAX + LZMA_LP_MAX) + 64;
}

/* The header's size, which the decoder never goes past; .lzma has no other. */
KD_OUT_BOUND(lzma)
{
	uint64_t size;

	*exact = false;
	if (len < LZMA_HEADER_SIZE || in[0] > LZMA_PROPS_MAX)
		return KD_SIZE_UNKNOWN;
	size = kd_get_le64(in + 5);
	*exact = size != LZMA_SIZE_UNKNOWN;
	return size;
}
