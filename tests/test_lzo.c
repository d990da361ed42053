// SPDX-License-Identifier: MIT
/*
 * lzo: ours against liblzo2's LZO1X-1 and LZO1X-999 inside lzop containers
 * built here with every combination of checksum flags and both header
 * layouts, and against files the real lzop tool writes; concatenated
 * files with Linux's size trailer, the real kernel payload, in-place
 * decoding, and corrupt, truncated and mis-checksummed inputs.
 */
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <unistd.h>

#include "kd.h"
#include "lzo.h"
#include "t.h"

#define F_ADLER32_D	0x001u
#define F_ADLER32_C	0x002u
#define F_CRC32_D	0x100u
#define F_CRC32_C	0x200u
#define F_H_CRC32	0x1000u
#define F_UNIX		0x03000000u

struct lzop_opts {
	int method;		/* 1: LZO1X-1, 3: LZO1X-999 */
	uint32_t flags;
	unsigned version;	/* 0x1040, or 0x0930 for the layout without the 0.94 fields */
	size_t block;		/* bytes per block */
};

static void put_be(struct t_blob *b, uint32_t v, int bytes)
{
	while (bytes--)
		b->data[b->len++] = (uint8_t)(v >> (8 * bytes));
}

static uint32_t checksum(bool crc, const uint8_t *p, size_t len)
{
	return crc ? lzo_crc32(0, p, len) : lzo_adler32(1, p, len);
}

/* An lzop file as lzop lays it out, with liblzo2 doing the compression and the checksums. */
static struct t_blob lzop_build(const uint8_t *in, size_t len, const struct lzop_opts *o)
{
	static uint8_t wrk[LZO1X_999_MEM_COMPRESS];
	size_t blocks = len / o->block + 1;
	struct t_blob f = { malloc(64 + blocks * (o->block + o->block / 16 + 64 + 24)), 0 };

	CHECK_EQ(lzo_init(), LZO_E_OK);
	memcpy(f.data, "\x89LZO\0\r\n\x1a\n", 9);
	f.len = 9;
	size_t h = f.len;
	put_be(&f, o->version, 2);
	put_be(&f, 0x20a0, 2);
	if (o->version >= 0x0940)
		put_be(&f, 0x0940, 2);
	put_be(&f, (uint32_t)o->method, 1);
	if (o->version >= 0x0940)
		put_be(&f, o->method == 3 ? 9 : 1, 1);
	put_be(&f, o->flags, 4);
	put_be(&f, 0100644, 4);
	put_be(&f, 1700000000, 4);
	if (o->version >= 0x0940)
		put_be(&f, 0, 4);
	put_be(&f, 5, 1);
	memcpy(f.data + f.len, "t.bin", 5);
	f.len += 5;
	put_be(&f, checksum(o->flags & F_H_CRC32, f.data + h, f.len - h), 4);

	uint8_t *tmp = malloc(o->block + o->block / 16 + 64 + 3);
	for (size_t pos = 0; pos < len; pos += o->block) {
		size_t ulen = len - pos < o->block ? len - pos : o->block;
		lzo_uint clen;
		const uint8_t *src = in + pos;
		int rc = o->method == 3 ? lzo1x_999_compress(src, ulen, tmp, &clen, wrk)
					: lzo1x_1_compress(src, ulen, tmp, &clen, wrk);
		CHECK_EQ(rc, LZO_E_OK);
		bool stored = clen >= ulen;
		put_be(&f, (uint32_t)ulen, 4);
		put_be(&f, stored ? (uint32_t)ulen : (uint32_t)clen, 4);
		if (o->flags & F_ADLER32_D)
			put_be(&f, checksum(false, src, ulen), 4);
		if (o->flags & F_CRC32_D)
			put_be(&f, checksum(true, src, ulen), 4);
		if (!stored && (o->flags & F_ADLER32_C))
			put_be(&f, checksum(false, tmp, clen), 4);
		if (!stored && (o->flags & F_CRC32_C))
			put_be(&f, checksum(true, tmp, clen), 4);
		memcpy(f.data + f.len, stored ? src : tmp, stored ? ulen : clen);
		f.len += stored ? ulen : clen;
	}
	put_be(&f, 0, 4);
	free(tmp);
	return f;
}

