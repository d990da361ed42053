// SPDX-License-Identifier: MIT
/*
 * A raw DEFLATE stream (RFC 1951 3.2.3): a sequence of blocks, each opening
 * with three bits, BFINAL and BTYPE (00 stored, 01 fixed Huffman codes, 10
 * dynamic Huffman codes, 11 reserved).  This file reads the block headers,
 * copies stored blocks, and decodes the code lengths that open a dynamic
 * block; the coded data itself is deflate_decode.c's.
 */
#include "deflate.h"

enum block_type { BTYPE_STORED, BTYPE_FIXED, BTYPE_DYNAMIC, BTYPE_RESERVED };

/*
 * The input byte the reader stands at, once it is on a byte boundary: whole
 * bytes still in the bit buffer are given back.  NULL if some of those were
 * zero bytes fed past the end of the input, i.e. the stream is truncated.
 */
static const uint8_t *bits_byte_position(const struct deflate_bits *br)
{
	size_t unread = br->left / 8;

	if (unread < br->overread)
		return NULL;
	return br->in - (unread - br->overread);
}

/*
 * A stored block: after the header bits, skip to a byte boundary; then LEN
 * (2 bytes, little-endian), NLEN (its ones' complement) and LEN raw bytes.
 */
static enum kd_err stored_block(struct kd_job *job, struct deflate_bits *br, uint8_t **opp)
{
	const uint8_t *p, *end = br->end;
	uint8_t *out_end = job->out + job->out_cap;
	unsigned len;

	bits_take(br, br->left & 7);
	p = bits_byte_position(br);
	KD_FAIL_IF(!p || end - p < 4, job, KD_ERR_TRUNCATED, "deflate stored block header is cut off");
	len = kd_get_le16(p);
	KD_FAIL_IF((len ^ kd_get_le16(p + 2)) != 0xffff, job, KD_ERR_CORRUPT,
		   "deflate stored block LEN does not match NLEN");
	p += 4;
	KD_FAIL_IF(len > (size_t)(end - p), job, KD_ERR_TRUNCATED, "deflate stored block runs past the input");
	KD_FAIL_IF(len > (size_t)(out_end - *opp), job, KD_ERR_OUTPUT_FULL,
		   "deflate stored block overflows the output");
	/* memmove: in place, the output grows toward the input that is still unread */
	kd_memmove(*opp, p, len);
	*opp += len;
	br->in = p + len;
	br->buf = 0;
	br->left = 0;
	br->overread = 0;
	return KD_OK;
}

/* The order the precode's code lengths are sent in (RFC 1951 3.2.7). */
static const uint8_t precode_order[DEFLATE_NUM_PRECODE_SYMS] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

/*
 * The literal/length and distance code lengths, as one run of HLIT + HDIST
 * values coded with the precode: 0..15 is a length; 16 repeats the previous
 * length 3..6 times (2 extra bits); 17 and 18 are runs of 3..10 (3 bits) and
 * 11..138 (7 bits) zeros.  Runs may cross from one code into the other.
 */
static enum kd_err read_code_lengths(struct kd_job *job, struct deflate_tables *t, struct deflate_bits *reader,
				     unsigned total)
{
	/* a local copy: the byte stores into t->lens could otherwise alias the reader */
	struct deflate_bits local = *reader, *br = &local;

	for (unsigned i = 0; i < total;) {
		unsigned rep, value = 0;
		uint32_t e;

		/* a precode symbol (7 bits) and its extra bits (7) fit in one refill */
		bits_refill(br);
		e = t->precode[br->buf & ((1u << PRECODE_TABLE_BITS) - 1)];
		bits_take(br, entry_bits(e));
		switch (entry_value(e)) {
		case 16:
			rep = 3 + bits_take(br, 2);
			break;
		case 17:
			rep = 3 + bits_take(br, 3);
			break;
		case 18:
			rep = 11 + bits_take(br, 7);
			break;
		default:
			t->lens[i++] = (uint8_t)entry_value(e);
			continue;
		}
		KD_FAIL_IF(bits_overrun(br), job, KD_ERR_TRUNCATED, "deflate code lengths are cut off");
		if (entry_value(e) == 16) {
			KD_FAIL_IF(i == 0, job, KD_ERR_CORRUPT, "deflate code length repeat has no previous length");
			value = t->lens[i - 1];
		}
		KD_FAIL_IF(rep > total - i, job, KD_ERR_CORRUPT, "deflate code length run goes past HLIT + HDIST");
		kd_memset(t->lens + i, (int)value, rep);
		i += rep;
	}
	KD_FAIL_IF(bits_overrun(br), job, KD_ERR_TRUNCATED, "deflate code lengths are cut off");
	*reader = local;
	return KD_OK;
}

