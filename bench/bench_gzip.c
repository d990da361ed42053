// SPDX-License-Identifier: MIT
/*
 * gzip as Linux packs its kernel (gzip -9: zlib level 9, here through
 * deflateInit2 with windowBits 31 for the gzip wrapper), decoded by us, by
 * libdeflate_gzip_decompress and by zlib's inflate.  All three verify the
 * CRC-32 and size, and each output is compared with the payload.
 */
#include <libdeflate.h>
#include <stdlib.h>
#include <zlib.h>

#include "b.h"
#include "kd.h"

struct gzip_bench {
	struct t_blob in;
	const struct t_blob *ref;
	uint8_t *out;
	uint8_t *heap;
	struct libdeflate_decompressor *ld;
};

static void ours(void *arg)
{
	struct gzip_bench *b = arg;
	struct kd_heap heap;
	struct kd_job job = { .in = b->in.data, .in_len = b->in.len, .out = b->out, .out_cap = b->ref->len,
			      .heap = &heap };

	kd_heap_init(&heap, b->heap, kd_gzip_heap_size());
	if (kd_gzip_decode(&job) || job.out_len != b->ref->len)
		b_die("kdecomp gzip failed: %s", job.why);
}

static void with_libdeflate(void *arg)
{
	struct gzip_bench *b = arg;
	size_t n;

	if (libdeflate_gzip_decompress(b->ld, b->in.data, b->in.len, b->out, b->ref->len, &n) != LIBDEFLATE_SUCCESS ||
	    n != b->ref->len)
		b_die("libdeflate failed");
}

static void with_zlib(void *arg)
{
	struct gzip_bench *b = arg;
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 31) != Z_OK)
		b_die("inflateInit2 failed");
	zs.next_in = b->in.data;
	zs.avail_in = (uInt)b->in.len;
	zs.next_out = b->out;
	zs.avail_out = (uInt)b->ref->len;
	if (inflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out != b->ref->len)
		b_die("zlib inflate failed");
	inflateEnd(&zs);
}

static void check_output(const struct gzip_bench *b, const char *who)
{
	if (memcmp(b->out, b->ref->data, b->ref->len))
		b_die("%s gzip output differs", who);
	memset(b->out, 0, b->ref->len);
}

static struct t_blob gzip9(const struct t_blob *in)
{
	z_stream zs;
	struct t_blob out;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		b_die("deflateInit2 failed");
	out.len = deflateBound(&zs, in->len);
	out.data = malloc(out.len);
	zs.next_in = in->data;
	zs.avail_in = (uInt)in->len;
	zs.next_out = out.data;
	zs.avail_out = (uInt)out.len;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		b_die("deflate failed");
	out.len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

BENCH(bench_gzip)
{
	struct t_blob *vm = t_kernel_payload();
	struct gzip_bench b;

	if (!vm)
		return;
	b.ref = vm;
	b.in = gzip9(vm);
	b.out = malloc(vm->len);
	b.heap = malloc(kd_gzip_heap_size());
	b.ld = libdeflate_alloc_decompressor();

	/*
	 * Alternating rounds, keeping each side's best median: a burst of load
	 * from elsewhere then skews neither side alone.
	 */
	double t_ld = 1e9, t_ours = 1e9, t_zlib = 1e9;
	for (int round = 0; round < 3; round++) {
		double t = b_time(with_libdeflate, &b, 5);
		check_output(&b, "libdeflate");
		t_ld = t < t_ld ? t : t_ld;
		t = b_time(ours, &b, 5);
		check_output(&b, "kdecomp");
		t_ours = t < t_ours ? t : t_ours;
		t = b_time(with_zlib, &b, 3);
		check_output(&b, "zlib");
		t_zlib = t < t_zlib ? t : t_zlib;
	}
	b_report("gzip -9 (zlib level 9), kernel", "libdeflate_gzip_decompress", vm->len, t_ours, t_ld);
	b_report("gzip -9 (zlib level 9), kernel", "zlib inflate", vm->len, t_ours, t_zlib);
	libdeflate_free_decompressor(b.ld);
	free(b.in.data);
	free(b.out);
	free(b.heap);
}
