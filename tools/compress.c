// SPDX-License-Identifier: MIT
/*
 * The compressors pack uses: the well-kept libraries, at the settings
 * Linux's build uses for its kernel payloads (scripts/Makefile.lib and
 * scripts/xz_wrap.sh name them; the numbers are facts, not code):
 *
 *   gzip   gzip -n -9                           (its ISIZE is the size trailer)
 *   bzip2  bzip2 -9                             + le32 size
 *   lzma   lzma -9                              + le32 size
 *   xz     xz --check=crc32 --x86 --lzma2=,dict=32MiB   + le32 size
 *   lzo    lzop -9                              + le32 size
 *   lz4    lz4 -l -12 (legacy frame)            + le32 size
 *   zstd   zstd -22 --ultra                     + le32 size
 */
#include <bzlib.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "tools.h"

static void grow(struct kd_file *f, size_t need)
{
	f->data = realloc(f->data, need);
	if (!f->data)
		die("out of memory (%zu bytes)", need);
}

static void put(struct kd_file *f, const void *p, size_t n)
{
	grow(f, f->len + n);
	memcpy(f->data + f->len, p, n);
	f->len += n;
}

static void put_be32(struct kd_file *f, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(f, b, 4);
}

static void put_be16(struct kd_file *f, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	put(f, b, 2);
}

static struct kd_file gzip_compress(const uint8_t *in, size_t len, int level)
{
	z_stream z = { 0 };
	struct kd_file out = { NULL, 0, false };

	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("pack: zlib: cannot start");
	grow(&out, deflateBound(&z, len) + 64);
	z.next_in = (uint8_t *)in;
	z.avail_in = len;
	z.next_out = out.data;
	z.avail_out = deflateBound(&z, len) + 64;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		die("pack: zlib: compression failed");
	out.len = z.total_out;
	deflateEnd(&z);
	return out;
}

static struct kd_file bzip2_compress(const uint8_t *in, size_t len, int level)
{
	struct kd_file out = { NULL, 0, false };
	unsigned cap = len + len / 100 + 600;

	grow(&out, cap);
	if (BZ2_bzBuffToBuffCompress((char *)out.data, &cap, (char *)in, len, level, 0, 0) != BZ_OK)
		die("pack: libbz2: compression failed");
	out.len = cap;
	return out;
}

static struct kd_file lzma_compress(const uint8_t *in, size_t len, int level, bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	struct kd_file out = { NULL, 0, false };
	size_t cap = len + len / 2 + 65536;
	lzma_ret ret;

	lzma_lzma_preset(&opt, level);
	if (xz) {
		opt.dict_size = 32u << 20;
		lzma_filter filters[] = {
			{ .id = LZMA_FILTER_X86, .options = NULL },
			{ .id = LZMA_FILTER_LZMA2, .options = &opt },
			{ .id = LZMA_VLI_UNKNOWN, .options = NULL },
		};
		ret = lzma_stream_encoder(&s, filters, LZMA_CHECK_CRC32);
	} else {
		ret = lzma_alone_encoder(&s, &opt);
	}
	if (ret != LZMA_OK)
		die("pack: liblzma: cannot start the encoder (%d)", ret);
	grow(&out, cap);
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out.data;
	s.avail_out = cap;
	if ((ret = lzma_code(&s, LZMA_FINISH)) != LZMA_STREAM_END)
		die("pack: liblzma: compression failed (%d)", ret);
	out.len = s.total_out;
	lzma_end(&s);
	return out;
}

/*
 * lzop's container around LZO1X-999 blocks of 256 KiB, as `lzop -9` writes
 * it: header version 0x1040, method 3 (LZO1X-999), level 9, Adler-32 of the
 * uncompressed data, a header checksum, and a zero length at the end.
 */
#define LZOP_BLOCK (256u << 10)
#define LZOP_F_ADLER32_D 0x00000001u

