// SPDX-License-Identifier: MIT
/*
 * gzip: ours against zlib (every level, every strategy) and libdeflate
 * (levels 1-12) on the corpus; hand-built headers with every optional field;
 * hand-built DEFLATE bitstreams for each way a stream can be malformed, each
 * expected to fail with its own reason; concatenated members and trailing
 * bytes; the real kernel payload at gzip -9, also decoded in place as the
 * boot stub does; truncation, bit flips, and short output buffers.
 */
#include <libdeflate.h>
#include <stdlib.h>
#include <zlib.h>

#include "kd.h"
#include "t.h"

/* zlib at `level` with `strategy`; windowBits 31 asks for the gzip wrapper (as gzip -N writes). */
static struct t_blob zlib_gzip(const uint8_t *in, size_t len, int level, int strategy, int window_bits)
{
	z_stream zs;
	struct t_blob out;

	memset(&zs, 0, sizeof(zs));
	CHECK(deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, strategy) == Z_OK);
	out.len = deflateBound(&zs, len) + 32;
	out.data = malloc(out.len);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out.data;
	zs.avail_out = (uInt)out.len;
	CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	out.len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static struct t_blob libdeflate_gzip(const uint8_t *in, size_t len, int level)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
	struct t_blob out;

	out.len = libdeflate_gzip_compress_bound(c, len);
	out.data = malloc(out.len);
	out.len = libdeflate_gzip_compress(c, in, len, out.data, out.len);
	CHECK(out.len != 0);
	libdeflate_free_compressor(c);
	return out;
}

struct result {
	enum kd_err err;
	size_t in_used, out_len;
	const char *why;
};

static struct result decode_to(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap)
{
	static uint8_t *heap_mem;
	struct kd_heap heap;
	struct result r;

	if (!heap_mem)
		heap_mem = malloc(kd_gzip_heap_size());
	kd_heap_init(&heap, heap_mem, kd_gzip_heap_size());
	struct kd_job job = { .in = in, .in_len = in_len, .out = out, .out_cap = cap, .heap = &heap };
	r.err = kd_gzip_decode(&job);
	r.in_used = job.in_used;
	r.out_len = job.out_len;
	r.why = job.why;
	CHECKF(job.out_len <= cap, "out_len %zu > cap %zu", job.out_len, cap);
	CHECKF(heap.peak <= kd_gzip_heap_size(), "heap peak %zu", heap.peak);
	if (r.err)
		CHECKF(r.why && *r.why, "error %d without a reason", r.err);
	return r;
}

static struct result decode(const struct t_blob *c, uint8_t *out, size_t cap)
{
	return decode_to(c->data, c->len, out, cap);
}

static void check_roundtrip(const char *what, const uint8_t *ref, size_t len, const struct t_blob *c)
{
	uint8_t *out = malloc(len + 1);
	struct result r = decode(c, out, len);

	CHECKF(r.err == KD_OK, "%s: error %d (%s)", what, r.err, r.why);
	CHECKF(r.in_used == c->len, "%s: in_used %zu of %zu", what, r.in_used, c->len);
	CHECKF(r.out_len == len && memcmp(out, ref, len) == 0, "%s: output differs (%zu vs %zu)", what,
	       r.out_len, len);
	free(out);
}

TEST(gzip_matches_zlib_levels)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (int level = 0; level <= 9; level++) {
			struct t_blob c = zlib_gzip(in.data, in.len, level, Z_DEFAULT_STRATEGY, 31);
			char what[64];

			snprintf(what, sizeof(what), "%s zlib level %d", name, level);
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(gzip_matches_zlib_strategies)
{
	static const int strategies[] = { Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED, Z_FILTERED };

	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (size_t s = 0; s < KD_ARRAY_SIZE(strategies); s++)
			for (int level = 1; level <= 9; level += 8) {
				/* small windows too: distances then stay below 2^window_bits */
				int wbits = level == 1 ? 16 + 9 : 31;
				struct t_blob c = zlib_gzip(in.data, in.len, level, strategies[s], wbits);
				char what[80];

				snprintf(what, sizeof(what), "%s zlib strategy %d level %d", name, strategies[s], level);
				check_roundtrip(what, in.data, in.len, &c);
				free(c.data);
			}
	}
}

