// SPDX-License-Identifier: MIT
/*
 * bzip2: the stream layer.
 *
 * A stream is "BZh" and a digit 1..9 (the block size limit in units of
 * 100000 bytes), then bit-packed blocks, each a 48-bit magic 0x314159265359
 * (pi), the CRC of its output and its data (bzip2_huff.c, bzip2_bwt.c);
 * then a 48-bit end magic 0x177245385090 (sqrt pi), the stream CRC (each
 * block CRC folded in as crc = (crc <<< 1) ^ block), and padding to a
 * byte.  Streams may be concatenated; decoding stops, leaving in_used
 * there, where the next bytes are not "BZh".
 *
 * Memory: one block's bytes and links (900000 32-bit entries), the
 * selectors and six Huffman tables, about 3.6 MiB in all (within the
 * 4 MiB Linux gives its bzip2 decoder), taken from the heap on the first
 * stream and reused for every block.
 *
 * In-place decoding is safe: a block's input is read whole before any of
 * its output is written.
 */
#include "bzip2.h"
#include "bzip2_crc.h"

#define BZ_BLOCK_MAGIC	0x314159265359ull
#define BZ_END_MAGIC	0x177245385090ull

static size_t tt_size(void)
{
	return KD_ALIGN_UP(BZ_BLOCK_MAX * sizeof(uint32_t), (size_t)64);
}

static size_t selectors_size(void)
{
	return KD_ALIGN_UP((size_t)BZ_MAX_SELECTORS, (size_t)64);
}

size_t kd_bzip2_heap_size(void)
{
	return tt_size() + selectors_size() + KD_ALIGN_UP(kd_bzip2_tables_size(), (size_t)64);
}

static enum kd_err alloc_block(struct kd_job *job, struct bz_block *blk)
{
	if (blk->tt)
		return KD_OK;
	KD_FAIL_IF(!job->heap, job, KD_ERR_HEAP, "bzip2 needs a heap");
	blk->tt = kd_alloc(job->heap, tt_size());
	blk->selectors = kd_alloc(job->heap, selectors_size());
	blk->tables = kd_alloc(job->heap, kd_bzip2_tables_size());
	KD_FAIL_IF(!blk->tt || !blk->selectors || !blk->tables, job, KD_ERR_HEAP,
		   "bzip2 heap is smaller than kd_bzip2_heap_size()");
	return KD_OK;
}

static uint64_t get48(struct bz_bits *bits)
{
	uint64_t hi = bz_get(bits, 24);

	return hi << 24 | bz_get(bits, 24);
}

/* One block after its magic: decode it, write it, check its CRC. */
static enum kd_err one_block(struct kd_job *job, struct bz_bits *bits, struct bz_block *blk,
			     size_t *pos, uint32_t *stream_crc)
{
	uint32_t want = bz_get(bits, 32);
	size_t start = *pos;
	enum kd_err err;

	err = kd_bzip2_read_block(job, bits, blk);
	if (!err)
		err = kd_bzip2_write_block(job, blk, pos);
	if (err)
		return err;
	uint32_t got = kd_bzip2_crc(0, job->out + start, *pos - start);
	KD_FAIL_IF(got != want, job, KD_ERR_CHECKSUM, "bzip2 block CRC does not match");
	*stream_crc = (*stream_crc << 1 | *stream_crc >> 31) ^ got;
	/* blocks are independent: nothing of this one is read again */
	kd_drain(job, job->out + *pos, job->out + *pos, 0);
	return KD_OK;
}

/* One stream from *ipp, which starts with "BZh"; *ipp moves past its padding. */
static enum kd_err one_stream(struct kd_job *job, const uint8_t **ipp, struct bz_block *blk, size_t *pos)
{
	const uint8_t *ip = *ipp, *iend = job->in + job->in_len;
	struct bz_bits bits = { ip + 4, ip, iend, 0, 0, 0 };
	uint32_t stream_crc = 0;
	enum kd_err err;

	KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "bzip2 stream header is cut off");
	KD_FAIL_IF(ip[3] < '1' || ip[3] > '9', job, KD_ERR_CORRUPT, "bzip2 block size is not 1-9");
	blk->max = (ip[3] - '0') * BZ_BLOCK_UNIT;
	if ((err = alloc_block(job, blk)))
		return err;
	for (;;) {
		uint64_t magic = get48(&bits);

		KD_FAIL_IF(bz_overrun(&bits), job, KD_ERR_TRUNCATED, "bzip2 stream ends without its end mark");
		if (magic == BZ_END_MAGIC)
			break;
		KD_FAIL_IF(magic != BZ_BLOCK_MAGIC, job, KD_ERR_CORRUPT, "bzip2 block magic is wrong");
		if ((err = one_block(job, &bits, blk, pos, &stream_crc)))
			return err;
		job->out_len = *pos;
	}
	uint32_t want = bz_get(&bits, 32);
	KD_FAIL_IF(bz_overrun(&bits), job, KD_ERR_TRUNCATED, "bzip2 stream CRC is cut off");
	KD_FAIL_IF(want != stream_crc, job, KD_ERR_CHECKSUM, "bzip2 stream CRC does not match");
	*ipp = ip + (bz_bit_pos(&bits) + 7) / 8;
	return KD_OK;
}

enum kd_err kd_bzip2_decode(struct kd_job *job)
{
	const uint8_t *ip = job->in, *iend = job->in + job->in_len;
	struct bz_block blk = { 0 };
	size_t pos = 0;

	job->in_used = 0;
	job->out_len = 0;
	for (bool first = true;; first = false) {
		if (iend - ip < 3 || kd_memcmp(ip, "BZh", 3) != 0) {
			KD_FAIL_IF(first, job, KD_ERR_MAGIC, "not a bzip2 stream (bad magic)");
			break;	/* trailing data: the caller judges it */
		}
		enum kd_err err = one_stream(job, &ip, &blk, &pos);

		job->out_len = pos;
		if (err)
			return err;
		job->in_used = ip - job->in;
	}
	return KD_OK;
}

/*
 * A block holds at most BZ_BLOCK_MAX bytes before its first run-length
 * stage is undone, and that stage turns each group of four equal bytes and
 * a count (0..255) into at most 4 + 255 bytes.
 */
#define BZ_RLE1_GROUP		5
#define BZ_RLE1_GROUP_OUT_MAX	(4 + 255)
#define BZ_BLOCK_OUT_MAX \
	((uint64_t)(BZ_BLOCK_MAX + BZ_RLE1_GROUP - 1) / BZ_RLE1_GROUP * BZ_RLE1_GROUP_OUT_MAX)
#define BZ_MAGIC_BITS		48
#define BZ_MAGIC_MASK		((1ull << BZ_MAGIC_BITS) - 1)

/*
 * How often the block magic appears in the input at any bit position: at
 * least the number of blocks (a chance match only loosens the bound).  A
 * magic starting at bit s (0 = the top bit) of byte j - 1 fills byte j with
 * its bits 8 - s .. 15 - s, so a byte table of those eight values finds the
 * few places worth comparing all 48 bits.
 */
static uint64_t count_block_magic(const uint8_t *in, size_t len)
{
	uint8_t shifts_at[256] = { 0 };	/* for each byte value: a bit per shift s it fits */
	uint64_t n = 0;

	for (unsigned s = 0; s < 8; s++)
		shifts_at[(BZ_BLOCK_MAGIC >> (BZ_MAGIC_BITS - 16 + s)) & 0xff] |= 1u << s;
	for (size_t j = 1; j < len; j++) {
		unsigned m = shifts_at[in[j]];

		if (KD_LIKELY(m == 0))
			continue;
		uint64_t w = 0;	/* bytes j-1 .. j+5 big-endian (56 bits), zero past the end */
		for (size_t k = j - 1; k < j + 6; k++)
			w = w << 8 | (k < len ? in[k] : 0);
		for (; m; m &= m - 1) {
			unsigned s = (unsigned)__builtin_ctz(m);

			n += ((w >> (8 - s)) & BZ_MAGIC_MASK) == BZ_BLOCK_MAGIC;
		}
	}
	return n;
}

KD_OUT_BOUND(bzip2)
{
	uint64_t blocks = count_block_magic(in, len);

	*exact = false;
	return blocks > KD_SIZE_UNKNOWN / BZ_BLOCK_OUT_MAX ? KD_SIZE_UNKNOWN : blocks * BZ_BLOCK_OUT_MAX;
}
