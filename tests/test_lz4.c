// SPDX-License-Identifier: MIT
/*
 * lz4: ours against liblz4 on the corpus, at every compression level, in
 * both frames; the real kernel payload; corrupted and truncated inputs.
 */
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <stdlib.h>

#include "kd.h"
#include "t.h"

/* A legacy frame as `lz4 -l` writes it: magic, then (size, block) for each 8 MiB. */
static struct t_blob legacy_compress(const uint8_t *in, size_t len, int level)
{
	size_t cap = 4 + (len / (8 << 20) + 1) * (4 + LZ4_compressBound(8 << 20));
	struct t_blob out = { malloc(cap), 4 };

	kd_put_le32(out.data, 0x184C2102);
	for (size_t pos = 0; pos < len || (len == 0 && pos == 0); ) {
		int chunk = len - pos > (8u << 20) ? 8 << 20 : (int)(len - pos);
		int n = level > 2 ? LZ4_compress_HC((const char *)in + pos, (char *)out.data + out.len + 4, chunk,
						   LZ4_compressBound(chunk), level)
				  : LZ4_compress_default((const char *)in + pos, (char *)out.data + out.len + 4, chunk,
							 LZ4_compressBound(chunk));
		kd_put_le32(out.data + out.len, (uint32_t)n);
		out.len += 4 + n;
		pos += chunk;
		if (len == 0)
			break;
	}
	return out;
}

static enum kd_err decode(const struct t_blob *c, uint8_t *out, size_t cap, size_t *out_len, size_t *in_used)
{
	struct kd_job job = { .in = c->data, .in_len = c->len, .out = out, .out_cap = cap };
	enum kd_err err = kd_lz4_decode(&job);

	*out_len = job.out_len;
	if (in_used)
		*in_used = job.in_used;
	if (!err)
		CHECKF(job.in_used <= c->len, "in_used %zu > %zu", job.in_used, c->len);
	return err;
}

TEST(lz4_legacy_matches_liblz4)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (int level = 1; level <= 12; level += (level < 3 ? 1 : 3)) {
			struct t_blob c = legacy_compress(in.data, in.len, level);
			char what[64];

			snprintf(what, sizeof(what), "%s level %d", name, level);
			t_check_roundtrip(decode, what, in.data, in.len, &c);
			t_check_in_place(decode, what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(lz4_frame_matches_liblz4)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (int variant = 0; variant < 4; variant++) {
			LZ4F_preferences_t prefs;
			memset(&prefs, 0, sizeof(prefs));
			prefs.frameInfo.blockSizeID = variant & 1 ? LZ4F_max64KB : LZ4F_max4MB;
			prefs.frameInfo.blockMode = variant & 1 ? LZ4F_blockLinked : LZ4F_blockIndependent;
			prefs.frameInfo.contentChecksumFlag = variant & 2 ? LZ4F_contentChecksumEnabled : 0;
			prefs.frameInfo.blockChecksumFlag = variant & 2 ? LZ4F_blockChecksumEnabled : 0;
			prefs.frameInfo.contentSize = variant == 3 ? in.len : 0;
			prefs.compressionLevel = variant * 3;
			size_t cap = LZ4F_compressFrameBound(in.len, &prefs);
			struct t_blob c = { malloc(cap), 0 };
			c.len = LZ4F_compressFrame(c.data, cap, in.data, in.len, &prefs);
			CHECK(!LZ4F_isError(c.len));
			char what[64];
			snprintf(what, sizeof(what), "%s frame variant %d", name, variant);
			t_check_roundtrip(decode, what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(lz4_concatenated_and_kernel_trailer)
{
	struct t_blob a = t_corpus(4, NULL), b = t_corpus(3, NULL);	/* text, random */
	struct t_blob ca = legacy_compress(a.data, a.len, 9), cb = legacy_compress(b.data, b.len, 1);
	struct t_blob cat = { malloc(ca.len + cb.len + 4), ca.len + cb.len + 4 };
	uint8_t *ref = malloc(a.len + b.len), *out = malloc(a.len + b.len);

	memcpy(cat.data, ca.data, ca.len);
	memcpy(cat.data + ca.len, cb.data, cb.len);
	kd_put_le32(cat.data + ca.len + cb.len, (uint32_t)(a.len + b.len));	/* Linux's size trailer */
	memcpy(ref, a.data, a.len);
	memcpy(ref + a.len, b.data, b.len);

	struct kd_job job = { .in = cat.data, .in_len = cat.len, .out = out, .out_cap = a.len + b.len };
	CHECK_EQ(kd_lz4_decode(&job), KD_OK);
	CHECK_EQ(job.out_len, a.len + b.len);
	CHECK_EQ(job.in_used, cat.len - 4);
	CHECK(memcmp(out, ref, a.len + b.len) == 0);
	free(ca.data), free(cb.data), free(cat.data), free(ref), free(out);
}

/* Corruptions must end in an error or in some output, never in a crash (run under ASan). */
TEST(lz4_corrupt_and_truncated)
{
	struct t_blob in = t_corpus(4, NULL);
	struct t_blob c = legacy_compress(in.data, 20000, 9);
	uint8_t *out = malloc(in.len);
	uint64_t s = 1;
	size_t got;

	for (size_t cut = 0; cut < c.len; cut += 1 + cut / 8) {
		struct t_blob t = { c.data, cut };
		enum kd_err err = decode(&t, out, 20000, &got, NULL);
		CHECKF(err != KD_OK || got < 20000, "truncated at %zu but decoded everything", cut);
	}
	for (int i = 0; i < 3000; i++) {
		struct t_blob d = { malloc(c.len), c.len };
		memcpy(d.data, c.data, c.len);
		d.data[4 + t_rand(&s) % (c.len - 4)] ^= (uint8_t)(1 + t_rand(&s) % 255);
		decode(&d, out, 20000, &got, NULL);
		CHECK(got <= 20000);
		free(d.data);
	}
	/* output one byte too small */
	CHECK_EQ(decode(&c, out, 19999, &got, NULL), KD_ERR_OUTPUT_FULL);
	struct t_blob bad = { (uint8_t *)"\x02\x21\x4c\x19", 4 };
	CHECK_EQ(decode(&bad, out, 10, &got, NULL), KD_ERR_MAGIC);
	free(c.data);
	free(out);
}

TEST(lz4_real_kernel_payload)
{
	struct t_blob *vm = t_kernel_payload();
	if (!vm)
		return;
	struct t_blob c = legacy_compress(vm->data, vm->len, 9);
	t_check_roundtrip(decode, "kernel payload", vm->data, vm->len, &c);
	t_check_in_place(decode, "kernel payload", vm->data, vm->len, &c);
	free(c.data);
}
