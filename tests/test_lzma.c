// SPDX-License-Identifier: MIT
/*
 * .lzma: ours against liblzma on the corpus at several presets and lc/lp/pb
 * settings; known and unknown sizes, with and without the end marker; the
 * xz project's .lzma test files; Linux's 4-byte trailer; in-place decoding;
 * truncated and corrupted inputs; the real kernel payload.
 */
#include <lzma.h>
#include <stdlib.h>

#include "kd.h"
#include "t.h"

static uint8_t heap_mem[64 << 10];

/* .lzma as `lzma` writes it: unknown size, end marker. */
static struct t_blob alone_compress(const uint8_t *in, size_t len, const lzma_options_lzma *opt)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap = len + len / 2 + 4096;
	struct t_blob out = { malloc(cap), 0 };

	CHECK(lzma_alone_encoder(&strm, opt) == LZMA_OK);
	strm.next_in = in;
	strm.avail_in = len;
	strm.next_out = out.data;
	strm.avail_out = cap;
	CHECK(lzma_code(&strm, LZMA_FINISH) == LZMA_STREAM_END);
	out.len = cap - strm.avail_out;
	lzma_end(&strm);
	return out;
}

/* .lzma with the size in the header and no end marker (raw LZMA1 behind a hand-made header). */
static struct t_blob known_size_compress(const uint8_t *in, size_t len, const lzma_options_lzma *opt)
{
	lzma_options_lzma o = *opt;
	lzma_filter f[2] = { { LZMA_FILTER_LZMA1EXT, &o }, { LZMA_VLI_UNKNOWN, NULL } };
	size_t cap = len + len / 2 + 4096, pos = 13;
	struct t_blob out = { malloc(cap), 0 };

	o.ext_flags = 0;
	out.data[0] = (uint8_t)((o.pb * 5 + o.lp) * 9 + o.lc);
	kd_put_le32(out.data + 1, o.dict_size);
	kd_put_le64(out.data + 5, len);
	CHECK(lzma_raw_buffer_encode(f, NULL, in, len, out.data, &pos, cap) == LZMA_OK);
	out.len = pos;
	return out;
}

static enum kd_err decode(const struct t_blob *c, uint8_t *out, size_t cap, struct kd_job *job)
{
	struct kd_heap heap;

