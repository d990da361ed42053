// SPDX-License-Identifier: MIT
/*
 * zstd (RFC 8878): frames, skippable frames and blocks; the entry point.
 *
 * Input is any number of frames: zstd frames (magic 0xFD2FB528) and
 * skippable frames (magic 0x184D2A50..5F, a 32-bit size, that many bytes of
 * user data).  Decoding stops at the first bytes that start neither, and
 * in_used ends there, so the 4-byte size Linux appends after its payload is
 * left to the caller.
 *
 * A zstd frame: the Frame_Header_Descriptor byte (3.1.1.1.1), an optional
 * Window_Descriptor, Dictionary_ID and Frame_Content_Size, blocks (each a
 * 3-byte header: bit 0 last block, bits 1-2 type, bits 3-23 size), then an
 * optional checksum: the low 32 bits of XXH64 (seed 0) of the frame's
 * output, hashed block by block while each block is still in the cache.
 * Frames needing a dictionary are refused.  Each frame's output
 * goes straight after the previous one's, and its matches may reach back
 * to the start of its own output, no further, and no further than its
 * Window_Size.  The content size and checksum are verified when present.
 *
 * Window_Size needs no buffer here (the whole output is at hand), so any
 * window is accepted; it bounds the offsets and, with 128 KiB,
 * Block_Maximum_Size, and both are checked.
 *
 * Strict where RFC 8878 is: the reserved frame header bit (refused as
 * unsupported), reserved block type, compressed blocks larger than
 * Block_Maximum_Size (libzstd 1.5.4 only caps them at 128 KiB), reserved
 * Compression_Modes bits,
 * Huffman trees with no weight-1 symbol, 4-stream literals of fewer than 6
 * bytes, data after an empty sequences section, bitstreams not used up
 * exactly, offsets of zero (the "repeat offset 1 minus one" of 1), offset
 * codes above 31.  Lenient where the format leaves room: FSE distributions
 * with a single symbol are decoded, unused bits of a table description's
 * last byte are ignored.
 *
 * Heap: one struct zstd_dec (three sequence tables of 512 cells, the
 * Huffman table, the 128 KiB literal buffer): 144 KiB; see
 * kd_zstd_heap_size().
 */
#include "x86.h"
#include "xxhash.h"
#include "zstd_internal.h"

#define ZSTD_MAGIC		0xFD2FB528u
#define ZSTD_SKIPPABLE_MAGIC	0x184D2A50u	/* low 4 bits free */
#define ZSTD_SKIPPABLE_MASK	0xFFFFFFF0u

/* Frame_Header_Descriptor bits */
#define FHD_FCS_SHIFT		6
#define FHD_SINGLE_SEGMENT	0x20
#define FHD_RESERVED		0x08
#define FHD_CHECKSUM		0x04
#define FHD_DICT_MASK		0x03

enum { BLOCK_RAW, BLOCK_RLE, BLOCK_COMPRESSED, BLOCK_RESERVED };

struct frame_header {
	uint64_t content_size;
	bool has_content_size;
	bool has_checksum;
	uint64_t window;	/* Window_Size: no offset reaches further back */
	size_t size;		/* bytes after the magic */
};

