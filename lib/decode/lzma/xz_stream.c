// SPDX-License-Identifier: MIT
/*
 * The .xz container ("The .xz File Format" 1.1.0+; section numbers below).
 *
 *   Stream:   header | block* | index | footer, then stream padding (zero
 *             bytes, a multiple of four) and possibly another stream.
 *   Header:   magic FD 37 7A 58 5A 00, stream flags (00, check type),
 *             CRC32 of the flags.                                     (2.1.1)
 *   Block:    header | compressed data | padding to 4 | check.        (3)
 *   Block header: size byte ((n + 1) * 4 bytes in all), flags (number of
 *             filters - 1 in bits 0-1, compressed size present in bit 6,
 *             uncompressed size in bit 7), the sizes as variable-length
 *             integers, the filter flags (ID, property size, properties),
 *             zero padding, CRC32 of all of it.                       (3.1)
 *   Index:    00, number of records, (unpadded size, uncompressed size)
 *             for each block, zero padding to 4, CRC32.               (4)
 *   Footer:   CRC32 of what follows, backward size ((index size / 4) - 1,
 *             32-bit LE), the stream flags again, magic 59 5A.        (2.1.2)
 *
 * Variable-length integers (1.2): 7 bits per byte, least significant first,
 * high bit set on all but the last byte, at most 9 bytes, no needless zero
 * byte at the end.
 *
 * The index is checked against what the blocks actually held: both sides
 * are reduced to a count, two sums and a CRC-64 over the records, and the
 * two reductions must be equal.  Checks (CRC32, CRC64, SHA-256) are verified
 * over each block's output.  Whatever follows the last stream and its
 * padding is left to the caller (Linux's 4-byte size).
 */
#include "crc64.h"
#include "sha256.h"
#include "xz_dec.h"

#define XZ_STREAM_HEADER_SIZE	12
#define XZ_STREAM_FOOTER_SIZE	12
#define XZ_MAGIC_SIZE		6
#define XZ_FILTERS_MAX		4
#define XZ_VLI_BYTES_MAX	9
#define XZ_VLI_MAX		(UINT64_MAX >> 1)
#define XZ_SIZE_UNKNOWN		UINT64_MAX
#define XZ_UNPADDED_MIN		5	/* the smallest header plus one byte of data */
#define XZ_BLOCK_FLAGS_RESERVED	0x3c
#define XZ_BLOCK_HAS_CSIZE	0x40
#define XZ_BLOCK_HAS_USIZE	0x80

enum xz_check {
	XZ_CHECK_NONE = 0x00,
	XZ_CHECK_CRC32 = 0x01,
	XZ_CHECK_CRC64 = 0x04,
	XZ_CHECK_SHA256 = 0x0a,
};

/* The index, reduced: what the blocks held and what the index says must agree. */
struct xz_index_sum {
	uint64_t count;
	uint64_t unpadded;	/* sum of unpadded sizes */
	uint64_t uncompressed;	/* sum of uncompressed sizes */
	uint64_t crc;		/* CRC-64 over each record's two sizes, 64-bit LE */
};

struct xz_stream {
	uint8_t flags[2];	/* stream flags, to compare with the footer's */
	unsigned check;		/* enum xz_check */
	size_t check_size;
	struct xz_index_sum blocks;
};

struct xz_block_header {
	size_t size;		/* of the block header, 8..1024 */
	uint64_t csize;		/* compressed size, or XZ_SIZE_UNKNOWN */
	uint64_t usize;		/* uncompressed size, or XZ_SIZE_UNKNOWN */
	unsigned nfilters;	/* 1..4, the last one LZMA2 */
	struct xz_filter filters[XZ_FILTERS_MAX];
};

static bool xz_magic(const uint8_t *p, const uint8_t *end)
{
	return end - p >= XZ_MAGIC_SIZE && kd_memcmp(p, "\xfd" "7zXZ\0", XZ_MAGIC_SIZE) == 0;
}