	kd_heap_init(&heap, heap_mem, sizeof(heap_mem));
	*job = (struct kd_job){ .in = c->data, .in_len = c->len, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_lzma_decode(job);
	CHECKF(job->out_len <= cap, "out_len %zu > cap %zu", job->out_len, cap);
	CHECKF(heap.peak <= kd_lzma_heap_size(), "heap %zu", heap.peak);
	return err;
}

/* Decode with liblzma's .lzma decoder (the reference for what a file holds). */
static lzma_ret ref_decode(const struct t_blob *c, uint8_t *out, size_t cap, size_t *out_len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_ret ret = lzma_alone_decoder(&strm, UINT64_MAX);

	if (ret != LZMA_OK)
		return ret;
	strm.next_in = c->data;
	strm.avail_in = c->len;
	strm.next_out = out;
	strm.avail_out = cap;
	ret = lzma_code(&strm, LZMA_FINISH);
	*out_len = cap - strm.avail_out;
	lzma_end(&strm);
	return ret;
}

static void check_roundtrip(const char *what, const uint8_t *ref, size_t len, const struct t_blob *c)
{
	uint8_t *out = malloc(len + 1);
	struct kd_job job;
	enum kd_err err = decode(c, out, len, &job);

	CHECKF(err == KD_OK, "%s: error %d (%s)", what, err, err ? job.why : "");
	CHECKF(job.out_len == len && memcmp(out, ref, len) == 0, "%s: output differs (%zu vs %zu)", what,
	       job.out_len, len);
	CHECKF(err || job.in_used == c->len, "%s: in_used %zu of %zu", what, job.in_used, c->len);
	free(out);
}

static lzma_options_lzma preset(uint32_t level)
{
	lzma_options_lzma opt;

	CHECK(!lzma_lzma_preset(&opt, level));
	if (opt.dict_size > (1u << 22))
		opt.dict_size = 1u << 22;	/* the corpus is small: keep the encoder's memory down */
	return opt;
}

TEST(lzma_matches_liblzma_presets)
{
	static const uint32_t levels[] = { 0, 1, 3, 6, 9, 0 | LZMA_PRESET_EXTREME, 9 | LZMA_PRESET_EXTREME };

	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (size_t l = 0; l < KD_ARRAY_SIZE(levels); l++) {
			lzma_options_lzma opt = preset(levels[l]);
			struct t_blob c = alone_compress(in.data, in.len, &opt);
			char what[96];

			snprintf(what, sizeof(what), "%s preset %u%s", name, levels[l] & 15,
				 levels[l] & LZMA_PRESET_EXTREME ? "e" : "");
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(lzma_lc_lp_pb_variants)
{
	static const uint8_t variants[][3] = {
		{ 0, 0, 0 }, { 4, 0, 0 }, { 0, 4, 4 }, { 1, 3, 1 }, { 2, 2, 3 }, { 3, 1, 4 }, { 3, 0, 2 },
	};

	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (size_t v = 0; v < KD_ARRAY_SIZE(variants); v++) {
			lzma_options_lzma opt = preset(v & 1 ? 2 : 6);
			char what[96];

			opt.lc = variants[v][0];
			opt.lp = variants[v][1];
			opt.pb = variants[v][2];
			struct t_blob c = alone_compress(in.data, in.len, &opt);
			snprintf(what, sizeof(what), "%s lc%u lp%u pb%u", name, opt.lc, opt.lp, opt.pb);
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(lzma_known_size_with_and_without_marker)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);
		lzma_options_lzma opt = preset(6);
		char what[96];

		struct t_blob c = known_size_compress(in.data, in.len, &opt);
		snprintf(what, sizeof(what), "%s known size, no marker", name);
		check_roundtrip(what, in.data, in.len, &c);
		free(c.data);

		/* an end marker after the known size: patch the size into a normal .lzma */
		c = alone_compress(in.data, in.len, &opt);
		kd_put_le64(c.data + 5, in.len);
		snprintf(what, sizeof(what), "%s known size, with marker", name);
		check_roundtrip(what, in.data, in.len, &c);

		/* the same with the size one too big or too small must fail */
		uint8_t *out = malloc(in.len + 2);
		struct kd_job job;
		kd_put_le64(c.data + 5, in.len + 1);
		CHECKF(decode(&c, out, in.len + 1, &job) != KD_OK, "%s: size too big accepted", name);
		if (in.len) {
			kd_put_le64(c.data + 5, in.len - 1);
			CHECKF(decode(&c, out, in.len + 1, &job) != KD_OK, "%s: size too small accepted", name);
		}
		free(out);
		free(c.data);
	}
}

/* The xz project's .lzma files: good-* decode to what liblzma gives, bad-* fail. */
TEST(lzma_xz_test_files)
{
	static const char *const good[] = {
		"good-known_size-with_eopm.lzma", "good-known_size-without_eopm.lzma", "good-unknown_size-with_eopm.lzma",
	};
	static const char *const bad[] = {
		"bad-too_big_size-with_eopm.lzma", "bad-too_small_size-without_eopm-1.lzma",
		"bad-too_small_size-without_eopm-2.lzma", "bad-too_small_size-without_eopm-3.lzma",
		"bad-unknown_size-without_eopm.lzma",
	};
	char path[256];

	for (size_t i = 0; i < KD_ARRAY_SIZE(good) + KD_ARRAY_SIZE(bad); i++) {
		bool is_good = i < KD_ARRAY_SIZE(good);
		const char *name = is_good ? good[i] : bad[i - KD_ARRAY_SIZE(good)];
		snprintf(path, sizeof(path), "../shared/testvectors/xz/%s", name);
		struct t_blob c = t_read_file(path);
		if (!c.data) {
			t_fail(__FILE__, __LINE__, "cannot read %s", path);
			continue;
		}
		size_t cap = 1 << 20, ref_len = 0;
		uint8_t *ref = malloc(cap), *out = malloc(cap);
		lzma_ret rr = ref_decode(&c, ref, cap, &ref_len);
		struct kd_job job;
		enum kd_err err = decode(&c, out, cap, &job);

		if (is_good) {
			CHECKF(rr == LZMA_STREAM_END, "%s: liblzma says %d", name, rr);
			CHECKF(err == KD_OK, "%s: error %d (%s)", name, err, job.why);
			CHECKF(job.out_len == ref_len && !memcmp(out, ref, ref_len), "%s: output differs", name);
			CHECKF(job.in_used == c.len, "%s: in_used %zu of %zu", name, job.in_used, c.len);
		} else {
			CHECKF(err != KD_OK, "%s: accepted", name);
		}
		free(ref), free(out), free(c.data);
	}
}

TEST(lzma_kernel_trailer_and_in_place)
{
	struct t_blob in = t_corpus(4, NULL);	/* text */
	lzma_options_lzma opt = preset(9);
	struct t_blob c = alone_compress(in.data, in.len, &opt);
	struct t_blob t = { malloc(c.len + 4), c.len + 4 };
	uint8_t *out = malloc(in.len);
	struct kd_job job;

	memcpy(t.data, c.data, c.len);
	kd_put_le32(t.data + c.len, (uint32_t)in.len);	/* Linux's size trailer */
	CHECK_EQ(decode(&t, out, in.len, &job), KD_OK);
	CHECK_EQ(job.in_used, c.len);
	CHECK_EQ(job.out_len, in.len);
	CHECK(!memcmp(out, in.data, in.len));

	/* in place, as the boot stub does it: input at the end of the buffer the output grows into */
	for (size_t k = 0; k < 3; k++) {
		struct t_blob src = t_corpus(k == 0 ? 4 : k == 1 ? 3 : 6, NULL);	/* text, random, periods */
		struct t_blob cc = alone_compress(src.data, src.len, &opt);
		size_t size = src.len + src.len / 256 + 131072;
		uint8_t *buf = malloc(size);
		struct kd_heap heap;

		CHECK(cc.len + 4 <= size);
		memcpy(buf + size - cc.len - 4, cc.data, cc.len);
		kd_put_le32(buf + size - 4, (uint32_t)src.len);
		kd_heap_init(&heap, heap_mem, sizeof(heap_mem));
		job = (struct kd_job){ .in = buf + size - cc.len - 4, .in_len = cc.len + 4, .out = buf, .out_cap = src.len,
				       .heap = &heap };
		CHECK_EQ(kd_lzma_decode(&job), KD_OK);
		CHECK_EQ(job.out_len, src.len);
		CHECK(!memcmp(buf, src.data, src.len));
		free(buf), free(cc.data);
	}
	free(c.data), free(t.data), free(out);
}

/* Corruptions end in an error or in some output, never in a crash, hang or overrun (run under ASan). */
TEST(lzma_corrupt_and_truncated)
{
	struct t_blob in = t_corpus(4, NULL);
	lzma_options_lzma opt = preset(6);
	size_t n = 40000;
	struct t_blob c = alone_compress(in.data, n, &opt), k = known_size_compress(in.data, n, &opt);
	uint8_t *out = malloc(n);
	struct kd_job job;
	uint64_t s = 7;

	for (size_t cut = 0; cut < c.len; cut += 1 + cut / 16) {
		struct t_blob t = { c.data, cut };
		CHECKF(decode(&t, out, n, &job) != KD_OK, "unknown size truncated at %zu accepted", cut);
		t.data = k.data;
		if (cut < k.len)
			CHECKF(decode(&t, out, n, &job) != KD_OK, "known size truncated at %zu accepted", cut);
	}
	for (int i = 0; i < 2000; i++) {
		struct t_blob d = { malloc(c.len), c.len };
		memcpy(d.data, i & 1 ? k.data : c.data, i & 1 ? k.len : c.len);
		d.len = i & 1 ? k.len : c.len;
		d.data[13 + t_rand(&s) % (d.len - 13)] ^= (uint8_t)(1 << (t_rand(&s) % 8));
		decode(&d, out, n, &job);
		free(d.data);
	}
	CHECK_EQ(decode(&c, out, n - 1, &job), KD_ERR_OUTPUT_FULL);
	CHECK_EQ(decode(&k, out, n - 1, &job), KD_ERR_OUTPUT_FULL);
	struct t_blob bad = { (uint8_t *)"\xe1\x00\x00\x80\x00", 5 };
	CHECK_EQ(decode(&bad, out, n, &job), KD_ERR_MAGIC);
	free(c.data), free(k.data), free(out);
}

/*
 * A literal-only LZMA encoder, for lc + lp above 4: .lzma allows lc up to 8
 * and lp up to 4, liblzma's encoder refuses lc + lp > 4.  State stays 0, so
 * each byte is an is_match 0 bit and eight literal bits.
 */
struct renc {
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	size_t cache_size;
	uint8_t *out;
	size_t n;
};

static void renc_shift(struct renc *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32)) {
		uint8_t carry = (uint8_t)(e->low >> 32), b = e->cache;

		do {
			e->out[e->n++] = (uint8_t)(b + carry);
			b = 0xff;
		} while (--e->cache_size);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00ffffff) << 8;
}