/* Little-endian field of 1, 2, 4 or 8 bytes. */
static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static enum kd_err read_header(struct kd_job *job, const uint8_t *p, size_t len, struct frame_header *h)
{
	static const uint8_t dict_sizes[4] = { 0, 1, 2, 4 };
	static const uint8_t fcs_sizes[4] = { 0, 2, 4, 8 };
	unsigned fhd, dict_size, fcs_size;
	bool single;
	size_t pos = 1;

	KD_FAIL_IF(len < 1, job, KD_ERR_TRUNCATED, "zstd frame header is cut off");
	fhd = p[0];
	single = fhd & FHD_SINGLE_SEGMENT;
	dict_size = dict_sizes[fhd & FHD_DICT_MASK];
	fcs_size = fcs_sizes[fhd >> FHD_FCS_SHIFT];
	if (fcs_size == 0 && single)
		fcs_size = 1;
	h->size = 1 + !single + dict_size + fcs_size;
	KD_FAIL_IF(len < h->size, job, KD_ERR_TRUNCATED, "zstd frame header is cut off");
	KD_FAIL_IF(fhd & FHD_RESERVED, job, KD_ERR_UNSUPPORTED, "zstd frame header has its reserved bit set");
	if (!single) {
		/* Window_Descriptor: exponent (bits 7-3) and mantissa (eighths, bits 2-0) */
		unsigned exponent = p[pos] >> 3, mantissa = p[pos] & 7;
		uint64_t base = (uint64_t)1 << (10 + exponent);

		h->window = base + (base >> 3) * mantissa;
		pos++;
	}
	KD_FAIL_IF(get_le(p + pos, dict_size) != 0, job, KD_ERR_DICTIONARY, "zstd frame needs a dictionary");
	pos += dict_size;
	h->has_content_size = fcs_size != 0;
	h->content_size = get_le(p + pos, fcs_size) + (fcs_size == 2 ? 256 : 0);
	if (single)
		h->window = h->content_size;
	h->has_checksum = fhd & FHD_CHECKSUM;
	return KD_OK;
}

static enum kd_err compressed_block(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
				    uint8_t **opp, uint8_t *limit, bool limit_is_block)
{
	size_t used;
	enum kd_err err = zstd_literals(job, d, src, len, &used);

	if (err)
		return err;
	err = zstd_sequences(job, d, src + used, len - used, opp, limit);
	if (err == KD_ERR_OUTPUT_FULL && limit_is_block)
		KD_FAIL(job, KD_ERR_CORRUPT, "zstd block decodes to more than Block_Maximum_Size");
	return err;
}

/*
 * Decode the frame's blocks.  The checksum, when there is one, is hashed a
 * block at a time, while the block's output is still in the cache.
 */
static enum kd_err frame_blocks(struct kd_job *job, struct zstd_dec *d, const uint8_t **ipp, uint8_t **opp,
				struct kd_xxh64 *hash)
{
	const uint8_t *ip = *ipp, *iend = job->in + job->in_len;
	uint8_t *out_end = job->out + job->out_cap;
	unsigned header;
	enum kd_err err = KD_OK;

	do {
		size_t size, room = (size_t)(out_end - *opp);
		bool limit_is_block = d->block_max < room;
		uint8_t *limit = limit_is_block ? *opp + d->block_max : out_end, *block_start = *opp;

		KD_FAIL_IF(iend - ip < 3, job, KD_ERR_TRUNCATED, "zstd block header is cut off");
		header = ip[0] | ip[1] << 8 | ip[2] << 16;
		ip += 3;
		size = header >> 3;
		switch ((header >> 1) & 3) {
		case BLOCK_RAW:
			KD_FAIL_IF(size > d->block_max, job, KD_ERR_CORRUPT, "zstd raw block is too large");
			KD_FAIL_IF(size > (size_t)(iend - ip), job, KD_ERR_TRUNCATED, "zstd raw block is cut off");
			KD_FAIL_IF(size > room, job, KD_ERR_OUTPUT_FULL, "zstd raw block overflows the output");
			/* in place, the output may catch up with the block it copies */
			kd_memmove(*opp, ip, size);
			*opp += size;
			ip += size;
			break;
		case BLOCK_RLE:
			KD_FAIL_IF(size > d->block_max, job, KD_ERR_CORRUPT, "zstd RLE block is too large");
			KD_FAIL_IF(ip >= iend, job, KD_ERR_TRUNCATED, "zstd RLE block is cut off");
			KD_FAIL_IF(size > room, job, KD_ERR_OUTPUT_FULL, "zstd RLE block overflows the output");
			kd_memset(*opp, *ip, size);
			*opp += size;
			ip++;
			break;
		case BLOCK_COMPRESSED:
			KD_FAIL_IF(size > d->block_max, job, KD_ERR_CORRUPT, "zstd compressed block is too large");
			KD_FAIL_IF(size > (size_t)(iend - ip), job, KD_ERR_TRUNCATED, "zstd compressed block is cut off");
			err = compressed_block(job, d, ip, size, opp, limit, limit_is_block);
			ip += size;
			break;
		default:
			KD_FAIL(job, KD_ERR_CORRUPT, "zstd block type is reserved");
		}
		job->out_len = (size_t)(*opp - job->out);
		if (err)
			return err;
		if (hash)
			kd_xxh64_update(hash, block_start, (size_t)(*opp - block_start));
		kd_drain(job, *opp, d->frame_start, (size_t)d->window);
	} while (!(header & 1));
	*ipp = ip;
	return KD_OK;
}