static enum kd_err decode(const struct t_blob *c, uint8_t *out, size_t cap, size_t *out_len, size_t *in_used)
{
	struct kd_job job = { .in = c->data, .in_len = c->len, .out = out, .out_cap = cap };
	enum kd_err err = kd_lzo_decode(&job);

	*out_len = job.out_len;
	if (in_used)
		*in_used = job.in_used;
	CHECKF(job.out_len <= cap, "out_len %zu > cap %zu", job.out_len, cap);
	CHECKF(err || job.in_used <= c->len, "in_used %zu > %zu", job.in_used, c->len);
	CHECKF(!err || job.why, "error %d without a reason", err);
	return err;
}

/* The 32 combinations of the checksum flags, by number. */
static uint32_t flag_combo(unsigned i)
{
	return F_UNIX | (i & 1 ? F_ADLER32_D : 0) | (i & 2 ? F_CRC32_D : 0) | (i & 4 ? F_ADLER32_C : 0) |
	       (i & 8 ? F_CRC32_C : 0) | (i & 16 ? F_H_CRC32 : 0);
}

TEST(lzo_every_checksum_combination)
{
	struct t_blob in = t_corpus(9, NULL);	/* text with an incompressible stretch: stored blocks too */

	for (unsigned i = 0; i < 32; i++) {
		for (int method = 1; method <= 3; method += 2) {
			struct lzop_opts o = { method, flag_combo(i), i & 1 ? 0x0930 : 0x1040, 16384 };
			struct t_blob c = lzop_build(in.data, in.len, &o);
			char what[64];

			snprintf(what, sizeof(what), "flags %#x method %d", o.flags, method);
			t_check_roundtrip(decode, what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

TEST(lzo_matches_liblzo2_corpus)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);

		for (int method = 1; method <= 3; method += 2) {
			struct lzop_opts o = { method, flag_combo((unsigned)i * 7 + method), 0x1040, 256 << 10 };
			struct t_blob c = lzop_build(in.data, in.len, &o);
			char what[64];

			snprintf(what, sizeof(what), "%s method %d", name, method);
			t_check_roundtrip(decode, what, in.data, in.len, &c);
			free(c.data);
		}
	}
}

/* Files from the real lzop, with its own header, name and checksum choices. */
TEST(lzo_matches_lzop_tool)
{
	static const char *const options[] = { "-1", "-9", "-3 --crc32", "-5 --no-checksum", "-7" };
	char dir[] = "/tmp/kdecomp-lzo-XXXXXX";

	if (system("lzop -V >/dev/null 2>&1") != 0) {
		t_skip("lzop is not installed");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);
		char path[128], cmd[256];

		snprintf(path, sizeof(path), "%s/in%zu", dir, i);
		FILE *f = fopen(path, "wb");
		CHECK(f && fwrite(in.data, 1, in.len, f) == in.len);
		fclose(f);
		for (size_t k = 0; k < KD_ARRAY_SIZE(options); k++) {
			/* from a named file, and from stdin (no name, other flags) */
			snprintf(cmd, sizeof(cmd), k & 1 ? "lzop %s -c < %s" : "lzop %s -c %s", options[k], path);
			FILE *p = popen(cmd, "r");
			struct t_blob c = { malloc(in.len + in.len / 16 + 4096), 0 };
			size_t n;
			while ((n = fread(c.data + c.len, 1, 65536, p)) > 0)
				c.len += n;
			CHECK_EQ(pclose(p), 0);
			char what[96];
			snprintf(what, sizeof(what), "lzop %s on %s", options[k], name);
			t_check_roundtrip(decode, what, in.data, in.len, &c);
			free(c.data);
		}
		unlink(path);
	}
	rmdir(dir);
}