static void renc_bit(struct renc *e, uint16_t *p, unsigned bit)
{
	uint32_t bound = (e->range >> 11) * *p;

	if (!bit) {
		e->range = bound;
		*p += (2048 - *p) >> 5;
	} else {
		e->low += bound;
		e->range -= bound;
		*p -= *p >> 5;
	}
	while (e->range < (1u << 24)) {
		e->range <<= 8;
		renc_shift(e);
	}
}

static struct t_blob literal_only_compress(const uint8_t *in, size_t len, unsigned lc, unsigned lp, unsigned pb)
{
	uint16_t is_match[16], *lit = malloc((0x300u << (lc + lp)) * sizeof(uint16_t));
	struct renc e = { 0, 0xffffffffu, 0, 1, malloc(13 + len * 2 + 16), 13 };

	for (size_t i = 0; i < 16; i++)
		is_match[i] = 1024;
	for (size_t i = 0; i < (0x300u << (lc + lp)); i++)
		lit[i] = 1024;
	e.out[0] = (uint8_t)((pb * 5 + lp) * 9 + lc);
	kd_put_le32(e.out + 1, 1u << 20);
	kd_put_le64(e.out + 5, len);
	for (size_t i = 0; i < len; i++) {
		unsigned prev = i ? in[i - 1] : 0, sym = 1;
		uint16_t *probs = lit + 0x300 * (((i & ((1u << lp) - 1)) << lc) + (prev >> (8 - lc)));

		renc_bit(&e, &is_match[i & ((1u << pb) - 1)], 0);
		for (int b = 7; b >= 0; b--) {
			unsigned bit = (in[i] >> b) & 1;
			renc_bit(&e, &probs[sym], bit);
			sym = sym << 1 | bit;
		}
	}
	for (int i = 0; i < 5; i++)
		renc_shift(&e);
	free(lit);
	return (struct t_blob){ e.out, e.n };
}

