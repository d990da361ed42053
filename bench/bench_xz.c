// SPDX-License-Identifier: MIT
/*
 * xz and .lzma on the real kernel payload, packed as Linux packs it:
 *   xz:   xz --check=crc32 --x86 --lzma2=preset=9,dict=32MiB
 *         (liblzma's lzma_stream_buffer_encode with x86 + LZMA2), against
 *         lzma_stream_buffer_decode; and Debian's own xz payload from its
 *         generic kernel, as shipped;
 *   lzma: lzma -9 (liblzma's .lzma encoder at preset 9), against liblzma's
 *         .lzma decoder.
 * Compressing 50 MB at preset 9 takes a while, so the compressed payloads are
 * cached next to the kernels (keyed by the payload's size).
 */
#include <lzma.h>
#include <stdlib.h>

#include "b.h"
#include "kd.h"

struct xz_bench {
	struct t_blob in;
	size_t out_len;
	uint8_t *out;
	uint8_t *heap;
	size_t heap_size;
	bool lzma;	/* .lzma rather than .xz */
};

static struct t_blob compress_xz(const struct t_blob *vm)
{
	lzma_options_lzma opt;
	lzma_filter f[3] = { { LZMA_FILTER_X86, NULL }, { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
	size_t cap = lzma_stream_buffer_bound(vm->len);
	struct t_blob c = { malloc(cap), 0 };

	lzma_lzma_preset(&opt, 9);
	opt.dict_size = 32u << 20;
	if (lzma_stream_buffer_encode(f, LZMA_CHECK_CRC32, NULL, vm->data, vm->len, c.data, &c.len, cap) != LZMA_OK)
		b_die("liblzma could not compress the payload");
	return c;
}

static struct t_blob compress_lzma(const struct t_blob *vm)
{
	lzma_options_lzma opt;
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap = vm->len + vm->len / 2 + 4096;
	struct t_blob c = { malloc(cap), 0 };

	lzma_lzma_preset(&opt, 9);
	if (lzma_alone_encoder(&strm, &opt) != LZMA_OK)
		b_die("liblzma: no .lzma encoder");
	strm.next_in = vm->data;
	strm.avail_in = vm->len;
	strm.next_out = c.data;
	strm.avail_out = cap;
	if (lzma_code(&strm, LZMA_FINISH) != LZMA_STREAM_END)
		b_die("liblzma could not compress the payload");
	c.len = cap - strm.avail_out;
	lzma_end(&strm);
	return c;
}

static struct t_blob cached(const char *what, const struct t_blob *vm, struct t_blob (*compress)(const struct t_blob *))
{
	struct t_blob c = t_cache_read(what, vm->len);

	if (c.data)
		return c;
	fprintf(stderr, "compressing the payload (%s, once)...\n", what);
	c = compress(vm);
	t_cache_write(what, vm->len, &c);
	return c;
}

static void ours(void *arg)
{
	struct xz_bench *b = arg;
	struct kd_heap heap;
	struct kd_job job = { .in = b->in.data, .in_len = b->in.len, .out = b->out, .out_cap = b->out_len,
			      .heap = &heap };
	enum kd_err err;

	kd_heap_init(&heap, b->heap, b->heap_size);
	err = b->lzma ? kd_lzma_decode(&job) : kd_xz_decode(&job);
	if (err || job.out_len != b->out_len)
		b_die("kdecomp %s failed: %s", b->lzma ? "lzma" : "xz", job.why);
}

static void reference(void *arg)
{
	struct xz_bench *b = arg;

	if (b->lzma) {
		lzma_stream strm = LZMA_STREAM_INIT;

		if (lzma_alone_decoder(&strm, UINT64_MAX) != LZMA_OK)
			b_die("liblzma: no .lzma decoder");
		strm.next_in = b->in.data;
		strm.avail_in = b->in.len;
		strm.next_out = b->out;
		strm.avail_out = b->out_len;
		if (lzma_code(&strm, LZMA_FINISH) != LZMA_STREAM_END)
			b_die("liblzma .lzma decoding failed");
		lzma_end(&strm);
	} else {
		uint64_t memlimit = UINT64_MAX;
		size_t in_pos = 0, out_pos = 0;

		if (lzma_stream_buffer_decode(&memlimit, 0, NULL, b->in.data, &in_pos, b->in.len, b->out, &out_pos,
					      b->out_len) != LZMA_OK)
			b_die("liblzma xz decoding failed");
	}
}

static void run(const char *what, struct xz_bench *b, const uint8_t *expect)
{
	double t_ref = b_time(reference, b, 5);
	memset(b->out, 0, b->out_len);
	double t_ours = b_time(ours, b, 5);

	if (memcmp(b->out, expect, b->out_len))
		b_die("kdecomp %s output differs", what);
	b_report(what, b->lzma ? "liblzma lzma_alone_decoder" : "lzma_stream_buffer_decode", b->out_len, t_ours, t_ref);
}

/* The xz payload of Debian's generic kernel, minus Linux's 4-byte size trailer. */
static struct t_blob debian_xz_payload(struct t_blob img)
{
	struct t_blob p = t_bzimage_payload(img);

	if (p.len < 4 || kd_detect_format(p.data, p.len) != KD_FMT_XZ)
		return (struct t_blob){ NULL, 0 };
	p.len -= 4;
	return p;
}

BENCH(bench_xz)
{
	struct t_blob *vm = t_kernel_payload();
	struct xz_bench b = { .heap_size = kd_xz_heap_size() };

	if (!vm)
		return;
	b.heap = malloc(kd_lzma_heap_size() > b.heap_size ? kd_lzma_heap_size() : b.heap_size);
	b.out_len = vm->len;
	b.out = malloc(vm->len);

	b.in = cached("xz", vm, compress_xz);
	run("xz --x86 --lzma2=preset=9,dict=32MiB -Ccrc32, kernel", &b, vm->data);
	free(b.in.data);

	b.lzma = true;
	b.heap_size = kd_lzma_heap_size();
	b.in = cached("lzma", vm, compress_lzma);
	run("lzma -9, kernel", &b, vm->data);
	free(b.in.data);
	free(b.out);

	/* what Debian ships: its generic kernel's payload */
	const char *path = t_kernel_path("vmlinuz-generic");
	struct t_blob img = path ? t_read_file(path) : (struct t_blob){ NULL, 0 };
	struct t_blob p = debian_xz_payload(img);
	if (p.data) {
		uint64_t memlimit = UINT64_MAX;
		size_t in_pos = 0, out_pos = 0, cap = (size_t)kd_get_le32(p.data + p.len) + 1;
		uint8_t *expect = malloc(cap);

		if (lzma_stream_buffer_decode(&memlimit, 0, NULL, p.data, &in_pos, p.len, expect, &out_pos, cap) != LZMA_OK)
			b_die("liblzma cannot decode Debian's xz payload");
		b.lzma = false;
		b.heap_size = kd_xz_heap_size();
		b.in = p;
		b.out_len = out_pos;
		b.out = malloc(out_pos);
		run("xz, Debian generic kernel as shipped", &b, expect);
		free(b.out);
		free(expect);
	}
	free(img.data);
	free(b.heap);
}