TEST(gzip_matches_libdeflate_levels)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (int level = 1; level <= 12; level++) {
			struct t_blob c = libdeflate_gzip(in.data, in.len, level);
			char what[64];

			snprintf(what, sizeof(what), "%s libdeflate level %d", name, level);
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

/*
 * Outputs under FASTLOOP_MAX_BYTES_WRITTEN never enter the fast loop, so
 * these go through the generic loop from start to end.
 */
TEST(gzip_short_outputs_generic_loop)
{
	struct t_blob text = t_corpus(4, NULL), periods = t_corpus(6, NULL);

	for (size_t len = 1; len < 700; len += 3) {
		for (int k = 0; k < 4; k++) {
			const uint8_t *src = (k & 1 ? periods.data : text.data) + len * 7;
			int strategy = k < 2 ? Z_DEFAULT_STRATEGY : Z_FIXED;
			struct t_blob c = zlib_gzip(src, len, 9, strategy, 31);
			char what[64];

			snprintf(what, sizeof(what), "%zu bytes, variant %d", len, k);
			check_roundtrip(what, src, len, &c);
			free(c.data);
		}
	}
}

/* A gzip member around a raw DEFLATE stream: `header` then `raw`, then CRC32 and ISIZE of `data`. */
static struct t_blob wrap_member(const uint8_t *header, size_t hlen, const struct t_blob *raw,
				 const uint8_t *data, size_t len)
{
	struct t_blob m = { malloc(hlen + raw->len + 8), hlen + raw->len + 8 };

	memcpy(m.data, header, hlen);
	memcpy(m.data + hlen, raw->data, raw->len);
	kd_put_le32(m.data + hlen + raw->len, (uint32_t)crc32(0, data, (uInt)len));
	kd_put_le32(m.data + hlen + raw->len + 4, (uint32_t)len);
	return m;
}

static const uint8_t plain_header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

TEST(gzip_header_optional_fields)
{
	struct t_blob in = t_corpus(4, NULL);	/* text */
	size_t len = 5000;
	struct t_blob raw = zlib_gzip(in.data, len, 6, Z_DEFAULT_STRATEGY, -15);
	uint8_t out[5000];

	for (unsigned flags = 0; flags < 32; flags++) {
		uint8_t h[64];
		size_t n = 0;

		memcpy(h, plain_header, 10);
		h[3] = (uint8_t)flags;
		n = 10;
		if (flags & 0x04) {	/* FEXTRA: one subfield 'K','D' of 5 bytes */
			static const uint8_t extra[] = { 9, 0, 'K', 'D', 5, 0, 1, 2, 3, 4, 5 };
			memcpy(h + n, extra, sizeof(extra));
			n += sizeof(extra);
		}
		if (flags & 0x08) {
			memcpy(h + n, "vmlinux.bin", 12);
			n += 12;
		}
		if (flags & 0x10) {
			memcpy(h + n, "a comment", 10);
			n += 10;
		}
		if (flags & 0x02) {
			kd_put_le32(h + n, (uint32_t)crc32(0, h, (uInt)n));
			n += 2;
		}
		struct t_blob m = wrap_member(h, n, &raw, in.data, len);
		char what[32];
		snprintf(what, sizeof(what), "header flags 0x%02x", flags);
		check_roundtrip(what, in.data, len, &m);

		for (size_t cut = 0; cut < n; cut++) {	/* cut inside the header */
			struct result r = decode_to(m.data, cut, out, len);
			CHECKF(r.err == (cut < 2 ? KD_ERR_MAGIC : KD_ERR_TRUNCATED), "%s cut at %zu: %d", what, cut,
			       r.err);
		}
		if (flags & 0x02) {
			m.data[n - 1] ^= 0x40;
			CHECK_EQ(decode(&m, out, len).err, KD_ERR_CHECKSUM);
		}
		free(m.data);
	}

	uint8_t h[10];
	memcpy(h, plain_header, 10);
	h[3] = 0x20;
	struct t_blob m = wrap_member(h, 10, &raw, in.data, len);
	CHECK_EQ(decode(&m, out, len).err, KD_ERR_CORRUPT);
	m.data[3] = 0;
	m.data[2] = 7;
	CHECK_EQ(decode(&m, out, len).err, KD_ERR_UNSUPPORTED);
	m.data[1] = 0x8c;
	CHECK_EQ(decode(&m, out, len).err, KD_ERR_MAGIC);
	free(m.data);
	free(raw.data);
}

TEST(gzip_concatenated_members_and_trailer)
{
	struct t_blob a = t_corpus(4, NULL), b = t_corpus(6, NULL), e = t_corpus(0, NULL);
	struct t_blob ca = zlib_gzip(a.data, a.len, 9, Z_DEFAULT_STRATEGY, 31);
	struct t_blob cb = libdeflate_gzip(b.data, b.len, 6);
	struct t_blob ce = zlib_gzip(e.data, 0, 6, Z_DEFAULT_STRATEGY, 31);
	size_t total = a.len + b.len, clen = ca.len + ce.len + cb.len;
	uint8_t *cat = malloc(clen + 4), *ref = malloc(total), *out = malloc(total);

	memcpy(cat, ca.data, ca.len);
	memcpy(cat + ca.len, ce.data, ce.len);
	memcpy(cat + ca.len + ce.len, cb.data, cb.len);
	memcpy(ref, a.data, a.len);
	memcpy(ref + a.len, b.data, b.len);

	/* trailers that are not a gzip magic stay with the caller */
	static const uint8_t trailers[][4] = { { 0x12, 0x34, 0x56, 0x78 }, { 0x1f, 0x00, 0, 0 }, { 0, 0, 0, 0 } };
	for (size_t k = 0; k <= KD_ARRAY_SIZE(trailers); k++) {
		size_t n = k < KD_ARRAY_SIZE(trailers) ? 4 : 0;
		if (n)
			memcpy(cat + clen, trailers[k], 4);
		struct result r = decode_to(cat, clen + n, out, total);
		CHECKF(r.err == KD_OK, "trailer %zu: %d (%s)", k, r.err, r.why);
		CHECK_EQ(r.in_used, clen);
		CHECK_EQ(r.out_len, total);
		CHECK(memcmp(out, ref, total) == 0);
	}
	/* a second magic with a broken member behind it is an error, not a trailer */
	memcpy(cat + clen, "\x1f\x8b\x08\x00", 4);
	CHECK_EQ(decode_to(cat, clen + 4, out, total).err, KD_ERR_TRUNCATED);
	free(ca.data), free(cb.data), free(ce.data), free(cat), free(ref), free(out);
}

/* Hand-built DEFLATE bitstreams: bits go in least significant first, Huffman codes most significant first. */
struct bitwriter {
	uint8_t data[512];
	size_t len;
	unsigned nbits;
};

static void put_bits(struct bitwriter *w, unsigned value, unsigned n)
{
	for (unsigned i = 0; i < n; i++, w->nbits++) {
		if (w->nbits % 8 == 0)
			w->data[w->len++] = 0;
		w->data[w->len - 1] |= ((value >> i) & 1) << (w->nbits % 8);
	}
}

static void put_code(struct bitwriter *w, unsigned code, unsigned len)
{
	while (len--)
		put_bits(w, (code >> len) & 1, 1);
}

/* A symbol of the fixed literal/length code (RFC 1951 3.2.6). */
static void put_fixed_litlen(struct bitwriter *w, unsigned sym)
{
	if (sym < 144)
		put_code(w, 0x30 + sym, 8);
	else if (sym < 256)
		put_code(w, 0x190 + sym - 144, 9);
	else if (sym < 280)
		put_code(w, sym - 256, 7);
	else
		put_code(w, 0xc0 + sym - 280, 8);
}

/* Decode a hand-built raw stream in a gzip member (with a trailer of zeros). */
static struct result decode_raw(const struct bitwriter *w)
{
	uint8_t in[600], out[1024];

	memcpy(in, plain_header, 10);
	memcpy(in + 10, w->data, w->len);
	memset(in + 10 + w->len, 0, 8);
	return decode_to(in, 10 + w->len + 8, out, sizeof(out));
}

static void expect_corrupt(const struct bitwriter *w, const char *what, const char *why_has)
{
	struct result r = decode_raw(w);

	CHECKF(r.err == KD_ERR_CORRUPT, "%s: error %d (%s)", what, r.err, r.why);
	CHECKF(r.why && strstr(r.why, why_has), "%s: reason \"%s\" lacks \"%s\"", what, r.why, why_has);
}

/* A dynamic block header with the given counts and 3-bit precode lengths. */
static void put_dynamic_header(struct bitwriter *w, unsigned nlitlen, unsigned ndist,
			       const uint8_t *precode_lens, unsigned nprecode)
{
	put_bits(w, 1, 1);
	put_bits(w, 2, 2);
	put_bits(w, nlitlen - 257, 5);
	put_bits(w, ndist - 1, 5);
	put_bits(w, nprecode - 4, 4);
	for (unsigned i = 0; i < nprecode; i++)
		put_bits(w, precode_lens[i], 3);
}

TEST(gzip_malformed_deflate_reasons)
{
	struct bitwriter w;
	/* precode lengths in send order (16,17,18,0,8,...): 16,17,18,0,8 get 2,3,3,2,2 bits (complete) */
	static const uint8_t precode_ok[5] = { 2, 3, 3, 2, 2 };
	static const uint8_t precode_over[5] = { 1, 1, 1, 0, 0 };
	static const uint8_t precode_short[5] = { 2, 2, 2, 0, 0 };

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 3, 2), put_bits(&w, 0, 16);
	expect_corrupt(&w, "block type 3", "type 3");

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 0, 2), put_bits(&w, 0, 5);
	put_bits(&w, 5, 16), put_bits(&w, 0xfffb, 16);
	expect_corrupt(&w, "stored NLEN", "NLEN");

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 'a');
	put_fixed_litlen(&w, 286);
	expect_corrupt(&w, "litlen 286", "286 or 287");

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 'a');
	put_fixed_litlen(&w, 287);
	expect_corrupt(&w, "litlen 287", "286 or 287");

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 'a');
	put_fixed_litlen(&w, 257);	/* length 3 */
	put_code(&w, 30, 5);
	expect_corrupt(&w, "distance 30", "30 or 31");

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 'a');
	put_fixed_litlen(&w, 257);
	put_code(&w, 1, 5);	/* distance 2, one byte out */
	expect_corrupt(&w, "distance too far", "before the start");

	/* a match may not reach into the member before: each member is its own stream */
	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1), put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 257);
	put_code(&w, 0, 5);
	expect_corrupt(&w, "distance 1 at the start", "before the start");

	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 287, 1, precode_ok, 5);
	expect_corrupt(&w, "HLIT 287", "more than 286");

	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 31, precode_ok, 5);
	expect_corrupt(&w, "HDIST 31", "more than 30");

	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_over, 5);
	expect_corrupt(&w, "precode oversubscribed", "code length code is oversubscribed");

	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_short, 5);
	expect_corrupt(&w, "precode incomplete", "code length code is incomplete");

	/* precode_ok codes: 0 -> 00, 8 -> 01, 16 -> 10, 17 -> 110, 18 -> 111 */
	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_ok, 5);
	put_code(&w, 2, 2), put_bits(&w, 0, 2);
	expect_corrupt(&w, "repeat first", "no previous length");

	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_ok, 5);
	for (int i = 0; i < 2; i++)
		put_code(&w, 7, 3), put_bits(&w, 127, 7);	/* 2 x 138 zeros */
	put_code(&w, 7, 3), put_bits(&w, 0, 7);		/* 11 more: past 258 */
	expect_corrupt(&w, "run too long", "past HLIT + HDIST");

	/* every length 8: 258 codes of 8 bits oversubscribe the literal/length code */
	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_ok, 5);
	for (int i = 0; i < 258; i++)
		put_code(&w, 1, 2);
	expect_corrupt(&w, "litlen oversubscribed", "literal/length code is oversubscribed");

	/* 256 literals of 8 bits but the end-of-block code missing */
	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_ok, 5);
	for (int i = 0; i < 256; i++)
		put_code(&w, 1, 2);
	put_code(&w, 0, 2), put_code(&w, 0, 2);
	expect_corrupt(&w, "no end of block", "no end-of-block");

	/* literals 0..254 and end-of-block at 8 bits (complete), then three distance codes */
	static const uint8_t precode_with_1[18] = { 3, 0, 3, 2, 2, [17] = 2 };	/* 0,1,8: 2 bits; 16,18: 3 */
	for (int dist_len = 1; dist_len <= 2; dist_len++) {
		memset(&w, 0, sizeof(w));
		put_dynamic_header(&w, 257, 3, precode_with_1, 18);
		for (int i = 0; i < 255; i++)
			put_code(&w, 2, 2);			/* 8 */
		put_code(&w, 0, 2), put_code(&w, 2, 2);	/* 255: none; end-of-block: 8 */
		for (int i = 0; i < 3; i++)
			put_code(&w, dist_len == 1 ? 1 : 2, 2);	/* three codes of 1 bit, or of 8 */
		put_bits(&w, 0, 16);
		if (dist_len == 1)
			expect_corrupt(&w, "distance oversubscribed", "distance code is oversubscribed");
		else
			expect_corrupt(&w, "distance incomplete", "distance code is incomplete");
	}

	/* only literal 0 and end-of-block, each 8 bits: incomplete */
	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_ok, 5);
	put_code(&w, 1, 2);
	put_code(&w, 7, 3), put_bits(&w, 127, 7);	/* 138 zeros */
	put_code(&w, 7, 3), put_bits(&w, 106, 7);	/* 117 zeros: symbols 1..255 */
	put_code(&w, 1, 2);				/* end-of-block: 8 */
	put_code(&w, 0, 2);				/* distance code empty */
	expect_corrupt(&w, "litlen incomplete", "literal/length code is incomplete");
}