/* A variable-length integer: KD_OK, KD_ERR_TRUNCATED (runs past end) or KD_ERR_CORRUPT. */
static enum kd_err vli_read(const uint8_t **pp, const uint8_t *end, uint64_t *val)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;

	for (unsigned i = 0; i < XZ_VLI_BYTES_MAX; i++) {
		if (p >= end)
			return KD_ERR_TRUNCATED;
		uint8_t b = *p++;

		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (b == 0 && i > 0)
				return KD_ERR_CORRUPT;	/* not the shortest encoding */
			*val = v;
			*pp = p;
			return KD_OK;
		}
	}
	return KD_ERR_CORRUPT;
}

static enum kd_err index_add(struct kd_job *job, struct xz_index_sum *sum, uint64_t unpadded, uint64_t usize)
{
	uint8_t rec[16];

	KD_FAIL_IF(unpadded > XZ_VLI_MAX - sum->unpadded || usize > XZ_VLI_MAX - sum->uncompressed, job,
		   KD_ERR_CORRUPT, "xz index sizes add up to more than 2^63");
	kd_put_le64(rec, unpadded);
	kd_put_le64(rec + 8, usize);
	sum->count++;
	sum->unpadded += unpadded;
	sum->uncompressed += usize;
	sum->crc = kd_crc64(sum->crc, rec, sizeof(rec));
	return KD_OK;
}

/* One entry of a block's filter chain (3.1.5), checked for where it stands in the chain. */
static enum kd_err filter_parse(struct kd_job *job, struct xz_filter *f, uint64_t id, const uint8_t *props,
				uint64_t nprops, bool last)
{
	switch (id) {
	case XZ_FILTER_LZMA2:
		KD_FAIL_IF(!last, job, KD_ERR_UNSUPPORTED, "xz LZMA2 filter is not last in its chain");
		KD_FAIL_IF(nprops != 1, job, KD_ERR_CORRUPT, "xz LZMA2 filter properties are not one byte");
		KD_FAIL_IF(props[0] > 40, job, KD_ERR_CORRUPT, "xz LZMA2 dictionary size is invalid");
		/* 2 or 3 times a power of two, 4 KiB .. 3 GiB; 40 means 4 GiB - 1 */
		f->arg = props[0] == 40 ? 0xffffffffu : (2u | (props[0] & 1)) << (props[0] / 2 + 11);
		break;
	case XZ_FILTER_DELTA:
		KD_FAIL_IF(last, job, KD_ERR_UNSUPPORTED, "xz delta filter is last in its chain (LZMA2 must be)");
		KD_FAIL_IF(nprops != 1, job, KD_ERR_CORRUPT, "xz delta filter properties are not one byte");
		f->arg = props[0] + 1u;
		break;
	case XZ_FILTER_X86:
	case XZ_FILTER_POWERPC:
	case XZ_FILTER_IA64:
	case XZ_FILTER_ARM:
	case XZ_FILTER_ARMTHUMB:
	case XZ_FILTER_SPARC:
	case XZ_FILTER_ARM64:
		KD_FAIL_IF(last, job, KD_ERR_UNSUPPORTED, "xz BCJ filter is last in its chain (LZMA2 must be)");
		KD_FAIL_IF(nprops != 0 && nprops != 4, job, KD_ERR_CORRUPT, "xz BCJ filter properties are not 0 or 4 bytes");
		f->arg = nprops ? kd_get_le32(props) : 0;	/* start offset */
		break;
	case XZ_FILTER_RISCV:
		KD_FAIL(job, KD_ERR_UNSUPPORTED, "xz RISC-V BCJ filter is not supported");
	default:
		KD_FAIL(job, KD_ERR_UNSUPPORTED, "xz filter ID is not supported");
	}
	f->id = (uint32_t)id;
	return KD_OK;
}