TEST(lzo_concatenated_and_kernel_trailer)
{
	struct t_blob a = t_corpus(4, NULL), b = t_corpus(1, NULL), d = t_corpus(0, NULL);
	struct lzop_opts o1 = { 3, flag_combo(5), 0x1040, 256 << 10 }, o2 = { 1, flag_combo(26), 0x0930, 4096 };
	struct t_blob ca = lzop_build(a.data, a.len, &o1), cb = lzop_build(b.data, b.len, &o2),
		      cd = lzop_build(d.data, d.len, &o1);
	size_t total = a.len + b.len, clen = ca.len + cb.len + cd.len;
	struct t_blob cat = { malloc(clen + 4), clen + 4 };
	uint8_t *ref = malloc(total), *out = malloc(total);
	size_t got, used;

	memcpy(cat.data, ca.data, ca.len);
	memcpy(cat.data + ca.len, cb.data, cb.len);
	memcpy(cat.data + ca.len + cb.len, cd.data, cd.len);
	kd_put_le32(cat.data + clen, (uint32_t)total);
	memcpy(ref, a.data, a.len);
	memcpy(ref + a.len, b.data, b.len);
	CHECK_EQ(decode(&cat, out, total, &got, &used), KD_OK);
	CHECK_EQ(got, total);
	CHECK_EQ(used, clen);
	CHECK(memcmp(out, ref, total) == 0);
	free(ca.data), free(cb.data), free(cd.data), free(cat.data), free(ref), free(out);
}

/* Offset of the first block's header: after the file header of lzop_build's layout. */
static size_t first_block(unsigned version)
{
	return 9 + 2 + 2 + (version >= 0x0940 ? 2 + 1 : 0) + 1 + 4 + 4 + 4 + (version >= 0x0940 ? 4 : 0) + 1 + 5 + 4;
}

TEST(lzo_wrong_checksums)
{
	struct t_blob in = t_corpus(4, NULL);
	uint8_t *out = malloc(20000);
	size_t got;

	for (unsigned i = 1; i < 32; i++) {
		struct lzop_opts o = { 1, flag_combo(i), 0x1040, 20000 };
		struct t_blob c = lzop_build(in.data, 20000, &o);
		size_t b = first_block(o.version);
		unsigned nchecks = !!(i & 1) + !!(i & 2) + !!(i & 4) + !!(i & 8);

		/* each stored check of the first block, then the header check */
		for (unsigned k = 0; k < nchecks; k++) {
			c.data[b + 8 + 4 * k + 2] ^= 0x40;
			CHECKF(decode(&c, out, 20000, &got, NULL) == KD_ERR_CHECKSUM, "flags %#x check %u", o.flags, k);
			c.data[b + 8 + 4 * k + 2] ^= 0x40;
		}
		c.data[b - 1] ^= 1;
		CHECK_EQ(decode(&c, out, 20000, &got, NULL), KD_ERR_CHECKSUM);
		c.data[b - 1] ^= 1;
		CHECK_EQ(decode(&c, out, 20000, &got, NULL), KD_OK);
		free(c.data);
	}
	free(out);
}

/* Corruptions must end in a clean error or in some output, never a crash (run under ASan). */
TEST(lzo_corrupt_and_truncated)
{
	struct t_blob in = t_corpus(8, NULL);	/* binary */
	size_t n = in.len < 200000 ? in.len : 200000;
	uint8_t *out = malloc(n);
	uint64_t s = 5;
	size_t got, used;

	for (int method = 1; method <= 3; method += 2) {
		/* no checksums: corruption has to be caught by the block decoder itself */
		struct lzop_opts o = { method, F_UNIX, 0x1040, 65536 };
		struct t_blob c = lzop_build(in.data, n, &o);

		t_check_truncations(decode, &c, n, 32, 9);
		for (int i = 0; i < 3000; i++) {
			struct t_blob d = { malloc(c.len), c.len };
			memcpy(d.data, c.data, c.len);
			for (int k = 1 + i % 4; k > 0; k--)
				d.data[first_block(o.version) + t_rand(&s) % (c.len - first_block(o.version))] ^=
					(uint8_t)(1 + t_rand(&s) % 255);
			decode(&d, out, n, &got, &used);
			free(d.data);
		}
		CHECK_EQ(decode(&c, out, n - 1, &got, &used), KD_ERR_OUTPUT_FULL);
		free(c.data);
	}
	/* with checksums of both kinds, any flip in the data is caught */
	struct lzop_opts o = { 3, flag_combo(15), 0x1040, 65536 };
	struct t_blob c = lzop_build(in.data, n, &o);
	size_t data = first_block(o.version) + 8 + 16;
	for (int i = 0; i < 200; i++) {
		size_t at = data + t_rand(&s) % 1000;
		c.data[at] ^= 0x08;
		CHECK_EQ(decode(&c, out, n, &got, &used), KD_ERR_CHECKSUM);
		c.data[at] ^= 0x08;
	}
	free(c.data);
	struct t_blob bad = { (uint8_t *)"\x89LZO\0\r\n\x1a", 8 };
	CHECK_EQ(decode(&bad, out, 1, &got, &used), KD_ERR_MAGIC);
	free(out);
}

