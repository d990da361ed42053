// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: each decoder against its reference library.
 *
 *   byte 0      the format (gzip, bzip2, lzma, xz, lzo, lz4, zstd)
 *   byte 1, 2   the compressor's level and options (below, per format)
 *   byte 3, 4   where to damage the compressed stream (LE16, modulo its length)
 *   byte 5      how: XOR with this byte; 0 leaves the stream intact
 *   the rest    the data, compressed by the reference library
 *
 * Intact, our decoder (buffers between guard pages, harness.c) must give
 * back exactly the data.  Damaged, it must agree with the library's own
 * decoder: where the library rejects the stream we reject it, where the
 * library accepts it we accept it and give the same bytes.  lzo has no
 * library decoder for lzop's container, so a damaged lzo stream is only
 * held to the decoder contract; neither is a .lzma stream whose lc + lp
 * exceeds 4 (a documented leniency: liblzma refuses what the format allows).
 *
 * Streams are made as pack makes them (tools/compress.c) for gzip, bzip2,
 * lzo and lz4 at the fuzzer's level; lzma, xz and zstd are made here with
 * small dictionaries (pack's 32-64 MiB ones would make each run allocate
 * hundreds of MiB) and the fuzzer's options: lc/lp/pb and presets for
 * lzma, the BCJ/delta filter and check type for xz, level and checksum
 * for zstd.
 */
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "harness.h"
#include "tools.h"

#define HEADER		6
#define SMALL_DICT	(1u << 20)
#define REF_SLACK	(64u << 10)	/* output room beyond the data: damaged streams may grow */
#define LZ4_LEGACY_MAGIC 0x184C2102u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum kd_format formats[] = {
	KD_FMT_GZIP, KD_FMT_BZIP2, KD_FMT_LZMA, KD_FMT_XZ, KD_FMT_LZO, KD_FMT_LZ4, KD_FMT_ZSTD,
};

/* lzma_alone_encoder or lzma_stream_encoder over the whole input, into out (cap bytes); its length, 0 on failure. */
static size_t lzma_encode(lzma_stream *s, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	s->next_in = in;
	s->avail_in = len;
	s->next_out = out;
	s->avail_out = cap;
	lzma_ret ret = lzma_code(s, LZMA_FINISH);
	size_t n = s->total_out;

	lzma_end(s);
	return ret == LZMA_STREAM_END ? n : 0;
}

/* .lzma: a preset (opt1 low 4 bits, % 10; bit 7 extreme), lc/lp/pb from opt2, a 1 MiB dictionary at most. */
static struct kd_file lzma_alone(const uint8_t *in, size_t len, uint8_t opt1, uint8_t opt2)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma o;
	struct kd_file f = { xmalloc(len + len / 2 + 4096), 0 };

	lzma_lzma_preset(&o, (opt1 & 15) % 10 | (opt1 & 0x80 ? LZMA_PRESET_EXTREME : 0));
	o.dict_size = o.dict_size < SMALL_DICT ? o.dict_size : SMALL_DICT;
	o.lc = opt2 % 5;
	o.lp = (opt2 >> 3) % (5 - o.lc);	/* liblzma's encoder wants lc + lp <= 4 */
	o.pb = (opt2 >> 6) % 5;
	if (lzma_alone_encoder(&s, &o) == LZMA_OK)
		f.len = lzma_encode(&s, in, len, f.data, len + len / 2 + 4096);
	return f;
}

/* .xz: LZMA2 (preset from opt1), behind the filter opt2 picks, with the check opt2 picks. */
static struct kd_file xz_stream(const uint8_t *in, size_t len, uint8_t opt1, uint8_t opt2)
{
	static const lzma_vli bcj[] = { LZMA_VLI_UNKNOWN, LZMA_FILTER_X86, LZMA_FILTER_POWERPC, LZMA_FILTER_IA64,
					LZMA_FILTER_ARM, LZMA_FILTER_ARMTHUMB, LZMA_FILTER_SPARC, LZMA_FILTER_DELTA };
	static const lzma_check checks[] = { LZMA_CHECK_NONE, LZMA_CHECK_CRC32, LZMA_CHECK_CRC64, LZMA_CHECK_SHA256 };
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma o;
	lzma_options_delta delta = { .type = LZMA_DELTA_TYPE_BYTE, .dist = 1 + (opt1 >> 4) };
	lzma_filter filters[3];
	unsigned n = 0;
	lzma_vli pre = bcj[opt2 % KD_ARRAY_SIZE(bcj)];
	struct kd_file f = { xmalloc(len + len / 2 + 4096), 0 };