/* lc + lp above 4: decoded with the worst-case heap; refused cleanly with too little. */
TEST(lzma_large_lc_lp)
{
	static const uint8_t variants[][3] = { { 8, 4, 4 }, { 8, 0, 0 }, { 5, 2, 1 }, { 3, 0, 2 } };
	struct t_blob in = t_corpus(7 < t_corpus_count() ? 7 : 4, NULL);
	size_t n = in.len < 100000 ? in.len : 100000;
	uint8_t *out = malloc(n), *big = malloc(kd_lzma_heap_size());

	for (size_t v = 0; v < KD_ARRAY_SIZE(variants); v++) {
		unsigned lc = variants[v][0], lp = variants[v][1], pb = variants[v][2];
		struct t_blob c = literal_only_compress(in.data, n, lc, lp, pb);
		struct kd_heap heap;
		struct kd_job job;

		kd_heap_init(&heap, big, kd_lzma_heap_size());
		job = (struct kd_job){ .in = c.data, .in_len = c.len, .out = out, .out_cap = n, .heap = &heap };
		CHECKF(kd_lzma_decode(&job) == KD_OK, "lc%u lp%u pb%u: %s", lc, lp, pb, job.why);
		CHECKF(job.out_len == n && !memcmp(out, in.data, n), "lc%u lp%u pb%u: output differs", lc, lp, pb);
		CHECK_EQ(job.in_used, c.len);
		if (lc + lp > 4) {
			uint8_t small[64 << 10];
			kd_heap_init(&heap, small, sizeof(small));
			job.heap = &heap;
			CHECK_EQ(kd_lzma_decode(&job), KD_ERR_HEAP);
		}
		free(c.data);
	}
	free(out), free(big);
}