/* The fields after the block header's first two bytes, up to its CRC32 at hend. */
static enum kd_err block_header_fields(struct kd_job *job, const uint8_t *p, const uint8_t *hend, unsigned flags,
				       struct xz_block_header *h)
{
	h->csize = h->usize = XZ_SIZE_UNKNOWN;
	if (flags & XZ_BLOCK_HAS_CSIZE) {
		KD_FAIL_IF(vli_read(&p, hend, &h->csize), job, KD_ERR_CORRUPT, "xz block header's compressed size is invalid");
		KD_FAIL_IF(h->csize == 0, job, KD_ERR_CORRUPT, "xz block header's compressed size is zero");
	}
	if (flags & XZ_BLOCK_HAS_USIZE)
		KD_FAIL_IF(vli_read(&p, hend, &h->usize), job, KD_ERR_CORRUPT,
			   "xz block header's uncompressed size is invalid");
	h->nfilters = (flags & 3) + 1;
	for (unsigned i = 0; i < h->nfilters; i++) {
		uint64_t id, nprops;
		enum kd_err err;

		KD_FAIL_IF(vli_read(&p, hend, &id) || vli_read(&p, hend, &nprops) || nprops > (uint64_t)(hend - p), job,
			   KD_ERR_CORRUPT, "xz block header's filter flags are cut off");
		err = filter_parse(job, &h->filters[i], id, p, nprops, i == h->nfilters - 1);
		if (err)
			return err;
		p += nprops;
	}
	/* non-zero padding could be a field from a newer version of the format */
	for (; p < hend; p++)
		KD_FAIL_IF(*p, job, KD_ERR_UNSUPPORTED, "xz block header has unknown fields (non-zero padding)");
	return KD_OK;
}

static enum kd_err block_header(struct kd_job *job, const uint8_t *p, const uint8_t *iend, struct xz_block_header *h)
{
	unsigned flags;

	h->size = ((size_t)p[0] + 1) * 4;
	KD_FAIL_IF(h->size > (size_t)(iend - p), job, KD_ERR_TRUNCATED, "xz block header is cut off");
	KD_FAIL_IF(kd_crc32(0, p, h->size - 4) != kd_get_le32(p + h->size - 4), job, KD_ERR_CHECKSUM,
		   "xz block header CRC32 does not match");
	flags = p[1];
	KD_FAIL_IF(flags & XZ_BLOCK_FLAGS_RESERVED, job, KD_ERR_UNSUPPORTED, "xz block flags have reserved bits set");
	return block_header_fields(job, p + 2, p + h->size - 4, flags, h);
}

static enum kd_err verify_check(struct kd_job *job, unsigned check, const uint8_t *data, size_t len,
				const uint8_t *stored)
{
	uint8_t digest[KD_SHA256_SIZE];

	switch (check) {
	case XZ_CHECK_CRC32:
		KD_FAIL_IF(kd_crc32(0, data, len) != kd_get_le32(stored), job, KD_ERR_CHECKSUM,
			   "xz block CRC32 does not match the data");
		break;
	case XZ_CHECK_CRC64:
		KD_FAIL_IF(kd_crc64(0, data, len) != kd_get_le64(stored), job, KD_ERR_CHECKSUM,
			   "xz block CRC64 does not match the data");
		break;
	case XZ_CHECK_SHA256:
		kd_sha256(data, len, digest);
		KD_FAIL_IF(kd_memcmp(digest, stored, KD_SHA256_SIZE) != 0, job, KD_ERR_CHECKSUM,
			   "xz block SHA-256 does not match the data");
		break;
	default:
		break;
	}
	return KD_OK;
}

