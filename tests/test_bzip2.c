// SPDX-License-Identifier: MIT
/*
 * bzip2: ours against libbz2 on the corpus at every block size,
 * concatenated streams with Linux's size trailer, bzip2's own sample files,
 * a randomised block built by hand (libbz2 decodes them but no longer
 * writes them), the real kernel payload, in-place decoding, and corrupt,
 * truncated and mis-checksummed inputs.
 */
#include <bzlib.h>
#include <stdlib.h>

#include "kd.h"
#include "t.h"

#define BZ_END_MAGIC 0x177245385090ull

static struct t_blob bz_compress(const uint8_t *in, size_t len, int level)
{
	unsigned cap = (unsigned)(len + len / 100 + 600);
	struct t_blob out = { malloc(cap), 0 };

	CHECK_EQ(BZ2_bzBuffToBuffCompress((char *)out.data, &cap, (char *)in, (unsigned)len, level, 0, 30), BZ_OK);
	out.len = cap;
	return out;
}

/* Decode with a fresh heap of the advertised size. */
static enum kd_err decode(const struct t_blob *c, uint8_t *out, size_t cap, size_t *out_len, size_t *in_used)
{
	size_t heap_size = kd_bzip2_heap_size();
	void *mem = malloc(heap_size);
	struct kd_heap heap;
	kd_heap_init(&heap, mem, heap_size);
	struct kd_job job = { .in = c->data, .in_len = c->len, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_bzip2_decode(&job);

