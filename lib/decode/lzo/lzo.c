// SPDX-License-Identifier: MIT
/*
 * lzo: the lzop container Linux packs its kernel in, around LZO1X blocks
 * (lzo_block.c).  All numbers are big-endian.
 *
 *   magic       89 4C 5A 4F 00 0D 0A 1A 0A ("\x89LZO\0\r\n\x1a\n")
 *   version:16  lib_version:16
 *   version_needed:16          only if version >= 0x0940
 *   method:8    (1, 2: LZO1X-1; 3: LZO1X-999)
 *   level:8                    only if version >= 0x0940
 *   flags:32
 *   filter:32                  only if flags & F_H_FILTER
 *   mode:32     mtime_low:32
 *   mtime_high:32              only if version >= 0x0940
 *   name_len:8  name
 *   check:32    of the header from version to the name: CRC-32 if
 *               flags & F_H_CRC32, else Adler-32
 *
 * Then blocks, each:
 *
 *   ulen:32     decompressed length; 0 ends the file
 *   clen:32     compressed length, at most ulen
 *   Adler-32, then CRC-32 of the decompressed data, if F_ADLER32_D, F_CRC32_D
 *   Adler-32, then CRC-32 of the compressed data, if F_ADLER32_C, F_CRC32_C
 *               and clen < ulen
 *   data        LZO1X if clen < ulen, else the bytes themselves
 *
 * Every check present is verified, the compressed ones before decoding
 * (in place, the input is gone once the output has passed it).  Files may
 * be concatenated; whatever follows the last end mark that is not another
 * file (Linux's 4-byte size) is left to the caller.  Filters, multi-part
 * files and extra header fields are refused: lzop writes none of them
 * unless asked to, and Linux does not apply them either.
 */
#include "adler32.h"
#include "lzo.h"

#define LZOP_MAGIC		"\x89LZO\0\r\n\x1a\n"
#define LZOP_MAGIC_LEN		9
#define LZOP_VERSION_FIELDS	0x0940	/* from here on: version_needed, level, mtime_high */
#define LZOP_BLOCK_MAX		(64u << 20)	/* the largest block lzop writes or reads */

#define F_ADLER32_D	0x00000001u
#define F_ADLER32_C	0x00000002u
#define F_H_EXTRA_FIELD	0x00000040u
#define F_CRC32_D	0x00000100u
#define F_CRC32_C	0x00000200u
#define F_MULTIPART	0x00000400u
#define F_H_FILTER	0x00000800u
#define F_H_CRC32	0x00001000u
/* defined flags, the character set (bits 20-23) and the operating system (bits 24-31) */
#define F_KNOWN		(0x00003fffu | 0x00f00000u | 0xff000000u)

#define M_LZO1X_1	1
#define M_LZO1X_1_15	2
#define M_LZO1X_999	3

/* A bounds-checked reader over the input. */
struct cursor {
	const uint8_t *p, *end;
	bool short_read;	/* a read past the end happened (and returned 0) */
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (KD_UNLIKELY(n > (size_t)(c->end - p))) {
		c->short_read = true;
		return NULL;
	}
	c->p += n;
	return p;
}

static uint32_t take8(struct cursor *c)
{
	const uint8_t *p = take(c, 1);

	return p ? *p : 0;
}

static uint32_t take16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);

	return p ? kd_get_be16(p) : 0;
}

static uint32_t take32(struct cursor *c)
{
	const uint8_t *p = take(c, 4);

	return p ? kd_get_be32(p) : 0;
}

/* The file header after the magic; the flags the blocks need. */
static enum kd_err read_header(struct kd_job *job, struct cursor *c, uint32_t *flags)
{
	const uint8_t *start = c->p;
	uint32_t version, method, filter = 0, check;

	version = take16(c);
	take16(c);			/* lib_version */
	if (version >= LZOP_VERSION_FIELDS)
		take16(c);		/* version_needed */
	method = take8(c);
	if (version >= LZOP_VERSION_FIELDS)
		take8(c);		/* level */
	*flags = take32(c);
	if (*flags & F_H_FILTER)
		filter = take32(c);
	take32(c);			/* mode */
	take32(c);			/* mtime_low */
	if (version >= LZOP_VERSION_FIELDS)
		take32(c);		/* mtime_high */
	take(c, take8(c));		/* name */
	size_t hlen = c->p - start;
	check = take32(c);
	KD_FAIL_IF(c->short_read, job, KD_ERR_TRUNCATED, "lzop header is cut off");
	KD_FAIL_IF(check != (*flags & F_H_CRC32 ? kd_crc32(0, start, hlen) : kd_adler32(1, start, hlen)),
		   job, KD_ERR_CHECKSUM, "lzop header checksum does not match");
	KD_FAIL_IF(version < 0x0900, job, KD_ERR_UNSUPPORTED, "lzop file version is older than 0.90");
	KD_FAIL_IF(method != M_LZO1X_1 && method != M_LZO1X_1_15 && method != M_LZO1X_999, job,
		   KD_ERR_UNSUPPORTED, "lzop method is not LZO1X");
	KD_FAIL_IF(*flags & ~F_KNOWN, job, KD_ERR_CORRUPT, "lzop header has unknown flags");
	KD_FAIL_IF(filter, job, KD_ERR_UNSUPPORTED, "lzop filters are not supported");
	KD_FAIL_IF(*flags & (F_MULTIPART | F_H_EXTRA_FIELD), job, KD_ERR_UNSUPPORTED,
		   "lzop multi-part files and extra header fields are not supported");
	return KD_OK;
}