	lzma_lzma_preset(&o, (opt1 & 15) % 10);
	o.dict_size = o.dict_size < SMALL_DICT ? o.dict_size : SMALL_DICT;
	if (pre != LZMA_VLI_UNKNOWN)
		filters[n++] = (lzma_filter){ pre, pre == LZMA_FILTER_DELTA ? &delta : NULL };
	filters[n++] = (lzma_filter){ LZMA_FILTER_LZMA2, &o };
	filters[n] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
	if (lzma_stream_encoder(&s, filters, checks[(opt2 >> 3) % KD_ARRAY_SIZE(checks)]) == LZMA_OK)
		f.len = lzma_encode(&s, in, len, f.data, len + len / 2 + 4096);
	return f;
}

/* zstd: a level from -5 to 19 (opt1), a content checksum if opt2 bit 0. */
static struct kd_file zstd_frame(const uint8_t *in, size_t len, uint8_t opt1, uint8_t opt2)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct kd_file f = { xmalloc(ZSTD_compressBound(len)), 0 };

	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, (int)(opt1 % 25) - 5);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, opt2 & 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 10 + (opt2 >> 1) % 11);
	f.len = ZSTD_compress2(c, f.data, ZSTD_compressBound(len), in, len);
	if (ZSTD_isError(f.len))
		f.len = 0;
	ZSTD_freeCCtx(c);
	return f;
}

static struct kd_file make_stream(enum kd_format fmt, const uint8_t *in, size_t len, uint8_t opt1, uint8_t opt2)
{
	switch (fmt) {
	case KD_FMT_LZMA: return lzma_alone(in, len, opt1, opt2);
	case KD_FMT_XZ:   return xz_stream(in, len, opt1, opt2);
	case KD_FMT_ZSTD: return zstd_frame(in, len, opt1, opt2);
	case KD_FMT_LZ4:  return compress_payload(fmt, in, len, 1 + opt1 % 12);
	default:          return compress_payload(fmt, in, len, 1 + opt1 % 9);
	}
}

/* The libraries' decoders: true and *out_len when the library accepts the stream's first member. */
static bool ref_gzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	z_stream z = { 0 };
	int ret;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		abort();
	z.next_in = (uint8_t *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	ret = inflate(&z, Z_FINISH);
	*out_len = z.total_out;
	inflateEnd(&z);
	return ret == Z_STREAM_END;
}

static bool ref_bzip2(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	bz_stream b = { 0 };
	int ret;

	if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
		abort();
	b.next_in = (char *)in;
	b.avail_in = (unsigned)len;
	b.next_out = (char *)out;
	b.avail_out = (unsigned)cap;
	do
		ret = BZ2_bzDecompress(&b);
	while (ret == BZ_OK && b.avail_in && b.avail_out);
	*out_len = cap - b.avail_out;
	BZ2_bzDecompressEnd(&b);
	return ret == BZ_STREAM_END;
}

/*
 * liblzma allocates the dictionary a damaged header names (up to 4 GiB),
 * where our decoder works in the output; beyond REF_MEMLIMIT the library
 * gives no verdict (-1).
 */
#define REF_MEMLIMIT (64u << 20)
static int ref_lzma(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len, bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret = xz ? lzma_stream_decoder(&s, REF_MEMLIMIT, 0) : lzma_alone_decoder(&s, REF_MEMLIMIT);

	if (ret != LZMA_OK)
		abort();
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	ret = lzma_code(&s, LZMA_FINISH);
	*out_len = s.total_out;
	lzma_end(&s);
	return ret == LZMA_MEMLIMIT_ERROR ? -1 : ret == LZMA_STREAM_END;
}

/*
 * The legacy lz4 frame as lib/decode/lz4.c documents it (no end marker:
 * blocks of LE32 size and data until the input ends, another legacy magic
 * restarts, exactly four bytes left at a block boundary are Linux's
 * appended size), each block by the library.
 */
