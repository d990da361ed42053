// SPDX-License-Identifier: MIT
/* lz4 legacy (as Linux packs its kernel: lz4 -l -9) against LZ4_decompress_safe. */
#include <lz4.h>
#include <lz4hc.h>
#include <stdlib.h>

#include "b.h"
#include "kd.h"

struct lz4_bench {
	struct t_blob in;	/* legacy frame */
	const struct t_blob *ref;
	uint8_t *out;
};

static void ours(void *arg)
{
	struct lz4_bench *b = arg;
	struct kd_job job = { .in = b->in.data, .in_len = b->in.len, .out = b->out, .out_cap = b->ref->len };

	if (kd_lz4_decode(&job) || job.out_len != b->ref->len)
		b_die("kdecomp lz4 failed: %s", job.why);
}

static void reference(void *arg)
{
	struct lz4_bench *b = arg;
	size_t ip = 4, op = 0;

	while (ip + 4 <= b->in.len) {
		uint32_t cs = kd_get_le32(b->in.data + ip);
		int n = LZ4_decompress_safe((const char *)b->in.data + ip + 4, (char *)b->out + op, (int)cs,
					    (int)(b->ref->len - op));
		if (n < 0)
			b_die("liblz4 failed");
		op += n;
		ip += 4 + cs;
	}
}

BENCH(bench_lz4)
{
	struct t_blob *vm = t_kernel_payload();
	struct lz4_bench b;

	if (!vm)
		return;
	b.ref = vm;
	b.in.data = malloc(4 + (vm->len / (8 << 20) + 1) * (4 + LZ4_compressBound(8 << 20)));
	b.out = malloc(vm->len);
	kd_put_le32(b.in.data, 0x184C2102);
	b.in.len = 4;
	for (size_t pos = 0; pos < vm->len; pos += 8 << 20) {
		int chunk = vm->len - pos > (8u << 20) ? 8 << 20 : (int)(vm->len - pos);
		int n = LZ4_compress_HC((const char *)vm->data + pos, (char *)b.in.data + b.in.len + 4, chunk,
					LZ4_compressBound(chunk), 9);
		kd_put_le32(b.in.data + b.in.len, (uint32_t)n);
		b.in.len += 4 + n;
	}
	double t_ref = b_time(reference, &b, 7);
	double t_ours = b_time(ours, &b, 7);
	if (memcmp(b.out, vm->data, vm->len))
		b_die("kdecomp lz4 output differs");
	b_report("lz4 -l -9, kernel", "LZ4_decompress_safe", vm->len, t_ours, t_ref);
	free(b.in.data);
	free(b.out);
}