/* Hand-made LZO1X blocks: edge cases of the instruction set. */
TEST(lzo_block_edge_cases)
{
	static const struct {
		const char *what;
		const char *data;
		size_t len;
		const char *want;	/* NULL: must fail */
	} cases[] = {
		{ "first byte 18: one literal", "\x12" "a" "\x11\0\0", 5, "a" },
		{ "first byte 21: four literals", "\x15" "abcd" "\x11\0\0", 8, "abcd" },
		{ "match reaching before the block", "\x12" "a" "\x40\x01" "\x11\0\0", 7, NULL },
		{ "2-byte match after 1 literal", "\x12" "a" "\x00\x00" "\x11\0\0", 7, "aaa" },
		{ "end mark with data after it", "\x12" "a" "\x11\0\0" "x", 6, NULL },
		{ "no end mark", "\x12" "a", 2, NULL },
		{ "long literal run", "\x00\x01" "abcdefghijklmnopqrs" "\x11\0\0", 24, "abcdefghijklmnopqrs" },
		{ "first byte 16: match in an empty block", "\x10\x04\0" "\x11\0\0", 6, NULL },
	};
	uint8_t out[64];

	for (size_t i = 0; i < KD_ARRAY_SIZE(cases); i++) {
		lzo_uint ref_len = sizeof(out);
		int rc = lzo1x_decompress_safe((const uint8_t *)cases[i].data, cases[i].len, out, &ref_len, NULL);
		CHECKF((rc == LZO_E_OK) == (cases[i].want != NULL), "%s: liblzo2 says %d", cases[i].what, rc);

		/* straight to the block decoder: lzop would store blocks this small */
		struct kd_job job = { 0 };
		size_t got;
		enum kd_err err = kd_lzo1x_block(&job, (const uint8_t *)cases[i].data, cases[i].len, out,
						 sizeof(out), &got);
		if (cases[i].want)
			CHECKF(err == KD_OK && got == strlen(cases[i].want) && memcmp(out, cases[i].want, got) == 0,
			       "%s: error %d", cases[i].what, err);
		else
			CHECKF(err == KD_ERR_CORRUPT && job.why, "%s: error %d", cases[i].what, err);
	}
}

TEST(lzo_in_place)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob in = t_corpus(i, &name);
		struct lzop_opts o = { 3, flag_combo(3), 0x1040, 256 << 10 };
		struct t_blob c = lzop_build(in.data, in.len, &o);
		t_check_in_place(decode, name, in.data, in.len, &c);
		free(c.data);
	}
}

TEST(lzo_real_kernel_payload)
{
	struct t_blob *vm = t_kernel_payload();
	if (!vm)
		return;
	struct lzop_opts o = { 1, flag_combo(1), 0x1040, 256 << 10 };
	struct t_blob c = lzop_build(vm->data, vm->len, &o);
	t_check_roundtrip(decode, "kernel payload", vm->data, vm->len, &c);
	t_check_in_place(decode, "kernel payload", vm->data, vm->len, &c);
	free(c.data);
}
