// SPDX-License-Identifier: MIT
/* bzip2 (as Linux packs its kernel: bzip2 -9) against BZ2_bzBuffToBuffDecompress. */
#include <bzlib.h>
#include <stdlib.h>

#include "b.h"
#include "kd.h"

struct bzip2_bench {
	struct t_blob in;
	const struct t_blob *ref;
	uint8_t *out;
	void *heap_mem;
};

static void ours(void *arg)
{
	struct bzip2_bench *b = arg;
	struct kd_heap heap;
	kd_heap_init(&heap, b->heap_mem, kd_bzip2_heap_size());
	struct kd_job job = { .in = b->in.data, .in_len = b->in.len, .out = b->out, .out_cap = b->ref->len,
			      .heap = &heap };

	if (kd_bzip2_decode(&job) || job.out_len != b->ref->len)
		b_die("kdecomp bzip2 failed: %s", job.why);
}

static void reference(void *arg)
{
	struct bzip2_bench *b = arg;
	unsigned len = (unsigned)b->ref->len;

	if (BZ2_bzBuffToBuffDecompress((char *)b->out, &len, (char *)b->in.data, (unsigned)b->in.len, 0, 0) != BZ_OK ||
	    len != b->ref->len)
		b_die("libbz2 failed");
}

BENCH(bench_bzip2)
{
	struct t_blob *vm = t_kernel_payload();
	struct bzip2_bench b;

	if (!vm)
		return;
	b.ref = vm;
	unsigned cap = (unsigned)(vm->len + vm->len / 100 + 600);
	b.in.data = malloc(cap);
	if (BZ2_bzBuffToBuffCompress((char *)b.in.data, &cap, (char *)vm->data, (unsigned)vm->len, 9, 0, 30) != BZ_OK)
		b_die("libbz2 could not compress the payload");
	b.in.len = cap;
	b.out = malloc(vm->len);
	b.heap_mem = malloc(kd_bzip2_heap_size());
	double t_ref = b_time(reference, &b, 3);
	double t_ours = b_time(ours, &b, 3);
	if (memcmp(b.out, vm->data, vm->len))
		b_die("kdecomp bzip2 output differs");
	b_report("bzip2 -9, kernel", "BZ2_bzBuffToBuffDecompress", vm->len, t_ours, t_ref);
	free(b.in.data);
	free(b.out);
	free(b.heap_mem);
}