/*
 * A dynamic block whose literal/length code is one 1-bit codeword (end of
 * block) and whose distance code is empty: valid, as zlib accepts it; but
 * the unused codeword is an error.
 */
TEST(gzip_single_code_blocks)
{
	static const uint8_t precode_ok[5] = { 2, 3, 3, 2, 2 };
	uint8_t precode_one[19] = { 0 };
	struct bitwriter w;
	struct result r;

	/* precode with code lengths 0 and 1 only, each 1 bit: send order has 0 at index 3, 1 at index 17 */
	precode_one[3] = 1;
	precode_one[17] = 1;
	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 257, 1, precode_one, 18);
	for (int i = 0; i < 256; i++)
		put_code(&w, 0, 1);	/* lengths 0 */
	put_code(&w, 1, 1);		/* end-of-block: 1 bit */
	put_code(&w, 0, 1);		/* no distance codes */
	put_code(&w, 0, 1);		/* the block: end-of-block */
	uint8_t in[600], out[16];
	memcpy(in, plain_header, 10);
	memcpy(in + 10, w.data, w.len);
	kd_put_le32(in + 10 + w.len, 0);
	kd_put_le32(in + 14 + w.len, 0);
	r = decode_to(in, 18 + w.len, out, sizeof(out));
	CHECKF(r.err == KD_OK, "single-code block: %d (%s)", r.err, r.why);
	CHECK_EQ(r.out_len, 0);

	in[10 + w.len - 1] ^= (uint8_t)(1 << ((w.nbits - 1) % 8));	/* the unused codeword */
	r = decode_to(in, 18 + w.len, out, sizeof(out));
	CHECKF(r.err == KD_ERR_CORRUPT && strstr(r.why, "incomplete code"), "unused codeword: %d (%s)", r.err,
	       r.why);

	/* a literal, then a length, with no distance codes */
	memset(&w, 0, sizeof(w));
	put_dynamic_header(&w, 258, 1, precode_ok, 5);
	for (int i = 0; i < 254; i++)
		put_code(&w, 1, 2);			/* literals 0..253: 8 bits */
	put_code(&w, 0, 2), put_code(&w, 0, 2);	/* literals 254, 255: none */
	put_code(&w, 1, 2), put_code(&w, 1, 2);	/* end-of-block, 257: 8 bits (a complete code) */
	put_code(&w, 0, 2);				/* no distance codes */
	put_code(&w, 0, 8);				/* literal 0 */
	put_code(&w, 0xff, 8);				/* symbol 257: the last codeword */
	put_bits(&w, 0, 8);
	expect_corrupt(&w, "match without distance codes", "no distance codes");
}

