// SPDX-License-Identifier: MIT
/*
 * lzo (as Linux packs its kernel: lzop -9, i.e. LZO1X-999 in 256 KiB
 * blocks with Adler-32 of each block's data) against liblzo2's
 * lzo1x_decompress_safe on the same blocks.  Ours verifies the Adler-32s;
 * the reference is timed without them.
 */
#include <lzo/lzo1x.h>
#include <stdlib.h>

#include "b.h"
#include "kd.h"

#define BLOCK (256u << 10)

struct lzo_bench {
	struct t_blob in;	/* lzop file */
	size_t first_block;	/* offset of the first block header */
	const struct t_blob *ref;
	uint8_t *out;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void ours(void *arg)
{
	struct lzo_bench *b = arg;
	struct kd_job job = { .in = b->in.data, .in_len = b->in.len, .out = b->out, .out_cap = b->ref->len };

	if (kd_lzo_decode(&job) || job.out_len != b->ref->len)
		b_die("kdecomp lzo failed: %s", job.why);
}

static void reference(void *arg)
{
	struct lzo_bench *b = arg;
	const uint8_t *p = b->in.data + b->first_block;
	size_t op = 0;

	for (;;) {
		uint32_t ulen = kd_get_be32(p), clen = kd_get_be32(p + 4);
		if (ulen == 0)
			break;
		p += 12;	/* lengths and the Adler-32 of the data */
		lzo_uint n = ulen;
		if (clen < ulen) {
			if (lzo1x_decompress_safe(p, clen, b->out + op, &n, NULL) != LZO_E_OK || n != ulen)
				b_die("liblzo2 failed");
		} else {
			memcpy(b->out + op, p, ulen);
		}
		op += ulen;
		p += clen;
	}
}

BENCH(bench_lzo)
{
	struct t_blob *vm = t_kernel_payload();
	struct lzo_bench b;
	static const uint8_t header[] = "\x89LZO\0\r\n\x1a\n\x10\x40\x20\xa0\x09\x40\x03\x09"
					"\x03\0\0\x01" "\0\0\x81\xa4" "\0\0\0\0" "\0\0\0\0" "\0";

	if (!vm)
		return;
	if (lzo_init() != LZO_E_OK)
		b_die("lzo_init failed");
	b.ref = vm;
	b.in.data = malloc(sizeof(header) + 4 + (vm->len / BLOCK + 1) * (BLOCK + BLOCK / 16 + 64 + 12) + 4);
	memcpy(b.in.data, header, sizeof(header) - 1);
	b.in.len = sizeof(header) - 1;
	put_be32(b.in.data + b.in.len, lzo_adler32(1, b.in.data + 9, b.in.len - 9));
	b.in.len += 4;
	b.first_block = b.in.len;
	void *wrk = malloc(LZO1X_999_MEM_COMPRESS);
	for (size_t pos = 0; pos < vm->len; pos += BLOCK) {
		size_t ulen = vm->len - pos < BLOCK ? vm->len - pos : BLOCK;
		uint8_t *blk = b.in.data + b.in.len;
		lzo_uint clen;
		if (lzo1x_999_compress(vm->data + pos, ulen, blk + 12, &clen, wrk) != LZO_E_OK)
			b_die("liblzo2 could not compress the payload");
		if (clen >= ulen) {
			memcpy(blk + 12, vm->data + pos, ulen);
			clen = ulen;
		}
		put_be32(blk, (uint32_t)ulen);
		put_be32(blk + 4, (uint32_t)clen);
		put_be32(blk + 8, lzo_adler32(1, vm->data + pos, ulen));
		b.in.len += 12 + clen;
	}
	put_be32(b.in.data + b.in.len, 0);
	b.in.len += 4;
	free(wrk);
	b.out = malloc(vm->len);
	double t_ref = b_time(reference, &b, 7);
	if (memcmp(b.out, vm->data, vm->len))
		b_die("liblzo2 output differs");
	double t_ours = b_time(ours, &b, 7);
	if (memcmp(b.out, vm->data, vm->len))
		b_die("kdecomp lzo output differs");
	b_report("lzop -9, kernel", "lzo1x_decompress_safe", vm->len, t_ours, t_ref);
	free(b.in.data);
	free(b.out);
}