/*
 * A dynamic block's header: HLIT (5 bits, literal/length codes - 257),
 * HDIST (5 bits, distance codes - 1), HCLEN (4 bits, precode lengths - 4),
 * HCLEN + 4 precode lengths of 3 bits, then the code lengths.
 */
static enum kd_err dynamic_header(struct kd_job *job, struct deflate_tables *t, struct deflate_bits *br)
{
	unsigned nlitlen, ndist, nprecode;
	enum kd_err err;

	bits_refill(br);
	nlitlen = bits_take(br, 5) + 257;
	ndist = bits_take(br, 5) + 1;
	nprecode = bits_take(br, 4) + 4;
	KD_FAIL_IF(bits_overrun(br), job, KD_ERR_TRUNCATED, "deflate dynamic block header is cut off");
	KD_FAIL_IF(nlitlen > DEFLATE_MAX_LITLEN_CODES, job, KD_ERR_CORRUPT,
		   "deflate dynamic block declares more than 286 literal/length codes");
	KD_FAIL_IF(ndist > DEFLATE_MAX_DIST_CODES, job, KD_ERR_CORRUPT,
		   "deflate dynamic block declares more than 30 distance codes");

	kd_memset(t->lens, 0, DEFLATE_NUM_PRECODE_SYMS);
	for (unsigned i = 0; i < nprecode; i++) {
		bits_refill(br);
		t->lens[precode_order[i]] = (uint8_t)bits_take(br, 3);
	}
	KD_FAIL_IF(bits_overrun(br), job, KD_ERR_TRUNCATED, "deflate dynamic block header is cut off");
	err = deflate_build_precode(job, t);
	if (!err)
		err = read_code_lengths(job, t, br, nlitlen + ndist);
	if (!err)
		err = deflate_build_litlen_dist(job, t, nlitlen, ndist);
	return err;
}

enum kd_err deflate_stream(struct kd_job *job, struct deflate_tables *t, const uint8_t **ipp, uint8_t **opp,
			   uint32_t *crc)
{
	struct deflate_bits br = { .in = *ipp, .end = job->in + job->in_len };
	const uint8_t *out_start = *opp, *end_pos;
	unsigned final;
	enum kd_err err;

	do {
		uint8_t *block_out = *opp;

		bits_refill(&br);
		final = bits_take(&br, 1);
		enum block_type type = (enum block_type)bits_take(&br, 2);

		KD_FAIL_IF(bits_overrun(&br), job, KD_ERR_TRUNCATED, "deflate stream ends before its final block");
		switch (type) {
		case BTYPE_STORED:
			err = stored_block(job, &br, opp);
			break;
		case BTYPE_FIXED:
			deflate_build_fixed(job, t);
			err = deflate_huffman_block(job, t, &br, opp, out_start);
			break;
		case BTYPE_DYNAMIC:
			err = dynamic_header(job, t, &br);
			if (!err)
				err = deflate_huffman_block(job, t, &br, opp, out_start);
			break;
		default:
			KD_FAIL(job, KD_ERR_CORRUPT, "deflate block type 3 is reserved");
		}
		if (err)
			return err;
		*crc = kd_crc32(*crc, block_out, *opp - block_out);
		kd_drain(job, *opp, out_start, DEFLATE_WINDOW);
	} while (!final);

	/* the last block ends mid-byte; its remaining bits are padding */
	end_pos = bits_byte_position(&br);
	KD_FAIL_IF(!end_pos, job, KD_ERR_TRUNCATED, "deflate final block is cut off");
	*ipp = end_pos;
	return KD_OK;
}
