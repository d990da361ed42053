// SPDX-License-Identifier: MIT
/*
 * zstd on the real kernel payload, packed as Linux packs it (`zstd -22
 * --ultra`, the CLI's default content checksum included) and at level 19,
 * against libzstd's ZSTD_decompressDCtx.  Level 22 keeps its default
 * window, shrunk by libzstd to fit the payload (2^26 for ~53 MB), as the
 * CLI does when it knows the input size.  Compressing at these levels takes
 * a while, so the compressed payloads are cached next to the kernels (keyed
 * by the payload's size).  The machine is shared with other jobs, so the
 * two decoders are timed in turn, one run at a time, and each keeps its
 * fastest run: the speed it has when nothing else gets in the way.
 */
#include <stdlib.h>
#include <zstd.h>

#include "b.h"
#include "kd.h"

struct zstd_bench {
	struct t_blob in;
	const struct t_blob *ref;
	uint8_t *out;
	uint8_t *heap;
	ZSTD_DCtx *dctx;
};

static struct t_blob compressed(const struct t_blob *vm, int level)
{
	char what[16];
	struct t_blob c;

	snprintf(what, sizeof(what), "zst%d", level);
	if ((c = t_cache_read(what, vm->len)).data)
		return c;
	fprintf(stderr, "compressing the payload (zstd -%d, once)...\n", level);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(vm->len);
	c.data = malloc(cap);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	c.len = ZSTD_compress2(cc, c.data, cap, vm->data, vm->len);
	if (ZSTD_isError(c.len))
		b_die("libzstd could not compress the payload: %s", ZSTD_getErrorName(c.len));
	ZSTD_freeCCtx(cc);
	t_cache_write(what, vm->len, &c);
	return c;
}

static void ours(void *arg)
{
	struct zstd_bench *b = arg;
	struct kd_heap heap;
	struct kd_job job = { .in = b->in.data, .in_len = b->in.len, .out = b->out, .out_cap = b->ref->len,
			      .heap = &heap };

	kd_heap_init(&heap, b->heap, kd_zstd_heap_size());
	if (kd_zstd_decode(&job) || job.out_len != b->ref->len)
		b_die("kdecomp zstd failed: %s", job.why);
}

static void reference(void *arg)
{
	struct zstd_bench *b = arg;
	size_t n = ZSTD_decompressDCtx(b->dctx, b->out, b->ref->len, b->in.data, b->in.len);

	if (ZSTD_isError(n) || n != b->ref->len)
		b_die("libzstd failed: %s", ZSTD_getErrorName(n));
}

static void run(const struct t_blob *vm, int level, const char *what)
{
	struct zstd_bench b = { compressed(vm, level), vm, malloc(vm->len), malloc(kd_zstd_heap_size()),
				ZSTD_createDCtx() };
	double t_ref = 1e9, t_ours = 1e9;

	for (int round = 0; round < 8; round++) {
		double r = b_time(reference, &b, 1), o = b_time(ours, &b, 1);

		t_ref = r < t_ref ? r : t_ref;
		t_ours = o < t_ours ? o : t_ours;
	}
	if (memcmp(b.out, vm->data, vm->len))
		b_die("kdecomp zstd output differs");
	b_report(what, "ZSTD_decompressDCtx", vm->len, t_ours, t_ref);
	ZSTD_freeDCtx(b.dctx);
	free(b.in.data), free(b.out), free(b.heap);
}

BENCH(bench_zstd)
{
	struct t_blob *vm = t_kernel_payload();

	if (!vm)
		return;
	run(vm, 22, "zstd -22 --ultra, kernel");
	run(vm, 19, "zstd -19, kernel");
}
