// SPDX-License-Identifier: MIT
/*
 * LZ4: the legacy frame Linux compresses its kernel with, and the modern
 * LZ4 frame for the CLI.
 *
 * Legacy frame: magic 0x184C2102, then blocks, each a 32-bit little-endian
 * compressed size and an LZ4 block that decodes to at most 8 MiB.  It has no
 * end marker: it ends with the input, or where another frame's magic starts.
 * Linux appends the 4-byte uncompressed size after it, so exactly four bytes
 * left at a block boundary end the stream and are left to the caller.
 *
 * Modern frame: magic 0x184D2204, a descriptor (FLG, BD, optional content
 * size and dictionary ID, a header check byte), blocks whose size word has
 * bit 31 set for stored data, a zero end mark, then an optional XXH32 of the
 * content.  Block and content checks are verified.  Blocks may refer back
 * into earlier blocks (the whole output is at hand, so linked blocks cost
 * nothing); preset dictionaries are refused.
 *
 * The block decoder has a fast loop and a careful tail.  A sequence is a
 * token (literal length high nibble, match length - 4 low nibble), extra
 * length bytes for either nibble at 15, the literals, a 16-bit offset and
 * the match.  The fast loop runs while each sequence's literals and match
 * fit with FAST_SLACK bytes to spare on both sides, so it copies whole
 * 16-byte chunks and may write up to FAST_SLACK bytes past the sequence;
 * anything closer to an end goes through the tail, which checks each step.
 * The short sequences that make up most of a block run in a loop of their
 * own (lz4_short_run), with fixed-size copies.
 */
#include "kd.h"
#include "copy.h"
#include "xxhash.h"

#define LZ4_LEGACY_MAGIC	0x184C2102u
#define LZ4_FRAME_MAGIC		0x184D2204u
#define LZ4_LEGACY_BLOCK_MAX	(8u << 20)
#define LZ4_MIN_MATCH		4
#define LZ4_WINDOW		65535	/* the farthest a 16-bit offset reaches */

/*
 * Room the fast loop keeps past each copy on both sides: the wide copies
 * read and write up to KD_COPY_OVERRUN bytes beyond it.
 */
#define FAST_SLACK 32
_Static_assert(FAST_SLACK > KD_COPY_OVERRUN, "fast loop slack");

/* An LZ4 length: the nibble, plus bytes of 255 and a final byte below 255 when it is 15. */
static inline bool read_length(const uint8_t **ipp, const uint8_t *iend, size_t *len)
{
	const uint8_t *ip = *ipp;
	unsigned b;

	if (*len != 15)
		return true;
	do {
		if (KD_UNLIKELY(ip >= iend))
			return false;
		b = *ip++;
		*len += b;
	} while (b == 255);
	*ipp = ip;
	return true;
}

/*
 * The common short sequences, in a loop of their own so that its state
 * stays in registers: at most 14 literals and an 18-byte match at offset
 * >= 8, started while ip is below ifast and op below ofast (FAST_SLACK
 * bytes of input and twice that of output left), so that fixed-size copies
 * serve (16 literal bytes, three 8-byte words of match).  It stops before
 * any other sequence, leaving it to the general path; the literals it has
 * copied by then lie past op and are copied again.
 */
static inline void lz4_short_run(const uint8_t **ipp, uint8_t **opp, const uint8_t *ifast, const uint8_t *ofast,
				 const uint8_t *lowest)
{
	const uint8_t *ip = *ipp;
	uint8_t *op = *opp;

	while (ip < ifast && op < ofast) {
		unsigned token = *ip;
		size_t lit = token >> 4, offset;

		if (lit == 15 || (token & 15) == 15)
			break;
		kd_copy16(op, ip + 1);
		offset = kd_get_le16(ip + 1 + lit);
		if (offset < 8 || offset > (size_t)(op + lit - lowest))
			break;
		ip += 1 + lit + 2;
		op += lit;

		const uint8_t *src = op - offset;
		kd_memcpy(op, src, 8);
		kd_memcpy(op + 8, src + 8, 8);
		kd_memcpy(op + 16, src + 16, 8);
		op += (token & 15) + LZ4_MIN_MATCH;
	}
	*ipp = ip;
	*opp = op;
}

/*
 * Decode one block from [ip, iend) into [*opp, oend).  Matches may reach
 * back to `lowest`, the start of the whole output.
 */