static enum kd_err zstd_frame(struct kd_job *job, struct zstd_dec *d, const uint8_t **ipp, uint8_t **opp)
{
	const uint8_t *ip = *ipp + 4, *iend = job->in + job->in_len;
	struct frame_header h;
	struct kd_xxh64 hash;
	enum kd_err err;

	err = read_header(job, ip, (size_t)(iend - ip), &h);
	if (err)
		return err;
	ip += h.size;
	d->window = h.window;
	d->block_max = d->window < ZSTD_BLOCK_MAX ? (size_t)d->window : ZSTD_BLOCK_MAX;
	d->frame_start = *opp;
	d->rep[0] = 1, d->rep[1] = 4, d->rep[2] = 8;
	d->have_huf = false;
	d->have_seq = false;

	kd_xxh64_init(&hash, 0);
	err = frame_blocks(job, d, &ip, opp, h.has_checksum ? &hash : NULL);
	if (err)
		return err;
	size_t produced = (size_t)(*opp - d->frame_start);
	KD_FAIL_IF(h.has_content_size && h.content_size != produced, job, KD_ERR_SIZE,
		   "zstd frame content size does not match the data");
	if (h.has_checksum) {
		KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "zstd content checksum is cut off");
		KD_FAIL_IF((uint32_t)kd_xxh64_digest(&hash) != kd_get_le32(ip), job, KD_ERR_CHECKSUM,
			   "zstd content checksum does not match");
		ip += 4;
	}
	*ipp = ip;
	return KD_OK;
}

static enum kd_err skippable_frame(struct kd_job *job, const uint8_t **ipp)
{
	const uint8_t *ip = *ipp + 4, *iend = job->in + job->in_len;
	uint32_t size;

	KD_FAIL_IF(iend - ip < 4, job, KD_ERR_TRUNCATED, "zstd skippable frame size is cut off");
	size = kd_get_le32(ip);
	ip += 4;
	KD_FAIL_IF(size > (size_t)(iend - ip), job, KD_ERR_TRUNCATED, "zstd skippable frame is cut off");
	*ipp = ip + size;
	return KD_OK;
}

/*
 * BMI2 (CPUID leaf 7, EBX bit 8): its shifts take the count in any
 * register and leave the flags alone, which frees RCX in the sequence
 * loop, whose bit reads are all variable shifts.  It needs no state
 * enabled, so the stub may use it as the host does.
 */
static bool cpu_has_bmi2(void)
{
#if defined(__x86_64__)
	uint32_t r[4];

	return x86_cpuid_ext_features(r) && (r[1] & X86_CPUID_7_EBX_BMI2);
#else
	return false;
#endif
}

enum kd_err kd_zstd_decode(struct kd_job *job)
{
	const uint8_t *ip = job->in, *iend = job->in + job->in_len;
	uint8_t *op = job->out;
	struct zstd_dec *d;
	bool first = true;