/* The checks stored before a block's data, for one kind of data (uncompressed or compressed). */
struct checks {
	bool adler, crc;
	uint32_t adler_want, crc_want;
};

static void read_checks(struct cursor *c, struct checks *k, bool adler, bool crc)
{
	k->adler = adler;
	k->crc = crc;
	k->adler_want = adler ? take32(c) : 0;
	k->crc_want = crc ? take32(c) : 0;
}

static bool checks_match(const struct checks *k, const uint8_t *p, size_t len)
{
	return (!k->adler || kd_adler32(1, p, len) == k->adler_want) &&
	       (!k->crc || kd_crc32(0, p, len) == k->crc_want);
}

/* One block, its header included; at the end mark, *end is set instead. */
static enum kd_err one_block(struct kd_job *job, struct cursor *c, uint32_t flags, size_t *pos, bool *end)
{
	struct checks d, z;
	uint32_t ulen, clen;
	uint8_t *op = job->out + *pos;

	ulen = take32(c);
	KD_FAIL_IF(c->short_read, job, KD_ERR_TRUNCATED, "lzop file ends without its end mark");
	if (ulen == 0) {
		*end = true;
		return KD_OK;
	}
	KD_FAIL_IF(ulen > LZOP_BLOCK_MAX, job, KD_ERR_CORRUPT, "lzop block is larger than 64 MiB");
	clen = take32(c);
	read_checks(c, &d, flags & F_ADLER32_D, flags & F_CRC32_D);
	KD_FAIL_IF(!c->short_read && clen > ulen, job, KD_ERR_CORRUPT, "lzop block grows when compressed");
	read_checks(c, &z, clen < ulen && (flags & F_ADLER32_C), clen < ulen && (flags & F_CRC32_C));
	const uint8_t *data = take(c, clen);
	KD_FAIL_IF(c->short_read, job, KD_ERR_TRUNCATED, "lzop block is cut off");
	KD_FAIL_IF(!checks_match(&z, data, clen), job, KD_ERR_CHECKSUM,
		   "lzop checksum of compressed data does not match");
	KD_FAIL_IF(ulen > job->out_cap - *pos, job, KD_ERR_OUTPUT_FULL, "lzop block overflows the output");
	if (clen == ulen) {
		kd_memmove(op, data, ulen);	/* stored; may overlap in place */
	} else {
		size_t got;
		enum kd_err err = kd_lzo1x_block(job, data, clen, op, ulen, &got);

		job->out_len = *pos + got;
		if (err)
			return err;
		KD_FAIL_IF(got != ulen, job, KD_ERR_SIZE, "lzop block decodes to less than its length");
	}
	*pos += ulen;
	job->out_len = *pos;
	KD_FAIL_IF(!checks_match(&d, op, ulen), job, KD_ERR_CHECKSUM, "lzop checksum of decompressed data does not match");
	/* each block is compressed on its own: no match reaches into an earlier one */
	kd_drain(job, op + ulen, op + ulen, 0);
	return KD_OK;
}

static bool at_magic(const struct cursor *c)
{
	return c->end - c->p >= LZOP_MAGIC_LEN && kd_memcmp(c->p, LZOP_MAGIC, LZOP_MAGIC_LEN) == 0;
}

enum kd_err kd_lzo_decode(struct kd_job *job)
{
	struct cursor c = { job->in, job->in + job->in_len, false };
	size_t pos = 0;

	job->in_used = 0;
	job->out_len = 0;
	KD_FAIL_IF(!at_magic(&c), job, KD_ERR_MAGIC, "not an lzop file (bad magic)");
	do {
		uint32_t flags;
		enum kd_err err;
		bool end = false;

		c.p += LZOP_MAGIC_LEN;
		if ((err = read_header(job, &c, &flags)))
			return err;
		while (!end)
			if ((err = one_block(job, &c, flags, &pos, &end)))
				return err;
		job->in_used = c.p - job->in;
	} while (at_magic(&c));	/* anything else after the end mark is the caller's */
	return KD_OK;
}

size_t kd_lzo_heap_size(void)
{
	return 0;
}

/* The sum of the block headers' uncompressed lengths, through every chained lzop file. */
KD_OUT_BOUND(lzo)
{
	struct cursor c = { in, in + len, false };
	struct kd_job scratch = { 0 };	/* read_header reports through a job */
	uint64_t total = 0;

	*exact = false;
	if (!at_magic(&c))
		return KD_SIZE_UNKNOWN;
	do {
		uint32_t flags, ulen, clen;

		c.p += LZOP_MAGIC_LEN;
		if (read_header(&scratch, &c, &flags))
			return KD_SIZE_UNKNOWN;
		while ((ulen = take32(&c)) != 0) {
			struct checks k;

			clen = take32(&c);
			read_checks(&c, &k, flags & F_ADLER32_D, flags & F_CRC32_D);
			read_checks(&c, &k, clen < ulen && (flags & F_ADLER32_C), clen < ulen && (flags & F_CRC32_C));
			take(&c, clen);
			if (c.short_read)
				return KD_SIZE_UNKNOWN;
			total = kd_size_add(total, ulen);
		}
		if (c.short_read)
			return KD_SIZE_UNKNOWN;
	} while (at_magic(&c));
	*exact = true;
	return total;
}
