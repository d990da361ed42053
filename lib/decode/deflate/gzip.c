// SPDX-License-Identifier: MIT
/*
 * gzip (RFC 1952): members, each a header, a raw DEFLATE stream and a
 * trailer, one after another.
 *
 *   header   ID1 ID2 (1f 8b), CM (8 = deflate), FLG, MTIME (4), XFL, OS,
 *            then by FLG: FEXTRA (XLEN, 2 bytes LE, then XLEN bytes), FNAME
 *            and FCOMMENT (zero-terminated), FHCRC (the low 16 bits of the
 *            CRC-32 of the header bytes before it); FTEXT is only a hint
 *   trailer  CRC32 of the member's data, ISIZE = its length mod 2^32, LE
 *
 * Members are decoded while the next two bytes are the gzip magic.  Linux's
 * gzip payload has nothing after its one member, but anything after the
 * last member is left for the caller.  Matches may not reach into an
 * earlier member.
 */
#include "deflate.h"

#define GZIP_ID1	0x1f
#define GZIP_ID2	0x8b
#define GZIP_CM_DEFLATE	8
#define GZIP_FIXED_HEADER	10
#define GZIP_TRAILER	8

/* FLG bit 0, FTEXT, is only a hint that the data is text: nothing to check */
#define FLG_FHCRC	0x02
#define FLG_FEXTRA	0x04
#define FLG_FNAME	0x08
#define FLG_FCOMMENT	0x10
#define FLG_RESERVED	0xe0

static bool is_gzip_magic(const uint8_t *p, const uint8_t *end)
{
	return end - p >= 2 && p[0] == GZIP_ID1 && p[1] == GZIP_ID2;
}

/* Skip a zero-terminated string; NULL if the input ends first. */
static const uint8_t *skip_string(const uint8_t *p, const uint8_t *end)
{
	while (p < end)
		if (*p++ == 0)
			return p;
	return NULL;
}

/* Parse the header at *ipp (its magic already seen); *ipp ends after it. */
static enum kd_err gzip_header(struct kd_job *job, const uint8_t **ipp)
{
	const uint8_t *start = *ipp, *p = start, *end = job->in + job->in_len;
	unsigned flg;

	KD_FAIL_IF(end - p < GZIP_FIXED_HEADER, job, KD_ERR_TRUNCATED, "gzip header is cut off");
	KD_FAIL_IF(p[2] != GZIP_CM_DEFLATE, job, KD_ERR_UNSUPPORTED, "gzip compression method is not deflate");
	flg = p[3];
	KD_FAIL_IF(flg & FLG_RESERVED, job, KD_ERR_CORRUPT, "gzip header has reserved flag bits set");
	p += GZIP_FIXED_HEADER;
	if (flg & FLG_FEXTRA) {
		KD_FAIL_IF(end - p < 2, job, KD_ERR_TRUNCATED, "gzip extra field length is cut off");
		size_t xlen = kd_get_le16(p);

		p += 2;
		KD_FAIL_IF(xlen > (size_t)(end - p), job, KD_ERR_TRUNCATED, "gzip extra field is cut off");
		p += xlen;
	}
	if (flg & FLG_FNAME) {
		p = skip_string(p, end);
		KD_FAIL_IF(!p, job, KD_ERR_TRUNCATED, "gzip file name is cut off");
	}
	if (flg & FLG_FCOMMENT) {
		p = skip_string(p, end);
		KD_FAIL_IF(!p, job, KD_ERR_TRUNCATED, "gzip comment is cut off");
	}
	if (flg & FLG_FHCRC) {
		KD_FAIL_IF(end - p < 2, job, KD_ERR_TRUNCATED, "gzip header CRC is cut off");
		KD_FAIL_IF((kd_crc32(0, start, p - start) & 0xffff) != kd_get_le16(p), job, KD_ERR_CHECKSUM,
			   "gzip header CRC does not match");
		p += 2;
	}
	*ipp = p;
	return KD_OK;
}

static enum kd_err gzip_member(struct kd_job *job, struct deflate_tables *t, const uint8_t **ipp, uint8_t **opp)
{
	const uint8_t *end = job->in + job->in_len;
	uint8_t *member_out = *opp;
	uint32_t crc = 0;
	enum kd_err err;

	err = gzip_header(job, ipp);
	if (!err)
		err = deflate_stream(job, t, ipp, opp, &crc);
	job->out_len = *opp - job->out;
	if (err)
		return err;

	const uint8_t *p = *ipp;
	size_t size = *opp - member_out;

	KD_FAIL_IF(end - p < GZIP_TRAILER, job, KD_ERR_TRUNCATED, "gzip trailer is cut off");
	KD_FAIL_IF(crc != kd_get_le32(p), job, KD_ERR_CHECKSUM,
		   "gzip CRC32 does not match the data");
	KD_FAIL_IF((uint32_t)size != kd_get_le32(p + 4), job, KD_ERR_SIZE,
		   "gzip ISIZE does not match the data length");
	*ipp = p + GZIP_TRAILER;
	return KD_OK;
}

enum kd_err kd_gzip_decode(struct kd_job *job)
{
	const uint8_t *ip = job->in, *end = job->in + job->in_len;
	uint8_t *op = job->out;
	struct deflate_tables *t;

	job->in_used = 0;
	job->out_len = 0;
	KD_FAIL_IF(!is_gzip_magic(ip, end), job, KD_ERR_MAGIC, "not a gzip stream (bad magic)");
	t = job->heap ? kd_alloc(job->heap, sizeof(*t)) : NULL;
	KD_FAIL_IF(!t, job, KD_ERR_HEAP, "gzip needs kd_gzip_heap_size() bytes of heap for its tables");
	t->have_fixed = false;
	do {
		enum kd_err err = gzip_member(job, t, &ip, &op);

		if (err)
			return err;
		job->in_used = ip - job->in;
	} while (is_gzip_magic(ip, end));
	return KD_OK;
}

/*
 * The decode tables and code lengths (struct deflate_tables, about 12 KiB),
 * plus up to 63 bytes kd_alloc may skip to align them.
 */
size_t kd_gzip_heap_size(void)
{
	return sizeof(struct deflate_tables) + 63;
}

/*
 * ISIZE is only the last member's length mod 2^32: it bounds nothing once
 * members are chained or pass 4 GiB.  DEFLATE's own ratio does.  Every
 * symbol takes at least one bit, and the most output two symbols give is a
 * length of 258 (code 285, no extra bits) and its distance: 258 bytes for
 * two bits of input.
 */
#define DEFLATE_MAX_RATIO (258 * 8 / 2)

KD_OUT_BOUND(gzip)
{
	(void)in;
	*exact = false;
	return len > KD_SIZE_UNKNOWN / DEFLATE_MAX_RATIO ? KD_SIZE_UNKNOWN : (uint64_t)len * DEFLATE_MAX_RATIO;
}