	*out_len = job.out_len;
	if (in_used)
		*in_used = job.in_used;
	CHECKF(job.out_len <= cap, "out_len %zu > cap %zu", job.out_len, cap);
	CHECKF(err || job.in_used <= c->len, "in_used %zu > %zu", job.in_used, c->len);
	CHECKF(!err || job.why, "error %d without a reason", err);
	free(mem);
	return err;
}

TEST(bzip2_matches_libbz2_every_level)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (int level = 1; level <= 9; level++) {
			char what[64];
			struct t_blob c = bz_compress(in.data, in.len, level);

			snprintf(what, sizeof(what), "%s level %d", name, level);
			t_check_roundtrip(decode, what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

/* Three streams of different block sizes back to back, then Linux's 4-byte size. */
TEST(bzip2_concatenated_and_kernel_trailer)
{
	struct t_blob a = t_corpus(4, NULL), b = t_corpus(1, NULL), d = t_corpus(5, NULL);
	struct t_blob ca = bz_compress(a.data, a.len, 9), cb = bz_compress(b.data, b.len, 1),
		      cd = bz_compress(d.data, d.len, 3);
	size_t total = a.len + b.len + d.len, clen = ca.len + cb.len + cd.len;
	struct t_blob cat = { malloc(clen + 4), clen + 4 };
	uint8_t *ref = malloc(total), *out = malloc(total);
	size_t got, used;

	memcpy(cat.data, ca.data, ca.len);
	memcpy(cat.data + ca.len, cb.data, cb.len);
	memcpy(cat.data + ca.len + cb.len, cd.data, cd.len);
	kd_put_le32(cat.data + clen, (uint32_t)total);
	memcpy(ref, a.data, a.len);
	memcpy(ref + a.len, b.data, b.len);
	memcpy(ref + a.len + b.len, d.data, d.len);
	CHECK_EQ(decode(&cat, out, total, &got, &used), KD_OK);
	CHECK_EQ(got, total);
	CHECK_EQ(used, clen);
	CHECK(memcmp(out, ref, total) == 0);
	/* "BZh" followed by a bad digit is a broken stream, not trailing data */
	memcpy(cat.data + clen, "BZh0", 4);
	CHECK_EQ(decode(&cat, out, total, &got, &used), KD_ERR_CORRUPT);
	free(ca.data), free(cb.data), free(cd.data), free(cat.data), free(ref), free(out);
}

TEST(bzip2_sample_files)
{
	for (int i = 1; i <= 3; i++) {
		char path[128], what[32];

		snprintf(path, sizeof(path), "../shared/testvectors/bzip2/sample%d.bz2", i);
		struct t_blob c = t_read_file(path);
		snprintf(path, sizeof(path), "../shared/testvectors/bzip2/sample%d.ref", i);
		struct t_blob ref = t_read_file(path);
		CHECKF(c.data && ref.data, "sample%d is missing", i);
		if (c.data && ref.data) {
			snprintf(what, sizeof(what), "sample%d", i);
			t_check_roundtrip(decode, what, ref.data, ref.len, &c);
		}
		free(c.data), free(ref.data);
	}
}

static unsigned get_bit(const uint8_t *p, size_t bit)
{
	return p[bit / 8] >> (7 - bit % 8) & 1;
}

static void put_bits(uint8_t *p, size_t bit, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, bit++) {
		unsigned b = v >> (n - 1 - i) & 1;
		p[bit / 8] = (uint8_t)((p[bit / 8] & ~(0x80 >> bit % 8)) | b << (7 - bit % 8));
	}
}

/* Bit offset of the end-of-stream magic of a single-stream file (it is in the last 11 bytes). */
static size_t find_end_magic(const struct t_blob *c)
{
	for (size_t bit = (c->len - 12) * 8; bit + 80 <= c->len * 8; bit++) {
		uint64_t v = 0;
		for (unsigned i = 0; i < 48; i++)
			v = v << 1 | get_bit(c->data, bit + i);
		if (v == BZ_END_MAGIC)
			return bit;
	}
	return 0;
}

/*
 * A randomised block, which no current encoder writes.  The encoder XORs
 * the BWT input at fixed positions; the decoder undoes it after the
 * inverse BWT.  For input without runs of four equal bytes, RLE1 changes
 * nothing, so compressing x ^ mask normally and then setting the block's
 * randomised bit (and the CRCs of x) gives a randomised encoding of x.  The
 * positions come from libbz2 itself: decoding that stream with and without
 * the bit set tells them apart, and our output must match libbz2's.
 */
TEST(bzip2_randomised_block)
{
	size_t n = 60000;
	uint8_t *x = malloc(n), *out = malloc(n), *lib = malloc(n);
	uint64_t s = 7;
	size_t got;

	for (size_t i = 0; i < n; i++) {
		do
			x[i] = (uint8_t)(t_rand(&s) & 0xfc);	/* bit 0 clear: flipping it keeps runs short */
		while (i >= 1 && (x[i] | 1) == (x[i - 1] | 1));
	}
	struct t_blob c = bz_compress(x, n, 1);
	CHECK_EQ(get_bit(c.data, 14 * 8), 0);
	put_bits(c.data, 14 * 8, 1, 1);
	/* libbz2 un-randomises: the XOR mask it applied is its output ^ x */
	unsigned lib_len = (unsigned)n;
	int rc = BZ2_bzBuffToBuffDecompress((char *)lib, &lib_len, (char *)c.data, (unsigned)c.len, 0, 0);
	CHECK(rc == BZ_DATA_ERROR || rc == BZ_OK);	/* the CRC is still the old one */
	CHECK_EQ(lib_len, n);
	size_t flips = 0;
	for (size_t i = 0; i < n; i++)
		flips += lib[i] != x[i];
	CHECKF(flips > 50, "only %zu bytes randomised", flips);

	/* now make lib[] the stream's true content: fix both CRCs */
	uint32_t crc = ~0u;
	for (size_t i = 0; i < n; i++)
		for (int k = 7; k >= 0; k--)
			crc = (crc << 1) ^ (0x04C11DB7u & -((crc >> 31) ^ (lib[i] >> k & 1)));
	crc = ~crc;
	put_bits(c.data, 10 * 8, crc, 32);
	size_t end = find_end_magic(&c);
	CHECK(end != 0);
	put_bits(c.data, end + 48, crc, 32);	/* one block: the stream CRC is the block CRC */
	lib_len = (unsigned)n;
	CHECK_EQ(BZ2_bzBuffToBuffDecompress((char *)x, &lib_len, (char *)c.data, (unsigned)c.len, 0, 0), BZ_OK);
	CHECK_EQ(decode(&c, out, n, &got, NULL), KD_OK);
	CHECK_EQ(got, n);
	CHECK(memcmp(out, lib, n) == 0);
	free(x), free(out), free(lib), free(c.data);
}

TEST(bzip2_wrong_crcs)
{
	struct t_blob in = t_corpus(4, NULL);
	struct t_blob c = bz_compress(in.data, 50000, 9);
	uint8_t *out = malloc(50000);
	size_t got;

	c.data[12] ^= 0x10;	/* block CRC: after "BZh9" and the 48-bit magic */
	CHECK_EQ(decode(&c, out, 50000, &got, NULL), KD_ERR_CHECKSUM);
	c.data[12] ^= 0x10;
	size_t end = find_end_magic(&c);
	CHECK(end != 0);
	put_bits(c.data, end + 48 + 5, !get_bit(c.data, end + 48 + 5), 1);
	CHECK_EQ(decode(&c, out, 50000, &got, NULL), KD_ERR_CHECKSUM);
	CHECK_EQ(got, 50000);	/* the block itself was good */
	free(c.data);
	free(out);
}

/* Corruptions must end in a clean error or in some output, never a crash (run under ASan). */
TEST(bzip2_corrupt_and_truncated)
{
	struct t_blob in = t_corpus(8, NULL);	/* binary */
	size_t n = in.len < 150000 ? in.len : 150000;
	struct t_blob c = bz_compress(in.data, n, 1);
	uint8_t *out = malloc(n);
	uint64_t s = 3;
	size_t got, used;

	t_check_truncations(decode, &c, n, 16, 4);
	for (int i = 0; i < 400; i++) {
		struct t_blob d = { malloc(c.len), c.len };
		memcpy(d.data, c.data, c.len);
		for (int k = 1 + i % 3; k > 0; k--)
			d.data[4 + t_rand(&s) % (c.len - 4)] ^= (uint8_t)(1 << t_rand(&s) % 8);
		enum kd_err err = decode(&d, out, n, &got, &used);
		CHECKF(err != KD_OK || memcmp(out, in.data, n) == 0 || used < d.len, "flip %d accepted", i);
		free(d.data);
	}
	CHECK_EQ(decode(&c, out, n - 1, &got, &used), KD_ERR_OUTPUT_FULL);
	struct t_blob bad = { (uint8_t *)"BZh9\x17\x72\x45\x38\x50\x90\0\0\0\1", 14 };
	CHECK_EQ(decode(&bad, out, 1, &got, &used), KD_ERR_CHECKSUM);
	bad.data = (uint8_t *)"BZh9\x17\x72\x45\x38\x50\x90\0\0\0\0";
	CHECK_EQ(decode(&bad, out, 1, &got, &used), KD_OK);
	CHECK_EQ(used, 14);
	bad.data = (uint8_t *)"BZ0";
	CHECK_EQ(decode(&bad, out, 1, &got, &used), KD_ERR_MAGIC);
	free(c.data);
	free(out);
}

TEST(bzip2_heap_too_small)
{
	struct t_blob c = bz_compress((const uint8_t *)"abc", 3, 1);
	uint8_t out[3], mem[4096];
	struct kd_heap heap;
	kd_heap_init(&heap, mem, sizeof(mem));
	struct kd_job job = { .in = c.data, .in_len = c.len, .out = out, .out_cap = 3, .heap = &heap };

	CHECK_EQ(kd_bzip2_decode(&job), KD_ERR_HEAP);
	CHECK(kd_bzip2_heap_size() <= 4u << 20);
	free(c.data);
}

TEST(bzip2_in_place)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);
		struct t_blob c = bz_compress(in.data, in.len, 9);
		t_check_in_place(decode, name, in.data, in.len, &c);
		free(c.data);
	}
}

TEST(bzip2_real_kernel_payload)
{
	struct t_blob *vm = t_kernel_payload();
	if (!vm)
		return;
	struct t_blob c = bz_compress(vm->data, vm->len, 9);
	t_check_roundtrip(decode, "kernel payload", vm->data, vm->len, &c);
	t_check_in_place(decode, "kernel payload", vm->data, vm->len, &c);
	free(c.data);
}