static enum kd_err xz_block(struct kd_job *job, struct xz_stream *st, struct lzma_dec *s, const uint8_t **ipp,
			    uint8_t **opp)
{
	const uint8_t *block = *ipp, *iend = job->in + job->in_len, *data;
	uint8_t *out = *opp, *oend = job->out + job->out_cap;
	struct xz_block_header h;
	struct xz_block_io io;
	size_t csize, usize;
	enum kd_err err;

	err = block_header(job, block, iend, &h);
	if (err)
		return err;
	data = block + h.size;
	io = (struct xz_block_io){ data, iend, out, oend, false };
	if (h.csize != XZ_SIZE_UNKNOWN) {
		/* the unpadded size (header + data + check) must be a valid size itself */
		KD_FAIL_IF(h.csize > (XZ_VLI_MAX & ~(uint64_t)3) - h.size - st->check_size, job, KD_ERR_CORRUPT,
			   "xz block header's compressed size is too large");
		KD_FAIL_IF(h.csize > (uint64_t)(iend - data), job, KD_ERR_TRUNCATED, "xz block is cut off");
		io.iend = data + h.csize;
	}
	if (h.usize != XZ_SIZE_UNKNOWN && h.usize <= (uint64_t)(oend - out)) {
		io.oend = out + h.usize;
		io.oend_is_size = true;
	}
	err = xz_lzma2_decode(job, s, &io);
	*opp = io.op;
	if (err)
		return err;
	csize = (size_t)(io.ip - data);
	usize = (size_t)(io.op - out);
	KD_FAIL_IF(h.csize != XZ_SIZE_UNKNOWN && csize != h.csize, job, KD_ERR_CORRUPT,
		   "xz block's compressed size does not match its header");
	KD_FAIL_IF(h.usize != XZ_SIZE_UNKNOWN && usize != h.usize, job, KD_ERR_SIZE,
		   "xz block's uncompressed size does not match its header");
	for (unsigned i = h.nfilters - 1; i-- > 0;)
		xz_filter_undo(&h.filters[i], out, usize);

	const uint8_t *ip = io.ip;
	while ((ip - block) & 3) {
		KD_FAIL_IF(ip >= iend, job, KD_ERR_TRUNCATED, "xz block padding is cut off");
		KD_FAIL_IF(*ip++, job, KD_ERR_CORRUPT, "xz block padding is not zero");
	}
	KD_FAIL_IF(st->check_size > (size_t)(iend - ip), job, KD_ERR_TRUNCATED, "xz block check is cut off");
	err = verify_check(job, st->check, out, usize, ip);
	if (err)
		return err;
	/*
	 * Only now is the block done: its filters and its check ran over all
	 * of it.  Each block starts with a dictionary reset, so no match of a
	 * later one reaches back into it.
	 */
	kd_drain(job, out + usize, out + usize, 0);
	*ipp = ip + st->check_size;
	return index_add(job, &st->blocks, h.size + csize + st->check_size, usize);
}

/* The index (4), compared with the blocks; *size gets its size for the footer's backward size. */
static enum kd_err xz_index(struct kd_job *job, const struct xz_stream *st, const uint8_t **ipp, size_t *size)
{
	const uint8_t *start = *ipp, *ip = start + 1, *iend = job->in + job->in_len;
	struct xz_index_sum sum = { 0, 0, 0, 0 };
	uint64_t count;
	enum kd_err err;

	err = vli_read(&ip, iend, &count);
	KD_FAIL_IF(err, job, err, "xz index's record count is invalid");
	KD_FAIL_IF(count != st->blocks.count, job, KD_ERR_CORRUPT, "xz index lists a different number of blocks");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t unpadded, usize;

		err = vli_read(&ip, iend, &unpadded);
		if (!err)
			err = vli_read(&ip, iend, &usize);
		KD_FAIL_IF(err, job, err, "xz index record is invalid");
		KD_FAIL_IF(unpadded < XZ_UNPADDED_MIN, job, KD_ERR_CORRUPT, "xz index has an unpadded size below 5");
		err = index_add(job, &sum, unpadded, usize);
		if (err)
			return err;
	}
	while ((ip - start) & 3) {
		KD_FAIL_IF(ip >= iend, job, KD_ERR_TRUNCATED, "xz index padding is cut off");
		KD_FAIL_IF(*ip++, job, KD_ERR_CORRUPT, "xz index padding is not zero");
	}
	KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "xz index CRC32 is cut off");
	KD_FAIL_IF(kd_crc32(0, start, (size_t)(ip - start)) != kd_get_le32(ip), job, KD_ERR_CHECKSUM,
		   "xz index CRC32 does not match");
	KD_FAIL_IF(sum.unpadded != st->blocks.unpadded || sum.uncompressed != st->blocks.uncompressed ||
		   sum.crc != st->blocks.crc, job, KD_ERR_CORRUPT, "xz index does not match the blocks");
	*ipp = ip + 4;
	*size = (size_t)(*ipp - start);
	return KD_OK;
}