static struct kd_file lzo_compress(const uint8_t *in, size_t len, int level)
{
	static const uint8_t magic[9] = { 0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n' };
	struct kd_file out = { NULL, 0, false };
	uint8_t *wrk = xmalloc(LZO1X_999_MEM_COMPRESS), *buf = xmalloc(LZOP_BLOCK + LZOP_BLOCK / 16 + 64 + 3);
	size_t hdr_start;

	if (lzo_init() != LZO_E_OK)
		die("pack: liblzo2: cannot start");
	put(&out, magic, sizeof(magic));
	hdr_start = out.len;
	put_be16(&out, 0x1040);		/* version */
	put_be16(&out, 0x2080);		/* library version */
	put_be16(&out, 0x0940);		/* version needed to extract */
	put(&out, "\x03", 1);		/* method: LZO1X-999 */
	uint8_t lvl = (uint8_t)level;
	put(&out, &lvl, 1);
	put_be32(&out, LZOP_F_ADLER32_D);
	put_be32(&out, 0x81a4);		/* mode: a regular file, rw-r--r-- */
	put_be32(&out, 0);		/* mtime low */
	put_be32(&out, 0);		/* mtime high */
	put(&out, "\0", 1);		/* no name */
	put_be32(&out, (uint32_t)lzo_adler32(1, out.data + hdr_start, out.len - hdr_start));
	for (size_t pos = 0; pos < len; pos += (len - pos < LZOP_BLOCK ? len - pos : LZOP_BLOCK)) {
		size_t n = (len - pos < LZOP_BLOCK ? len - pos : LZOP_BLOCK);
		lzo_uint clen = 0;

		if (lzo1x_999_compress_level(in + pos, n, buf, &clen, wrk, NULL, 0, 0, level) != LZO_E_OK)
			die("pack: liblzo2: compression failed");
		put_be32(&out, (uint32_t)n);
		put_be32(&out, (uint32_t)(clen < n ? clen : n));
		put_be32(&out, (uint32_t)lzo_adler32(1, in + pos, n));
		if (clen < n)
			put(&out, buf, clen);
		else
			put(&out, in + pos, n);
	}
	put_be32(&out, 0);
	free(wrk);
	free(buf);
	return out;
}

static struct kd_file lz4_compress(const uint8_t *in, size_t len, int level)
{
	const size_t block = 8u << 20;
	struct kd_file out = { NULL, 0, false };
	uint8_t word[4];

	kd_put_le32(word, 0x184C2102);
	put(&out, word, 4);
	for (size_t pos = 0; pos < len; pos += block) {
		int n = (int)(len - pos < block ? len - pos : block);
		int bound = LZ4_compressBound(n);

		grow(&out, out.len + 4 + bound);
		int c = LZ4_compress_HC((const char *)in + pos, (char *)out.data + out.len + 4, n, bound, level);
		if (c <= 0)
			die("pack: liblz4: compression failed");
		kd_put_le32(out.data + out.len, (uint32_t)c);
		out.len += 4 + c;
	}
	return out;
}

static struct kd_file zstd_compress(const uint8_t *in, size_t len, int level)
{
	struct kd_file out = { NULL, 0, false };
	size_t cap = ZSTD_compressBound(len);
	ZSTD_CCtx *c = ZSTD_createCCtx();

	grow(&out, cap);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);
	out.len = ZSTD_compress2(c, out.data, cap, in, len);
	if (ZSTD_isError(out.len))
		die("pack: libzstd: %s", ZSTD_getErrorName(out.len));
	ZSTD_freeCCtx(c);
	return out;
}

int default_level(enum kd_format fmt)
{
	switch (fmt) {
	case KD_FMT_GZIP: case KD_FMT_BZIP2: case KD_FMT_LZMA: case KD_FMT_LZO: return 9;
	case KD_FMT_XZ:   return 6;
	case KD_FMT_LZ4:  return 9;	/* lz4 -l -9: Debian 6.1's cloud payload is byte for byte that */
	case KD_FMT_ZSTD: return 22;
	default:          return 0;
	}
}

struct kd_file compress_payload(enum kd_format fmt, const uint8_t *in, size_t len, int level)
{
	struct kd_file out;
	uint8_t size[4];

	switch (fmt) {
	case KD_FMT_GZIP:  return gzip_compress(in, len, level);	/* ISIZE ends it */
	case KD_FMT_BZIP2: out = bzip2_compress(in, len, level); break;
	case KD_FMT_LZMA:  out = lzma_compress(in, len, level, false); break;
	case KD_FMT_XZ:    out = lzma_compress(in, len, level, true); break;
	case KD_FMT_LZO:   out = lzo_compress(in, len, level); break;
	case KD_FMT_LZ4:   out = lz4_compress(in, len, level); break;
	case KD_FMT_ZSTD:  out = zstd_compress(in, len, level); break;
	default:           die("pack: unknown format");
	}
	kd_put_le32(size, (uint32_t)len);
	put(&out, size, 4);
	return out;
}