static enum kd_err lz4_block(struct kd_job *job, const uint8_t *ip, const uint8_t *iend,
			     uint8_t **opp, uint8_t *oend, const uint8_t *lowest)
{
	uint8_t *op = *opp;
	enum kd_err err = KD_OK;
	/* in a block too small for the short run, its bounds stay at the start: ip and op never go below */
	const uint8_t *ifast = iend - ip >= FAST_SLACK ? iend - FAST_SLACK + 1 : ip;
	const uint8_t *ofast = oend - op >= 2 * FAST_SLACK ? oend - 2 * FAST_SLACK + 1 : op;

	for (;;) {
		unsigned token;
		size_t lit, mlen, offset;

		lz4_short_run(&ip, &op, ifast, ofast, lowest);
		KD_FAIL_TO_IF(ip >= iend, done, err, job, KD_ERR_CORRUPT, "lz4 block ends without its last literals");
		token = *ip++;
		lit = token >> 4;
		KD_FAIL_TO_IF(!read_length(&ip, iend, &lit), done, err, job, KD_ERR_CORRUPT,
			      "lz4 literal length runs past the block");
		if (KD_LIKELY(lit <= (size_t)(iend - ip) && iend - ip - lit >= FAST_SLACK &&
			      lit <= (size_t)(oend - op) && oend - op - lit >= FAST_SLACK)) {
			kd_wild_copy(op, ip, lit);
		} else {
			KD_FAIL_TO_IF(lit > (size_t)(iend - ip), done, err, job, KD_ERR_CORRUPT,
				      "lz4 literals run past the block");
			KD_FAIL_TO_IF(lit > (size_t)(oend - op), done, err, job, KD_ERR_OUTPUT_FULL,
				      "lz4 literals overflow the output");
			kd_memmove(op, ip, lit);
			if (ip + lit == iend) {	/* the last sequence has literals only */
				op += lit;
				break;
			}
		}
		ip += lit;
		op += lit;
		KD_FAIL_TO_IF(iend - ip < 2, done, err, job, KD_ERR_CORRUPT,
			      "lz4 match offset cut off by the block end");
		offset = kd_get_le16(ip);
		ip += 2;
		mlen = token & 15;
		KD_FAIL_TO_IF(!read_length(&ip, iend, &mlen), done, err, job, KD_ERR_CORRUPT,
			      "lz4 match length runs past the block");
		mlen += LZ4_MIN_MATCH;
		KD_FAIL_TO_IF(offset == 0, done, err, job, KD_ERR_CORRUPT, "lz4 match offset is zero");
		KD_FAIL_TO_IF(offset > (size_t)(op - lowest), done, err, job, KD_ERR_CORRUPT,
			      "lz4 match reaches before the start of the output");
		if (KD_LIKELY(mlen <= (size_t)(oend - op) && oend - op - mlen >= FAST_SLACK)) {
			kd_match_copy(op, offset, mlen);
		} else {
			KD_FAIL_TO_IF(mlen > (size_t)(oend - op), done, err, job, KD_ERR_OUTPUT_FULL,
				      "lz4 match overflows the output");
			/*
			 * Near the end: the bulk still goes wide while FAST_SLACK
			 * bytes of room remain (long zero runs end right before
			 * legacy block boundaries), the rest byte by byte.
			 */
			size_t room = oend - op, bulk = room > mlen + FAST_SLACK ? mlen : 0;
			const uint8_t *src;

			if (!bulk && room > FAST_SLACK)
				bulk = room - FAST_SLACK < mlen ? room - FAST_SLACK : mlen;
			if (bulk)
				kd_match_copy(op, offset, bulk);
			src = op - offset;
			for (size_t i = bulk; i < mlen; i++)
				op[i] = src[i];
		}
		op += mlen;
	}
done:
	*opp = op;
	return err;
}

static enum kd_err lz4_legacy(struct kd_job *job, const uint8_t **ipp, uint8_t **opp)
{
	const uint8_t *ip = *ipp + 4, *iend = job->in + job->in_len;
	uint8_t *oend = job->out + job->out_cap;

	while (iend - ip >= 4 && kd_get_le32(ip) != LZ4_LEGACY_MAGIC) {
		uint32_t csize = kd_get_le32(ip);

		/* four bytes at the very end are Linux's appended size, not a block */
		if (iend - ip == 4)
			break;
		ip += 4;
		KD_FAIL_IF(csize > (size_t)(iend - ip), job, KD_ERR_TRUNCATED,
			   "lz4 legacy block runs past the end of the input");
		uint8_t *block_start = *opp, *block_end = oend;
		if ((size_t)(oend - block_start) > LZ4_LEGACY_BLOCK_MAX)
			block_end = block_start + LZ4_LEGACY_BLOCK_MAX;
		enum kd_err err = lz4_block(job, ip, ip + csize, opp, block_end, job->out);
		job->out_len = *opp - job->out;
		if (err == KD_ERR_OUTPUT_FULL && block_end != oend)
			KD_FAIL(job, KD_ERR_CORRUPT, "lz4 legacy block decodes to more than 8 MiB");
		if (err)
			return err;
		ip += csize;
		kd_drain(job, *opp, job->out, LZ4_WINDOW);
	}
	*ipp = ip;
	return KD_OK;
}

