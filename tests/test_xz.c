// SPDX-License-Identifier: MIT
/*
 * xz: ours against liblzma on a generated corpus (every preset, lc/lp/pb,
 * every check, several blocks, concatenated streams with padding, each BCJ
 * filter and delta); the xz project's test files; the kernel payload packed
 * as Linux packs it and Debian's own; Linux's trailer; in-place decoding;
 * truncated and corrupted inputs and wrong checks.
 */
#include <lzma.h>
#include <stdlib.h>

#include "kd.h"
#include "t.h"

static uint8_t heap_mem[64 << 10];

static struct t_blob encode(const uint8_t *in, size_t len, const lzma_filter *filters, lzma_check check)
{
	size_t cap = lzma_stream_buffer_bound(len);
	struct t_blob out = { malloc(cap), 0 };

	CHECK(lzma_stream_buffer_encode((lzma_filter *)filters, check, NULL, in, len, out.data, &out.len, cap) == LZMA_OK);
	return out;
}

static lzma_options_lzma preset(uint32_t level)
{
	lzma_options_lzma opt;

	CHECK(!lzma_lzma_preset(&opt, level));
	if (opt.dict_size > (1u << 22))
		opt.dict_size = 1u << 22;	/* the corpus is small: keep the encoder's memory down */
	return opt;
}

/* LZMA2 alone, or behind one other filter. */
static struct t_blob encode_lzma2(const uint8_t *in, size_t len, lzma_options_lzma *opt, lzma_vli pre, void *pre_opt,
				  lzma_check check)
{
	lzma_filter f[3] = { { LZMA_FILTER_LZMA2, opt }, { LZMA_VLI_UNKNOWN, NULL }, { LZMA_VLI_UNKNOWN, NULL } };

	if (pre != LZMA_VLI_UNKNOWN) {
		f[0] = (lzma_filter){ pre, pre_opt };
		f[1] = (lzma_filter){ LZMA_FILTER_LZMA2, opt };
	}
	return encode(in, len, f, check);
}

static enum kd_err decode(const struct t_blob *c, uint8_t *out, size_t cap, struct kd_job *job)
{
	struct kd_heap heap;

	kd_heap_init(&heap, heap_mem, sizeof(heap_mem));
	*job = (struct kd_job){ .in = c->data, .in_len = c->len, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_xz_decode(job);
	CHECKF(job->out_len <= cap, "out_len %zu > cap %zu", job->out_len, cap);
	CHECKF(heap.peak <= kd_xz_heap_size(), "heap %zu > %zu", heap.peak, kd_xz_heap_size());
	return err;
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

static const lzma_check checks[] = { LZMA_CHECK_NONE, LZMA_CHECK_CRC32, LZMA_CHECK_CRC64, LZMA_CHECK_SHA256 };

TEST(xz_matches_liblzma_presets_and_checks)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (uint32_t level = 0; level <= 11; level++) {
			/* 0..9, then 0e and 9e */
			uint32_t p = level < 10 ? level : (level == 10 ? 0 : 9) | LZMA_PRESET_EXTREME;
			lzma_options_lzma opt = preset(p);
			lzma_check check = checks[level % 4];
			/* the slow presets compress 64 KiB of each input, to keep the run short */
			size_t len = level >= 7 && in.len > (64u << 10) ? 64u << 10 : in.len;
			struct t_blob c = encode_lzma2(in.data, len, &opt, LZMA_VLI_UNKNOWN, NULL, check);
			char what[96];

			snprintf(what, sizeof(what), "%s preset %u%s check %d", name, p & 15,
				 p & LZMA_PRESET_EXTREME ? "e" : "", check);
			check_roundtrip(what, in.data, len, &c);
			free(c.data);
		}
	}
}