static enum kd_err stream_header(struct kd_job *job, struct xz_stream *st, const uint8_t *p, const uint8_t *iend)
{
	KD_FAIL_IF(iend - p < XZ_STREAM_HEADER_SIZE, job, KD_ERR_TRUNCATED, "xz stream header is cut off");
	KD_FAIL_IF(kd_crc32(0, p + 6, 2) != kd_get_le32(p + 8), job, KD_ERR_CHECKSUM,
		   "xz stream header CRC32 does not match");
	st->flags[0] = p[6];
	st->flags[1] = p[7];
	KD_FAIL_IF(p[6] || (p[7] & 0xf0), job, KD_ERR_UNSUPPORTED, "xz stream flags have reserved bits set");
	st->check = p[7];
	switch (st->check) {
	case XZ_CHECK_NONE:   st->check_size = 0; break;
	case XZ_CHECK_CRC32:  st->check_size = 4; break;
	case XZ_CHECK_CRC64:  st->check_size = 8; break;
	case XZ_CHECK_SHA256: st->check_size = KD_SHA256_SIZE; break;
	default:
		KD_FAIL(job, KD_ERR_UNSUPPORTED, "xz check type is not supported (only none, CRC32, CRC64, SHA-256)");
	}
	return KD_OK;
}

static enum kd_err stream_footer(struct kd_job *job, const struct xz_stream *st, const uint8_t *p,
				 const uint8_t *iend, size_t index_size)
{
	KD_FAIL_IF(iend - p < XZ_STREAM_FOOTER_SIZE, job, KD_ERR_TRUNCATED, "xz stream footer is cut off");
	KD_FAIL_IF(p[10] != 'Y' || p[11] != 'Z', job, KD_ERR_CORRUPT, "xz stream footer magic is wrong");
	KD_FAIL_IF(kd_crc32(0, p + 4, 6) != kd_get_le32(p), job, KD_ERR_CHECKSUM, "xz stream footer CRC32 does not match");
	KD_FAIL_IF(((size_t)kd_get_le32(p + 4) + 1) * 4 != index_size, job, KD_ERR_CORRUPT,
		   "xz stream footer's backward size does not match the index");
	KD_FAIL_IF(p[8] != st->flags[0] || p[9] != st->flags[1], job, KD_ERR_CORRUPT,
		   "xz stream footer's flags differ from the header's");
	return KD_OK;
}

static enum kd_err xz_stream(struct kd_job *job, const uint8_t **ipp, uint8_t **opp, struct lzma_dec **sp)
{
	const uint8_t *ip = *ipp, *iend = job->in + job->in_len;
	struct xz_stream st = { .blocks = { 0, 0, 0, 0 } };
	size_t index_size;
	enum kd_err err;

	err = stream_header(job, &st, ip, iend);
	if (err)
		return err;
	ip += XZ_STREAM_HEADER_SIZE;
	for (;;) {
		KD_FAIL_IF(ip >= iend, job, KD_ERR_TRUNCATED, "xz stream ends before its index");
		if (*ip == 0)	/* the index indicator; a block header's size byte is never 0 */
			break;
		if (!*sp) {
			*sp = lzma_dec_alloc(job, LZMA2_LIT_BITS_MAX);
			KD_FAIL_IF(!*sp, job, KD_ERR_HEAP, "no heap for the LZMA2 probabilities");
		}
		err = xz_block(job, &st, *sp, &ip, opp);
		if (err)
			return err;
	}
	err = xz_index(job, &st, &ip, &index_size);
	if (!err)
		err = stream_footer(job, &st, ip, iend, index_size);
	if (err)
		return err;
	*ipp = ip + XZ_STREAM_FOOTER_SIZE;
	return KD_OK;
}

enum kd_err kd_xz_decode(struct kd_job *job)
{
	const uint8_t *ip = job->in, *iend = job->in + job->in_len;
	uint8_t *op = job->out;
	struct lzma_dec *s = NULL;