	job->in_used = 0;
	job->out_len = 0;
	d = kd_alloc(job->heap, sizeof(*d));
	KD_FAIL_IF(d == NULL, job, KD_ERR_HEAP, "zstd needs kd_zstd_heap_size() bytes of heap");
	d->bmi2 = cpu_has_bmi2();
	for (;;) {
		/* four bytes after a frame are Linux's appended size: no frame is that short */
		uint32_t magic = iend - ip >= 4 && (first || iend - ip > 4) ? kd_get_le32(ip) : 0;
		enum kd_err err;

		if (magic == ZSTD_MAGIC)
			err = zstd_frame(job, d, &ip, &op);
		else if ((magic & ZSTD_SKIPPABLE_MASK) == ZSTD_SKIPPABLE_MAGIC)
			err = skippable_frame(job, &ip);
		else if (first)
			KD_FAIL(job, KD_ERR_MAGIC, "not a zstd stream (bad magic)");
		else
			break;	/* trailing data: the caller judges it */
		job->out_len = (size_t)(op - job->out);
		if (err)
			return err;
		job->in_used = (size_t)(ip - job->in);
		first = false;
	}
	return KD_OK;
}

_Static_assert(sizeof(struct zstd_dec) + 64 <= (192u << 10), "the zstd heap must stay within 192 KiB");

size_t kd_zstd_heap_size(void)
{
	return sizeof(struct zstd_dec) + 64;	/* kd_alloc may align up by 63 bytes */
}

/*
 * One frame's size, walking its block headers to find where it ends: the
 * content size it records, or else each block's size (raw and RLE blocks
 * give theirs, a compressed block at most Block_Maximum_Size).
 */
static bool walk_frame(const uint8_t **ipp, const uint8_t *iend, uint64_t *size, bool *exact)
{
	const uint8_t *ip = *ipp + 4;
	struct kd_job scratch = { 0 };	/* read_header reports through a job */
	struct frame_header h;
	uint64_t blocks = 0;
	unsigned header;

	if (read_header(&scratch, ip, (size_t)(iend - ip), &h))
		return false;
	ip += h.size;
	do {
		if (iend - ip < 3)
			return false;
		header = ip[0] | ip[1] << 8 | ip[2] << 16;
		ip += 3;
		size_t bsize = header >> 3, csize = ((header >> 1) & 3) == BLOCK_RLE ? 1 : bsize;
		if (csize > (size_t)(iend - ip))
			return false;
		ip += csize;
		blocks = kd_size_add(blocks, ((header >> 1) & 3) == BLOCK_COMPRESSED ? ZSTD_BLOCK_MAX : bsize);
	} while (!(header & 1));
	ip += h.has_checksum ? 4 : 0;
	if (ip > iend)
		return false;
	*size = kd_size_add(*size, h.has_content_size ? h.content_size : blocks);
	*exact = *exact && h.has_content_size;
	*ipp = ip;
	return true;
}

KD_OUT_BOUND(zstd)
{
	const uint8_t *ip = in, *iend = in + len;
	uint64_t size = 0;
	bool all_recorded = true;

	*exact = false;
	for (;;) {
		/* as the decoder: four bytes after a frame are Linux's appended size */
		uint32_t magic = iend - ip >= 4 && (ip == in || iend - ip > 4) ? kd_get_le32(ip) : 0;

		if (magic == ZSTD_MAGIC) {
			if (!walk_frame(&ip, iend, &size, &all_recorded))
				return KD_SIZE_UNKNOWN;
		} else if ((magic & ZSTD_SKIPPABLE_MASK) == ZSTD_SKIPPABLE_MAGIC) {
			if (iend - ip < 8 || kd_get_le32(ip + 4) > (size_t)(iend - ip - 8))
				return KD_SIZE_UNKNOWN;
			ip += 8 + kd_get_le32(ip + 4);
		} else {
			break;
		}
	}
	*exact = all_recorded && ip != in;
	return ip == in ? KD_SIZE_UNKNOWN : size;
}