TEST(xz_lc_lp_pb_variants)
{
	static const uint8_t variants[][3] = { { 0, 0, 0 }, { 4, 0, 0 }, { 0, 4, 4 }, { 1, 3, 1 }, { 2, 2, 3 }, { 3, 1, 4 } };
	struct t_blob in = t_corpus(7, NULL);	/* the x86-64 binary, or sparse data */

	for (size_t k = 0; k < 2; k++, in = t_corpus(4, NULL)) {
		for (size_t v = 0; v < KD_ARRAY_SIZE(variants); v++) {
			lzma_options_lzma opt = preset(6);
			char what[64];

			opt.lc = variants[v][0];
			opt.lp = variants[v][1];
			opt.pb = variants[v][2];
			struct t_blob c = encode_lzma2(in.data, in.len, &opt, LZMA_VLI_UNKNOWN, NULL, LZMA_CHECK_CRC32);
			snprintf(what, sizeof(what), "corpus %zu lc%u lp%u pb%u", k, opt.lc, opt.lp, opt.pb);
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

/* Every filter liblzma 5.4 has before LZMA2, with and without a start offset. */
TEST(xz_bcj_and_delta_filters)
{
	static const lzma_vli bcj[] = { LZMA_FILTER_X86, LZMA_FILTER_POWERPC, LZMA_FILTER_IA64, LZMA_FILTER_ARM,
					LZMA_FILTER_ARMTHUMB, LZMA_FILTER_SPARC, LZMA_FILTER_ARM64 };
	static const uint32_t starts[] = { 0, 4096, 0xfffff000u };

	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);
		char what[96];

		for (size_t f = 0; f < KD_ARRAY_SIZE(bcj); f++) {
			for (size_t s = 0; s < KD_ARRAY_SIZE(starts); s++) {
				lzma_options_bcj bo = { .start_offset = starts[s] };
				lzma_options_lzma opt = preset(s == 0 && bcj[f] == LZMA_FILTER_X86 ? 6 : 0);
				struct t_blob c = encode_lzma2(in.data, in.len, &opt, bcj[f], s ? &bo : NULL, checks[s]);

				snprintf(what, sizeof(what), "%s filter %#llx start %#x", name, (unsigned long long)bcj[f],
					 starts[s]);
				check_roundtrip(what, in.data, in.len, &c);
				free(c.data);
			}
		}
		for (uint32_t dist = 1; dist <= 256; dist = dist * 4 - 1 + (dist == 1)) {
			lzma_options_delta d = { .type = LZMA_DELTA_TYPE_BYTE, .dist = dist };
			lzma_options_lzma opt = preset(3);
			struct t_blob c = encode_lzma2(in.data, in.len, &opt, LZMA_FILTER_DELTA, &d, LZMA_CHECK_CRC64);

			snprintf(what, sizeof(what), "%s delta %u", name, dist);
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

/* Several blocks with both sizes in their headers (the multi-threaded encoder writes those). */
TEST(xz_multiple_blocks)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (size_t k = 0; k < 2; k++) {
			lzma_options_lzma opt = preset(k ? 1 : 6);
			lzma_filter f[3] = { { LZMA_FILTER_X86, NULL }, { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
			lzma_mt mt = { .threads = 2, .block_size = k ? 4096 : 50000, .filters = k ? f : NULL,
				       .preset = 6, .check = checks[k + 1] };
			lzma_stream strm = LZMA_STREAM_INIT;
			size_t cap = lzma_stream_buffer_bound(in.len) + 65536;
			struct t_blob c = { malloc(cap), 0 };
			char what[96];

			CHECK(lzma_stream_encoder_mt(&strm, &mt) == LZMA_OK);
			strm.next_in = in.data;
			strm.avail_in = in.len;
			strm.next_out = c.data;
			strm.avail_out = cap;
			CHECK(lzma_code(&strm, LZMA_FINISH) == LZMA_STREAM_END);
			c.len = cap - strm.avail_out;
			lzma_end(&strm);
			snprintf(what, sizeof(what), "%s blocks of %zu", name, (size_t)mt.block_size);
			check_roundtrip(what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(xz_concatenated_streams_and_padding)
{
	struct t_blob a = t_corpus(4, NULL), b = t_corpus(3, NULL), e = t_corpus(0, NULL);
	lzma_options_lzma opt = preset(6);
	struct t_blob ca = encode_lzma2(a.data, a.len, &opt, LZMA_VLI_UNKNOWN, NULL, LZMA_CHECK_CRC64);
	struct t_blob cb = encode_lzma2(b.data, b.len, &opt, LZMA_FILTER_X86, NULL, LZMA_CHECK_SHA256);
	struct t_blob ce = encode_lzma2(e.data, 0, &opt, LZMA_VLI_UNKNOWN, NULL, LZMA_CHECK_CRC32);
	size_t total = ca.len + 8 + ce.len + cb.len + 4;
	struct t_blob cat = { calloc(1, total + 8), 0 };
	uint8_t *ref = malloc(a.len + b.len), *out = malloc(a.len + b.len);
	struct kd_job job;

	memcpy(cat.data, ca.data, ca.len);
	cat.len = ca.len + 8;			/* 8 bytes of stream padding */
	memcpy(cat.data + cat.len, ce.data, ce.len);
	cat.len += ce.len;
	memcpy(cat.data + cat.len, cb.data, cb.len);
	cat.len += cb.len + 4;			/* and 4 at the end */
	memcpy(ref, a.data, a.len);
	memcpy(ref + a.len, b.data, b.len);
	check_roundtrip("a, padding, empty, b, padding", ref, a.len + b.len, &cat);

	/* padding that is not a multiple of four is corrupt */
	cat.len++;
	CHECK_EQ(decode(&cat, out, a.len + b.len, &job), KD_ERR_CORRUPT);
	memmove(cat.data + ca.len + 3, cat.data + ca.len + 8, cat.len - ca.len - 8);
	cat.len -= 6;
	CHECK_EQ(decode(&cat, out, a.len + b.len, &job), KD_ERR_CORRUPT);

	/* Linux's size trailer after a stream, even one starting with zero bytes, is left alone */
	for (uint32_t size = (uint32_t)a.len; size; size = size == a.len ? 0x01000000 : size == 0x01000000 ? 0x00210000 : 0) {
		memcpy(cat.data, ca.data, ca.len);
		kd_put_le32(cat.data + ca.len, size);
		cat.len = ca.len + 4;
		CHECK_EQ(decode(&cat, out, a.len, &job), KD_OK);
		CHECK_EQ(job.in_used, ca.len);
		CHECK_EQ(job.out_len, a.len);
	}
	free(ca.data), free(cb.data), free(ce.data), free(cat.data), free(ref), free(out);
}

/* What liblzma makes of a file (concatenated streams allowed). */
static lzma_ret ref_decode(const struct t_blob *c, uint8_t *out, size_t cap, size_t *out_len)
{
	uint64_t memlimit = UINT64_MAX;
	size_t in_pos = 0;

	*out_len = 0;
	return lzma_stream_buffer_decode(&memlimit, LZMA_CONCATENATED, NULL, c->data, &in_pos, c->len, out, out_len, cap);
}

/* The xz project's test files (see ../shared/testvectors/xz/README). */
TEST(xz_test_files)
{
	static const char *const files[] = {
		"good-0-empty.xz", "good-0cat-empty.xz", "good-0catpad-empty.xz", "good-0pad-empty.xz",
		"good-1-3delta-lzma2.xz", "good-1-arm64-lzma2-1.xz", "good-1-arm64-lzma2-2.xz",
		"good-1-block_header-1.xz", "good-1-block_header-2.xz", "good-1-block_header-3.xz",
		"good-1-check-crc32.xz", "good-1-check-crc64.xz", "good-1-check-none.xz", "good-1-check-sha256.xz",
		"good-1-delta-lzma2.tiff.xz", "good-1-empty-bcj-lzma2.xz", "good-1-lzma2-1.xz", "good-1-lzma2-2.xz",
		"good-1-lzma2-3.xz", "good-1-lzma2-4.xz", "good-1-lzma2-5.xz", "good-2-lzma2.xz",
		"unsupported-block_header.xz", "unsupported-check.xz", "unsupported-filter_flags-1.xz",
		"unsupported-filter_flags-2.xz", "unsupported-filter_flags-3.xz",
		"bad-0-backward_size.xz", "bad-0-empty-truncated.xz", "bad-0-footer_magic.xz", "bad-0-header_magic.xz",
		"bad-0-index-1.xz", "bad-0-nonempty_index.xz", "bad-0cat-alone.xz", "bad-0cat-header_magic.xz",
		"bad-0catpad-empty.xz", "bad-0pad-empty.xz", "bad-1-block_header-1.xz", "bad-1-block_header-2.xz",
		"bad-1-block_header-3.xz", "bad-1-block_header-4.xz", "bad-1-block_header-5.xz",
		"bad-1-block_header-6.xz", "bad-1-check-crc32-2.xz", "bad-1-check-crc32.xz", "bad-1-check-crc64.xz",
		"bad-1-check-sha256.xz", "bad-1-index-huge-uncomp.xz", "bad-1-lzma2-1.xz", "bad-1-lzma2-10.xz",
		"bad-1-lzma2-11.xz", "bad-1-lzma2-2.xz", "bad-1-lzma2-3.xz", "bad-1-lzma2-4.xz", "bad-1-lzma2-5.xz",
		"bad-1-lzma2-6.xz", "bad-1-lzma2-7.xz", "bad-1-lzma2-8.xz", "bad-1-lzma2-9.xz",
		"bad-1-stream_flags-1.xz", "bad-1-stream_flags-2.xz", "bad-1-stream_flags-3.xz", "bad-1-vli-1.xz",
		"bad-1-vli-2.xz", "bad-2-compressed_data_padding.xz", "bad-2-index-1.xz", "bad-2-index-2.xz",
		"bad-2-index-3.xz", "bad-2-index-4.xz", "bad-2-index-5.xz", "bad-3-index-uncomp-overflow.xz",
	};
	char path[256];

	for (size_t i = 0; i < KD_ARRAY_SIZE(files); i++) {
		const char *name = files[i];
		snprintf(path, sizeof(path), "../shared/testvectors/xz/%s", name);
		struct t_blob c = t_read_file(path);
		if (!c.data) {
			t_fail(__FILE__, __LINE__, "cannot read %s", path);
			continue;
		}
		size_t cap = 1 << 20, ref_len;
		uint8_t *ref = malloc(cap), *out = malloc(cap);
		struct kd_job job;
		enum kd_err err = decode(&c, out, cap, &job);
		bool whole = err == KD_OK && job.in_used == c.len;

		if (!strncmp(name, "good-", 5)) {
			lzma_ret rr = ref_decode(&c, ref, cap, &ref_len);
			CHECKF(rr == LZMA_OK, "%s: liblzma says %d", name, rr);
			CHECKF(whole, "%s: error %d (%s), in_used %zu of %zu", name, err, err ? job.why : "", job.in_used,
			       c.len);
			CHECKF(job.out_len == ref_len && !memcmp(out, ref, ref_len), "%s: output differs", name);
		} else if (!strncmp(name, "unsupported-", 12)) {
			CHECKF(err == KD_ERR_UNSUPPORTED, "%s: error %d, not unsupported (%s)", name, err, job.why);
		} else {
			CHECKF(!whole, "%s: accepted", name);
		}
		free(ref), free(out), free(c.data);
	}
}

/* A wrong check value of each type is reported as a checksum error. */
TEST(xz_wrong_check_is_checksum_error)
{
	struct t_blob in = t_corpus(4, NULL);
	lzma_options_lzma opt = preset(1);
	uint8_t *out = malloc(in.len);
	struct kd_job job;

	for (size_t k = 1; k < KD_ARRAY_SIZE(checks); k++) {
		struct t_blob c = encode_lzma2(in.data, in.len, &opt, LZMA_VLI_UNKNOWN, NULL, checks[k]);
		size_t check_size = k == 1 ? 4 : k == 2 ? 8 : 32;
		/* footer 12, index (1 record: 8 bytes here), then the check ends the block */
		size_t index_size = ((size_t)kd_get_le32(c.data + c.len - 8) + 1) * 4;
		size_t check_end = c.len - 12 - index_size;

		for (size_t b = 0; b < check_size; b += 3) {
			c.data[check_end - check_size + b] ^= 0x10;
			CHECK_EQ(decode(&c, out, in.len, &job), KD_ERR_CHECKSUM);
			c.data[check_end - check_size + b] ^= 0x10;
		}
		CHECK_EQ(decode(&c, out, in.len, &job), KD_OK);
		free(c.data);
	}
	free(out);
}

/* Truncation anywhere and bit flips anywhere end in a clean error (ASan watches for overruns). */
TEST(xz_corrupt_and_truncated)
{
	struct t_blob in = t_corpus(4, NULL);
	size_t n = 30000;
	lzma_options_lzma opt = preset(6);
	struct t_blob c = encode_lzma2(in.data, n, &opt, LZMA_FILTER_X86, NULL, LZMA_CHECK_CRC64);
	uint8_t *out = malloc(n);
	struct kd_job job;
	uint64_t s = 11;

	for (size_t cut = 0; cut < c.len; cut += 1 + (cut > 64 && cut < c.len - 64) * cut / 32) {
		struct t_blob t = { c.data, cut };
		enum kd_err err = decode(&t, out, n, &job);

		CHECKF(err != KD_OK, "truncated at %zu of %zu accepted", cut, c.len);
		CHECKF(err == KD_ERR_TRUNCATED || cut < 6 || err == KD_ERR_CORRUPT, "truncated at %zu: error %d (%s)", cut,
		       err, job.why);
	}
	/* a flip anywhere: header, block header, data, check, index, footer */
	for (int i = 0; i < 3000; i++) {
		struct t_blob d = { malloc(c.len), c.len };
		size_t at = i < 600 ? (size_t)i % c.len : i < 1200 ? c.len - 1 - (size_t)i % 64 : t_rand(&s) % c.len;

		memcpy(d.data, c.data, c.len);
		d.data[at] ^= (uint8_t)(1 << (t_rand(&s) % 8));
		enum kd_err err = decode(&d, out, n, &job);
		CHECKF(err != KD_OK || job.in_used < c.len, "flip at %zu accepted", at);
		free(d.data);
	}
	CHECK_EQ(decode(&c, out, n - 1, &job), KD_ERR_OUTPUT_FULL);
	struct t_blob bad = { (uint8_t *)"\xfd" "7zXY\0\0\0", 8 };
	CHECK_EQ(decode(&bad, out, n, &job), KD_ERR_MAGIC);
	free(c.data), free(out);
}

/* In place, as the boot stub decodes: input at the end of the buffer the output grows into. */
TEST(xz_in_place)
{
	for (size_t k = 0; k < 4; k++) {
		static const size_t which[] = { 4, 3, 6, 7 };	/* text, random, periods, binary */
		struct t_blob src = t_corpus(which[k] < t_corpus_count() ? which[k] : 4, NULL);
		lzma_options_lzma opt = preset(9);
		struct t_blob cc = encode_lzma2(src.data, src.len, &opt, LZMA_FILTER_X86, NULL, LZMA_CHECK_CRC32);
		size_t size = src.len + src.len / 256 + 131072;
		uint8_t *buf = malloc(size);
		struct kd_heap heap;
		struct kd_job job;

		CHECK(cc.len + 4 <= size);
		memcpy(buf + size - cc.len - 4, cc.data, cc.len);
		kd_put_le32(buf + size - 4, (uint32_t)src.len);
		kd_heap_init(&heap, heap_mem, sizeof(heap_mem));
		job = (struct kd_job){ .in = buf + size - cc.len - 4, .in_len = cc.len + 4, .out = buf, .out_cap = src.len,
				       .heap = &heap };
		CHECK_EQ(kd_xz_decode(&job), KD_OK);
		CHECK_EQ(job.out_len, src.len);
		CHECK_EQ(job.in_used, cc.len);
		CHECK(!memcmp(buf, src.data, src.len));
		free(buf), free(cc.data);
	}
}

/* The kernel payload as Linux packs it: xz --check=crc32 --x86 --lzma2=preset=9,dict=32MiB. */
TEST(xz_real_kernel_payload)
{
	struct t_blob *vm = t_kernel_payload();
	if (!vm)
		return;
	struct t_blob c = t_cache_read("xz", vm->len);	/* the benchmark shares it */

	if (!c.data) {
		lzma_options_lzma opt;
		lzma_lzma_preset(&opt, 9);
		opt.dict_size = 32u << 20;
		c = encode_lzma2(vm->data, vm->len, &opt, LZMA_FILTER_X86, NULL, LZMA_CHECK_CRC32);
		t_cache_write("xz", vm->len, &c);
	}
	check_roundtrip("kernel payload", vm->data, vm->len, &c);
	free(c.data);
}

/* Debian's generic kernel ships an xz payload: ours and liblzma must agree on it. */
TEST(xz_debian_kernel_payload)
{
	const char *path = t_kernel_path("vmlinuz-generic");
	if (!path)
		return;
	struct t_blob img = t_read_file(path);
	size_t setup = ((img.data[0x1f1] ? img.data[0x1f1] : 4) + 1) * 512;
	struct t_blob p = { img.data + setup + kd_get_le32(img.data + 0x248), kd_get_le32(img.data + 0x24c) };

	CHECK(kd_detect_format(p.data, p.len) == KD_FMT_XZ);
	size_t size = kd_get_le32(p.data + p.len - 4), ref_len;
	uint8_t *ref = malloc(size), *out = malloc(size);
	struct kd_job job;

	CHECK_EQ(ref_decode(&(struct t_blob){ p.data, p.len - 4 }, ref, size, &ref_len), LZMA_OK);
	CHECK_EQ(decode(&p, out, size, &job), KD_OK);
	CHECK_EQ(job.in_used, p.len - 4);	/* the trailer is Linux's size */
	CHECK(job.out_len == ref_len && !memcmp(out, ref, ref_len));
	free(ref), free(out), free(img.data);
}

TEST(xz_heap_bound)
{
	CHECK(kd_xz_heap_size() <= 64 << 10);
}