TEST(gzip_corrupt_truncated_and_checks)
{
	struct t_blob in = t_corpus(4, NULL);
	size_t len = 20000;
	struct t_blob c = zlib_gzip(in.data, len, 9, Z_DEFAULT_STRATEGY, 31);
	uint8_t *out = malloc(len);
	uint64_t s = 1;

	for (size_t cut = 0; cut < c.len; cut += 1 + cut / 16) {
		struct result r = decode_to(c.data, cut, out, len);
		CHECKF(r.err != KD_OK, "truncated at %zu but decoded", cut);
		CHECKF(r.err == KD_ERR_TRUNCATED || cut < 2, "truncated at %zu: error %d (%s)", cut, r.err, r.why);
	}
	for (int i = 0; i < 5000; i++) {
		uint8_t *d = malloc(c.len);
		memcpy(d, c.data, c.len);
		for (int k = 0; k <= i % 3; k++) {
			size_t bit = t_rand(&s) % (c.len * 8);
			d[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		}
		decode_to(d, c.len, out, len);
		free(d);
	}
	CHECK_EQ(decode(&c, out, len - 1).err, KD_ERR_OUTPUT_FULL);
	c.data[c.len - 8] ^= 1;
	CHECK_EQ(decode(&c, out, len).err, KD_ERR_CHECKSUM);
	c.data[c.len - 8] ^= 1;
	c.data[c.len - 4] ^= 1;
	CHECK_EQ(decode(&c, out, len).err, KD_ERR_SIZE);
	c.data[c.len - 4] ^= 1;

	/* stored blocks: one byte short of output, cut mid-block */
	struct t_blob st = zlib_gzip(in.data, len, 0, Z_DEFAULT_STRATEGY, 31);
	CHECK_EQ(decode(&st, out, len - 1).err, KD_ERR_OUTPUT_FULL);
	CHECK_EQ(decode_to(st.data, st.len / 2, out, len).err, KD_ERR_TRUNCATED);

	struct kd_heap tiny;
	uint8_t mem[64];
	kd_heap_init(&tiny, mem, sizeof(mem));
	struct kd_job job = { .in = c.data, .in_len = c.len, .out = out, .out_cap = len, .heap = &tiny };
	CHECK_EQ(kd_gzip_decode(&job), KD_ERR_HEAP);
	free(st.data);
	free(c.data);
	free(out);
}

/*
 * The boot stub's layout: one buffer, the compressed stream at its end, the
 * output growing from its start toward it, with out_len/256 + 128 KiB of
 * margin (as Linux's gzip in-place margin allows).
 */
static void check_in_place(const char *what, const uint8_t *ref, size_t len, const struct t_blob *c)
{
	size_t total = len + len / 256 + (128 << 10);
	uint8_t *buf;
	struct result r;

	if (total < c->len)
		total = c->len;
	buf = malloc(total);
	memcpy(buf + total - c->len, c->data, c->len);
	r = decode_to(buf + total - c->len, c->len, buf, len);
	CHECKF(r.err == KD_OK, "%s in place: error %d (%s)", what, r.err, r.why);
	CHECKF(r.out_len == len && memcmp(buf, ref, len) == 0, "%s in place: output differs", what);
	free(buf);
}

TEST(gzip_in_place)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);
		struct t_blob c = zlib_gzip(in.data, in.len, 9, Z_DEFAULT_STRATEGY, 31);

		check_in_place(name, in.data, in.len, &c);
		free(c.data);
	}
}