	job->in_used = 0;
	job->out_len = 0;
	if (!xz_magic(ip, iend)) {
		bool prefix = job->in_len < XZ_MAGIC_SIZE && kd_memcmp(ip, "\xfd" "7zXZ", job->in_len) == 0;

		KD_FAIL(job, prefix ? KD_ERR_TRUNCATED : KD_ERR_MAGIC, "not an xz stream (bad magic)");
	}
	for (;;) {
		enum kd_err err = xz_stream(job, &ip, &op, &s);
		const uint8_t *next = ip;
		bool another;

		job->out_len = (size_t)(op - job->out);
		if (err)
			return err;
		job->in_used = (size_t)(ip - job->in);
		/* stream padding: zero bytes, a multiple of four, then the end or another stream */
		while (next < iend && *next == 0)
			next++;
		another = xz_magic(next, iend);
		if (!another && next != iend)
			break;	/* trailing data: the caller judges it */
		KD_FAIL_IF((next - ip) & 3, job, KD_ERR_CORRUPT, "xz stream padding is not a multiple of four bytes");
		ip = next;
		job->in_used = (size_t)(ip - job->in);
		if (!another)
			return KD_OK;
	}
	return KD_OK;
}

/* One LZMA2 decoder (lc + lp <= 4: 28 KiB) and kd_alloc's alignment. */
size_t kd_xz_heap_size(void)
{
	return lzma_dec_size(LZMA2_LIT_BITS_MAX) + 64;
}

/*
 * The size one stream's index records, walking back from the stream's end
 * (its footer): the backward size finds the index, whose records give the
 * blocks' uncompressed sizes and, padded to four, their lengths; the stream
 * starts that far before the index, less its header.  False where something
 * does not fit; the decoder checks all of it.
 */
static bool stream_size_back(const uint8_t *in, size_t end, size_t *start, uint64_t *size)
{
	const uint8_t *foot, *ip, *iend;
	uint64_t count, blocks_len = 0, usize = 0;

	if (end < XZ_STREAM_HEADER_SIZE + XZ_STREAM_FOOTER_SIZE)
		return false;
	foot = in + end - XZ_STREAM_FOOTER_SIZE;
	if (foot[10] != 'Y' || foot[11] != 'Z')
		return false;
	uint64_t index_size = ((uint64_t)kd_get_le32(foot + 4) + 1) * 4;
	if (index_size > (uint64_t)(foot - in) - XZ_STREAM_HEADER_SIZE)
		return false;
	ip = foot - index_size;
	iend = foot - 4;	/* the index's CRC32 */
	if (*ip++ != 0 || vli_read(&ip, iend, &count))
		return false;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t unpadded, u;

		if (vli_read(&ip, iend, &unpadded) || vli_read(&ip, iend, &u))
			return false;
		blocks_len = kd_size_add(blocks_len, KD_ALIGN_UP(kd_size_add(unpadded, 3), 4));
		usize = kd_size_add(usize, u);
	}
	uint64_t before_index = (uint64_t)(foot - index_size - in);
	if (blocks_len > before_index - XZ_STREAM_HEADER_SIZE)
		return false;
	*start = (size_t)(before_index - blocks_len - XZ_STREAM_HEADER_SIZE);
	*size = usize;
	return xz_magic(in + *start, in + end);
}

/* The streams' sizes from their indexes, from the last stream back to the first. */
static uint64_t streams_size_back(const uint8_t *in, size_t end)
{
	uint64_t total = 0;

	while (end > 0) {
		size_t start;
		uint64_t size;

		while (end >= 4 && kd_get_le32(in + end - 4) == 0)
			end -= 4;	/* stream padding */
		if (!stream_size_back(in, end, &start, &size))
			return KD_SIZE_UNKNOWN;
		total = kd_size_add(total, size);
		end = start;
	}
	return total;
}

/* Linux appends its 4-byte size after the stream: try the input without it too. */
KD_OUT_BOUND(xz)
{
	uint64_t size = streams_size_back(in, len);

	if (size == KD_SIZE_UNKNOWN && len >= 4)
		size = streams_size_back(in, len - 4);
	*exact = size != KD_SIZE_UNKNOWN;
	return size;
}