/* Bits of the frame descriptor's FLG byte. */
#define FLG_VERSION_MASK	0xc0
#define FLG_VERSION_01		0x40
#define FLG_BLOCK_CHECKSUM	0x10
#define FLG_CONTENT_SIZE	0x08
#define FLG_CONTENT_CHECKSUM	0x04
#define FLG_RESERVED		0x02
#define FLG_DICT_ID		0x01
#define BLOCK_STORED		0x80000000u

static enum kd_err lz4_frame(struct kd_job *job, const uint8_t **ipp, uint8_t **opp)
{
	const uint8_t *ip = *ipp + 4, *iend = job->in + job->in_len, *desc = ip;
	uint8_t *oend = job->out + job->out_cap, *frame_out = *opp;
	struct kd_xxh32 content_hash;
	uint64_t content_size = 0;
	size_t block_max;
	unsigned flg, bd;

	KD_FAIL_IF(iend - ip < 3, job, KD_ERR_TRUNCATED, "lz4 frame descriptor is cut off");
	flg = ip[0];
	bd = ip[1];
	KD_FAIL_IF((flg & FLG_VERSION_MASK) != FLG_VERSION_01, job, KD_ERR_UNSUPPORTED, "lz4 frame version is not 01");
	KD_FAIL_IF((flg & FLG_RESERVED) || (bd & 0x8f), job, KD_ERR_CORRUPT,
		   "lz4 frame descriptor has reserved bits set");
	KD_FAIL_IF(((bd >> 4) & 7) < 4, job, KD_ERR_CORRUPT, "lz4 block maximum size is invalid");
	block_max = (size_t)1 << (8 + 2 * ((bd >> 4) & 7));
	ip += 2;
	if (flg & FLG_CONTENT_SIZE) {
		KD_FAIL_IF(iend - ip < 8, job, KD_ERR_TRUNCATED, "lz4 frame content size is cut off");
		content_size = kd_get_le64(ip);
		ip += 8;
	}
	if (flg & FLG_DICT_ID) {
		KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "lz4 frame dictionary ID is cut off");
		ip += 4;
	}
	KD_FAIL_IF(ip >= iend, job, KD_ERR_TRUNCATED, "lz4 frame header check is cut off");
	KD_FAIL_IF(((kd_xxh32(desc, ip - desc, 0) >> 8) & 0xff) != *ip, job, KD_ERR_CHECKSUM,
		   "lz4 frame header check byte does not match");
	ip++;
	KD_FAIL_IF(flg & FLG_DICT_ID, job, KD_ERR_DICTIONARY, "lz4 frame needs a preset dictionary");

	kd_xxh32_init(&content_hash, 0);
	for (;;) {
		uint32_t word;
		size_t csize;

		KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "lz4 frame ends without its end mark");
		word = kd_get_le32(ip);
		ip += 4;
		if (word == 0)
			break;
		csize = word & ~BLOCK_STORED;
		KD_FAIL_IF(csize > block_max, job, KD_ERR_CORRUPT, "lz4 block is larger than the frame allows");
		KD_FAIL_IF(csize > (size_t)(iend - ip), job, KD_ERR_TRUNCATED, "lz4 block runs past the input");
		uint8_t *block_out = *opp;
		if (word & BLOCK_STORED) {
			KD_FAIL_IF(csize > (size_t)(oend - block_out), job, KD_ERR_OUTPUT_FULL,
				   "lz4 stored block overflows the output");
			kd_memcpy(block_out, ip, csize);
			*opp += csize;
		} else {
			uint8_t *block_end = (size_t)(oend - block_out) > block_max ? block_out + block_max : oend;
			enum kd_err err = lz4_block(job, ip, ip + csize, opp, block_end, job->out);

			job->out_len = *opp - job->out;
			if (err == KD_ERR_OUTPUT_FULL && block_end != oend)
				KD_FAIL(job, KD_ERR_CORRUPT, "lz4 block decodes to more than the frame allows");
			if (err)
				return err;
		}
		ip += csize;
		if (flg & FLG_BLOCK_CHECKSUM) {
			KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "lz4 block checksum is cut off");
			KD_FAIL_IF(kd_xxh32(ip - csize, csize, 0) != kd_get_le32(ip), job, KD_ERR_CHECKSUM,
				   "lz4 block checksum does not match");
			ip += 4;
		}
		if (flg & FLG_CONTENT_CHECKSUM)
			kd_xxh32_update(&content_hash, block_out, (size_t)(*opp - block_out));
		kd_drain(job, *opp, job->out, LZ4_WINDOW);
	}
	job->out_len = *opp - job->out;
	if (flg & FLG_CONTENT_SIZE)
		KD_FAIL_IF(content_size != (uint64_t)(*opp - frame_out), job, KD_ERR_SIZE,
			   "lz4 frame content size does not match the data");
	if (flg & FLG_CONTENT_CHECKSUM) {
		KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "lz4 content checksum is cut off");
		KD_FAIL_IF(kd_xxh32_digest(&content_hash) != kd_get_le32(ip), job, KD_ERR_CHECKSUM,
			   "lz4 content checksum does not match");
		ip += 4;
	}
	*ipp = ip;
	return KD_OK;
}