TEST(gzip_real_kernel_payload)
{
	struct t_blob *vm = t_kernel_payload();
	if (!vm)
		return;
	struct t_blob c = zlib_gzip(vm->data, vm->len, 9, Z_DEFAULT_STRATEGY, 31);

	check_roundtrip("kernel payload gzip -9", vm->data, vm->len, &c);
	check_in_place("kernel payload gzip -9", vm->data, vm->len, &c);

	/* four bytes after the member (as other formats' payloads carry) stay with the caller */
	uint8_t *with_tail = malloc(c.len + 4), *out = malloc(vm->len);
	memcpy(with_tail, c.data, c.len);
	kd_put_le32(with_tail + c.len, (uint32_t)vm->len);
	struct result r = decode_to(with_tail, c.len + 4, out, vm->len);
	CHECKF(r.err == KD_OK, "kernel with trailer: %d (%s)", r.err, r.why);
	CHECK_EQ(r.in_used, c.len);
	CHECK(r.out_len == vm->len && memcmp(out, vm->data, vm->len) == 0);
	free(with_tail);
	free(out);
	free(c.data);
}

/* kd_crc32 (tables for short buffers, carry-less folding for long ones) against zlib's crc32. */
TEST(gzip_crc32_matches_zlib)
{
	struct t_blob r = t_corpus(3, NULL);	/* random */

	for (size_t len = 0; len < 5000; len += 1 + len / 40)
		for (size_t off = 0; off < 4; off++) {
			uint32_t init = (uint32_t)(len * 2654435761u);
			CHECKF(kd_crc32(init, r.data + off, len) == (uint32_t)crc32(init, r.data + off, (uInt)len),
			       "crc32 of %zu bytes at offset %zu", len, off);
		}
	CHECK_EQ(kd_crc32(0, r.data, r.len), crc32(0, r.data, (uInt)r.len));
}