static bool ref_lz4(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pos = 4;

	*out_len = 0;
	if (len < 4 || kd_get_le32(in) != LZ4_LEGACY_MAGIC)
		return false;
	while (len - pos >= 4) {
		uint32_t n = kd_get_le32(in + pos);

		if (n == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (len - pos == 4)
			break;
		pos += 4;
		if (n > len - pos)
			return false;
		int got = LZ4_decompress_safe((const char *)in + pos, (char *)out + *out_len, (int)n,
					      (int)(cap - *out_len));
		if (got < 0)
			return false;
		*out_len += (size_t)got;
		pos += n;
	}
	return true;
}

static bool ref_zstd(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = ZSTD_findFrameCompressedSize(in, len), got;

	if (ZSTD_isError(n))
		return false;
	got = ZSTD_decompress(out, cap, in, n);
	*out_len = ZSTD_isError(got) ? 0 : got;
	return !ZSTD_isError(got);
}

/*
 * .lzma properties with lc + lp > 4: valid LZMA, which we accept (as Linux
 * does; lib/decode/lzma/lzma.c) and liblzma refuses.
 */
#define LZMA_LCLP_LIBLZMA_MAX 4
static bool lzma_beyond_liblzma(const uint8_t *in, size_t len)
{
	return len > 0 && in[0] < 225 && in[0] % 9 + in[0] / 9 % 5 > LZMA_LCLP_LIBLZMA_MAX;
}

/* -1: no reference decoder for this stream; else whether the library accepts it. */
static int ref_decode(enum kd_format fmt, const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	if (fmt == KD_FMT_LZMA && lzma_beyond_liblzma(in, len))
		return -1;
	switch (fmt) {
	case KD_FMT_GZIP:  return ref_gzip(in, len, out, cap, out_len);
	case KD_FMT_BZIP2: return ref_bzip2(in, len, out, cap, out_len);
	case KD_FMT_LZMA:  return ref_lzma(in, len, out, cap, out_len, false);
	case KD_FMT_XZ:    return ref_lzma(in, len, out, cap, out_len, true);
	case KD_FMT_LZ4:   return ref_lz4(in, len, out, cap, out_len);
	case KD_FMT_ZSTD:  return ref_zstd(in, len, out, cap, out_len);
	default:           return -1;
	}
}

/* Say what differed, with the damaged stream, before the crash libFuzzer records. */
static __attribute__((noreturn)) void mismatch(enum kd_format fmt, const uint8_t *c, size_t clen, bool ours,
					      const struct fuzz_output *o, int ref, size_t theirs_len)
{
	fprintf(stderr, "fuzz_diff: %s: ours %s (%zu bytes%s%s), library %s (%zu bytes); stream of %zu bytes:",
		kd_format_name(fmt), ours ? "accepts" : "rejects", o->len, ours ? "" : ": ", ours ? "" : o->why,
		ref == 1 ? "accepts" : "rejects", theirs_len, clen);
	for (size_t i = 0; i < clen && i < 64; i++)
		fprintf(stderr, " %02x", c[i]);
	fputc('\n', stderr);
	abort();
}

/*
 * Where we are stricter than the library, on purpose or until fixed (fuzz/README.md):
 *   - libbz2 decodes with oversubscribed code lengths, which are no prefix
 *     code; we refuse them;
 *   - Debian's libzstd 1.5.4 accepts what zstd's own golden error files
 *     (../shared/testvectors/zstd/bad, SOURCES.md) say must fail; we follow
 *     the format, as the decoder's tests require.
 */
static bool known_stricter(enum kd_format fmt, const char *why)
{
	static const char *const zstd_golden_errors[] = {
		"zstd Huffman stream is not used up exactly",		/* truncated_huff_state.zst */
		"zstd match offset is zero",				/* off0.bin.zst */
		"zstd block has data after an empty sequences section",	/* zeroSeq_extraneous.zst */
	};

	if (fmt == KD_FMT_BZIP2)
		return strcmp(why, "bzip2 code lengths are oversubscribed") == 0;
	for (size_t i = 0; fmt == KD_FMT_ZSTD && i < KD_ARRAY_SIZE(zstd_golden_errors); i++)
		if (strcmp(why, zstd_golden_errors[i]) == 0)
			return true;
	return false;
}

static void compare_damaged(enum kd_format fmt, const uint8_t *c, size_t clen, size_t cap, enum guard_side side)
{
	struct fuzz_output ours = { xmalloc(cap), 0, NULL };
	uint8_t *theirs = xmalloc(cap);
	size_t theirs_len = 0;
	bool ok = fuzz_decode(fmt, c, clen, cap, side, &ours) == KD_OK;
	int ref = ref_decode(fmt, c, clen, theirs, cap, &theirs_len);

	if (ref == 1 && !ok && known_stricter(fmt, ours.why))
		ref = -1;
	if ((ref >= 0 && ok != (ref == 1)) ||
	    (ref == 1 && (ours.len != theirs_len || memcmp(ours.data, theirs, ours.len) != 0)))
		mismatch(fmt, c, clen, ok, &ours, ref, theirs_len);
	free(ours.data);
	free(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;

	enum kd_format fmt = formats[data[0] % KD_ARRAY_SIZE(formats)];
	const uint8_t *plain = data + HEADER;
	size_t len = size - HEADER, cap = len + REF_SLACK;
	struct kd_file c = make_stream(fmt, plain, len, data[1], data[2]);
	struct fuzz_output out = { xmalloc(cap), 0, NULL };

	if (c.len == 0)
		abort();	/* the library could not compress: a harness bug */
	if (fuzz_decode(fmt, c.data, c.len, len, guard_side_for(size), &out) != KD_OK || out.len != len ||
	    memcmp(out.data, plain, len) != 0)
		abort();
	if (data[5]) {
		c.data[kd_get_le16(data + 3) % c.len] ^= data[5];
		compare_damaged(fmt, c.data, c.len, cap, guard_side_for(size));
	}
	free(out.data);
	free(c.data);
	return 0;
}