enum kd_err kd_lz4_decode(struct kd_job *job)
{
	const uint8_t *ip = job->in, *iend = job->in + job->in_len;
	uint8_t *op = job->out;
	bool first = true;

	job->in_used = 0;
	job->out_len = 0;
	for (;;) {
		uint32_t magic = iend - ip >= 4 ? kd_get_le32(ip) : 0;
		enum kd_err err;

		if (magic == LZ4_LEGACY_MAGIC)
			err = lz4_legacy(job, &ip, &op);
		else if (magic == LZ4_FRAME_MAGIC)
			err = lz4_frame(job, &ip, &op);
		else if (first)
			KD_FAIL(job, KD_ERR_MAGIC, "not an lz4 stream (bad magic)");
		else
			break;	/* trailing data: the caller judges it */
		job->out_len = op - job->out;
		if (err)
			return err;
		job->in_used = ip - job->in;
		first = false;
	}
	return KD_OK;
}

size_t kd_lz4_heap_size(void)
{
	return 0;
}

/* Walking a stream's headers without decoding: where it ends, and its size or a bound. */
struct lz4_walk {
	const uint8_t *ip, *iend;
	uint64_t size;
	bool exact;
};

/* Legacy blocks: each decodes to at most 8 MiB, and only the last to less. */
static bool walk_legacy(struct lz4_walk *w)
{
	const uint8_t *ip = w->ip + 4;

	while (w->iend - ip > 4 && kd_get_le32(ip) != LZ4_LEGACY_MAGIC) {
		uint32_t csize = kd_get_le32(ip);

		ip += 4;
		if (csize > (size_t)(w->iend - ip))
			return false;
		ip += csize;
		w->size = kd_size_add(w->size, LZ4_LEGACY_BLOCK_MAX);
	}
	w->exact = false;
	w->ip = ip;
	return true;
}

/* A modern frame: its content size if it records one, else its blocks' maximum size each. */
static bool walk_frame(struct lz4_walk *w)
{
	const uint8_t *ip = w->ip + 4;
	uint64_t blocks = 0;
	unsigned flg, bd;

	if (w->iend - ip < 3)
		return false;
	flg = ip[0];
	bd = ip[1];
	ip += 2;
	if (flg & FLG_CONTENT_SIZE) {
		if (w->iend - ip < 8)
			return false;
		w->size = kd_size_add(w->size, kd_get_le64(ip));
		ip += 8;
	}
	ip += 1 + (flg & FLG_DICT_ID ? 4 : 0);	/* the dictionary ID and the header check byte */
	for (;;) {
		if (ip > w->iend || w->iend - ip < 4)
			return false;
		uint32_t word = kd_get_le32(ip);
		ip += 4;
		if (word == 0)
			break;
		size_t csize = (word & ~BLOCK_STORED) + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0);
		if (csize > (size_t)(w->iend - ip))
			return false;
		ip += csize;
		blocks++;
	}
	if (!(flg & FLG_CONTENT_SIZE)) {
		uint64_t block_max = (uint64_t)1 << (8 + 2 * ((bd >> 4) & 7));

		w->size = blocks > KD_SIZE_UNKNOWN / block_max ? KD_SIZE_UNKNOWN : kd_size_add(w->size, blocks * block_max);
		w->exact = false;
	}
	w->ip = ip + (flg & FLG_CONTENT_CHECKSUM ? 4 : 0);
	return w->ip <= w->iend;
}

KD_OUT_BOUND(lz4)
{
	struct lz4_walk w = { in, in + len, 0, true };

	*exact = false;
	for (;;) {
		uint32_t magic = w.iend - w.ip >= 4 ? kd_get_le32(w.ip) : 0;

		if (magic == LZ4_LEGACY_MAGIC) {
			if (!walk_legacy(&w))
				return KD_SIZE_UNKNOWN;
		} else if (magic == LZ4_FRAME_MAGIC) {
			if (!walk_frame(&w))
				return KD_SIZE_UNKNOWN;
		} else {
			break;
		}
	}
	*exact = w.exact && w.ip != in;
	return w.ip == in ? KD_SIZE_UNKNOWN : w.size;
}
