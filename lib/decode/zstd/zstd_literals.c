// SPDX-License-Identifier: MIT
/*
 * zstd literals section (RFC 8878 3.1.1.3.1): a 1- to 5-byte header, then
 * raw bytes, one byte to repeat, or Huffman-coded streams.  The literals
 * are always regenerated into the decoder's literal buffer, so sequence
 * execution reads them from one place whatever their type (and never from
 * input that in-place decompression may already have overwritten).
 *
 * Header, little-endian, from bit 0: Literals_Block_Type (2 bits), then
 * Size_Format (bits 2-3), then the sizes:
 *
 *   raw, RLE:          Size_Format x0: 1 byte,  Regenerated_Size 5 bits
 *                      Size_Format 01: 2 bytes, Regenerated_Size 12 bits
 *                      Size_Format 11: 3 bytes, Regenerated_Size 20 bits
 *   Huffman, treeless: Size_Format 00: 3 bytes, 1 stream,  sizes 10 + 10 bits
 *                      Size_Format 01: 3 bytes, 4 streams, sizes 10 + 10 bits
 *                      Size_Format 10: 4 bytes, 4 streams, sizes 14 + 14 bits
 *                      Size_Format 11: 5 bytes, 4 streams, sizes 18 + 18 bits
 *
 * The Huffman Compressed_Size counts the tree description and jump table.
 */
#include "zstd_internal.h"

enum { LIT_RAW, LIT_RLE, LIT_HUFFMAN, LIT_TREELESS };

static enum kd_err raw_or_rle(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
			      size_t *used)
{
	unsigned type = src[0] & 3, format = (src[0] >> 2) & 3;
	size_t hsize, n;

	switch (format) {
	case 1:
		hsize = 2;
		break;
	case 3:
		hsize = 3;
		break;
	default:
		hsize = 1;
		break;
	}
	KD_FAIL_IF(len < hsize, job, KD_ERR_CORRUPT, "zstd literals header runs past the block");
	n = hsize == 1 ? src[0] >> 3 : hsize == 2 ? kd_get_le16(src) >> 4 : (kd_get_le16(src) | src[2] << 16) >> 4;
	KD_FAIL_IF(n > d->block_max, job, KD_ERR_CORRUPT, "zstd literals are larger than a block");
	if (type == LIT_RAW) {
		KD_FAIL_IF(n > len - hsize, job, KD_ERR_CORRUPT, "zstd raw literals run past the block");
		kd_memcpy(d->lit_buf, src + hsize, n);
		*used = hsize + n;
	} else {
		KD_FAIL_IF(len - hsize < 1, job, KD_ERR_CORRUPT, "zstd RLE literal byte is missing");
		kd_memset(d->lit_buf, src[hsize], n);
		*used = hsize + 1;
	}
	d->lit_len = n;
	return KD_OK;
}

static enum kd_err huffman(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
			   size_t *used)
{
	unsigned type = src[0] & 3, format = (src[0] >> 2) & 3;
	unsigned hsize = format < 2 ? 3 : format + 2, bits = format < 2 ? 10 : 4 * format + 6;
	uint64_t header = 0;
	size_t n, csize, tree = 0;
	enum kd_err err;

	KD_FAIL_IF(len < hsize, job, KD_ERR_CORRUPT, "zstd literals header runs past the block");
	for (unsigned i = 0; i < hsize; i++)
		header |= (uint64_t)src[i] << (8 * i);
	n = (size_t)(header >> 4) & ((1u << bits) - 1);
	csize = (size_t)(header >> (4 + bits)) & ((1u << bits) - 1);
	KD_FAIL_IF(n > d->block_max, job, KD_ERR_CORRUPT, "zstd literals are larger than a block");
	KD_FAIL_IF(csize > len - hsize, job, KD_ERR_CORRUPT, "zstd compressed literals run past the block");
	src += hsize;
	if (type == LIT_HUFFMAN) {
		err = zstd_huf_read_table(job, &d->huf, src, csize, &tree);
		if (err)
			return err;
		d->have_huf = true;
	} else {
		KD_FAIL_IF(!d->have_huf, job, KD_ERR_CORRUPT, "zstd treeless literals with no earlier Huffman table");
	}
	if (format == 0)
		err = zstd_huf_decode1(job, &d->huf, src + tree, csize - tree, d->lit_buf, n);
	else
		err = zstd_huf_decode4(job, &d->huf, src + tree, csize - tree, d->lit_buf, n);
	if (err)
		return err;
	d->lit_len = n;
	*used = hsize + csize;
	return KD_OK;
}

/* Decode the literals section at the start of a block into d->lit_buf; *used is its size. */
enum kd_err zstd_literals(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
			  size_t *used)
{
	KD_FAIL_IF(len < 1, job, KD_ERR_CORRUPT, "zstd compressed block is empty");
	d->lit = d->lit_buf;
	if ((src[0] & 3) <= LIT_RLE)
		return raw_or_rle(job, d, src, len, used);
	return huffman(job, d, src, len, used);
}
