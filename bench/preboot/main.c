// SPDX-License-Identifier: MIT
/*
 * bench-preboot: our decoders built with the stub's flags (FREE_CFLAGS)
 * against Linux's own preboot decompressors (linux_decoder.c, built with
 * arch/x86/boot/compressed's flags), on the same kernel payloads, in one
 * process.
 *
 *   preboot-run RUNS DIR PAYLOAD
 *
 * DIR/payload.<fmt> are the compressed payloads as Linux's build writes them
 * (the stream, then the le32 size); PAYLOAD is the decompressed payload
 * they must give.  Each side decodes into a buffer already faulted in (the
 * stub's memory is mapped before it decodes) with its own boot heap; runs
 * alternate, the first of each is checked against PAYLOAD and not timed.
 * Printed: median CPU time (CLOCK_PROCESS_CPUTIME_ID) per decode and the
 * ratio Linux / ours (above 1: ours is faster).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../clock.h"
#include "kd.h"

/* The boot heap Linux gives its decoders is at most 4 MiB (BOOT_HEAP_SIZE for bzip2); more costs nothing. */
#define LINUX_HEAP_SIZE (4u << 20)

typedef int linux_decode_fn(unsigned char *in, long in_len, unsigned char *out, long out_len, void *heap,
			    unsigned long heap_size, char **why);

#define LINUX_DECODER(fmt) linux_decode_fn linux_##fmt##_decompress
LINUX_DECODER(gzip);
LINUX_DECODER(bzip2);
LINUX_DECODER(lzma);
LINUX_DECODER(xz);
LINUX_DECODER(lzo);
LINUX_DECODER(lz4);
LINUX_DECODER(zstd);

/* Linux's boot string.c warns through this (error.c in its stub) when memcpy is asked to overlap. */
void warn(char *m);
void warn(char *m)
{
	fprintf(stderr, "Linux's preboot code warns: %s\n", m);
}

struct format {
	enum kd_format fmt;
	linux_decode_fn *linux_decode;
};

static const struct format formats[] = {
	{ KD_FMT_GZIP, linux_gzip_decompress },	{ KD_FMT_BZIP2, linux_bzip2_decompress },
	{ KD_FMT_LZMA, linux_lzma_decompress }, { KD_FMT_XZ, linux_xz_decompress },
	{ KD_FMT_LZO, linux_lzo_decompress },	{ KD_FMT_LZ4, linux_lz4_decompress },
	{ KD_FMT_ZSTD, linux_zstd_decompress },
};

struct blob {
	uint8_t *data;
	size_t len;
};

static struct blob slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct blob b = { NULL, 0 };

	if (!f || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "preboot-run: cannot read %s\n", path);
		exit(1);
	}
	b.len = (size_t)ftell(f);
	rewind(f);
	b.data = malloc(b.len ? b.len : 1);
	if (!b.data || fread(b.data, 1, b.len, f) != b.len) {
		fprintf(stderr, "preboot-run: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return b;
}

/* One decode by each side; false (with a message) if it fails or gives other bytes than `want`. */
static bool ours_once(const struct format *f, const struct blob *in, uint8_t *out, const struct blob *want,
		      void *heap)
{
	struct kd_heap h;
	struct kd_job job;

	kd_heap_init(&h, heap, kd_heap_size(f->fmt));
	job = (struct kd_job){ .in = in->data, .in_len = in->len, .out = out, .out_cap = want->len, .heap = &h };
	enum kd_err err = kd_decode(f->fmt, &job);
	if (err == KD_OK && job.out_len == want->len)
		return true;
	fprintf(stderr, "ours, %s: %s\n", kd_format_name(f->fmt), job.why ? job.why : "wrong length");
	return false;
}

static bool linux_once(const struct format *f, const struct blob *in, uint8_t *out, const struct blob *want,
		       void *heap)
{
	char *why = NULL;
	int ret = f->linux_decode(in->data, (long)in->len, out, (long)want->len, heap, LINUX_HEAP_SIZE, &why);

	if (ret >= 0 && !why)
		return true;
	fprintf(stderr, "Linux, %s: %s\n", kd_format_name(f->fmt), why ? why : "failed");
	return false;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: preboot-run RUNS DIR PAYLOAD\n");
		return 2;
	}
	int runs = atoi(argv[1]);
	struct blob want = slurp(argv[3]);
	uint8_t *out = malloc(want.len);
	void *heap = malloc(LINUX_HEAP_SIZE);
	double *t_ours = calloc((size_t)runs, sizeof(double)), *t_linux = calloc((size_t)runs, sizeof(double));
	int status = 0;

	if (runs < 1 || !out || !heap || !t_ours || !t_linux || kd_heap_size(KD_FMT_BZIP2) > LINUX_HEAP_SIZE)
		return 2;
	memset(out, 0, want.len);	/* faulted in before any timing */
	printf("%-6s %10s %10s %7s   (median CPU ms per decode of %zu bytes, %d runs)\n", "format", "linux", "ours",
	       "ratio", want.len, runs);
	for (size_t i = 0; i < KD_ARRAY_SIZE(formats); i++) {
		const struct format *f = &formats[i];
		char path[4096];

		snprintf(path, sizeof(path), "%s/payload.%s", argv[2], kd_format_name(f->fmt));
		struct blob in = slurp(path);
		bool ok = ours_once(f, &in, out, &want, heap) && memcmp(out, want.data, want.len) == 0;
		memset(out, 0, want.len);
		ok = ok && linux_once(f, &in, out, &want, heap) && memcmp(out, want.data, want.len) == 0;
		if (!ok) {
			printf("%-6s output differs from the payload\n", kd_format_name(f->fmt));
			status = 1;
			free(in.data);
			continue;
		}
		for (int r = 0; r < runs; r++) {
			for (int side = 0; side < 2; side++) {
				bool linux_side = (side + r) % 2;	/* who goes first alternates */
				double t0 = b_seconds(CLOCK_PROCESS_CPUTIME_ID);

				ok &= linux_side ? linux_once(f, &in, out, &want, heap) : ours_once(f, &in, out, &want, heap);
				*(linux_side ? &t_linux[r] : &t_ours[r]) = b_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
			}
		}
		double ml = b_median(t_linux, runs), mo = b_median(t_ours, runs);
		printf("%-6s %10.1f %10.1f %7.2f%s\n", kd_format_name(f->fmt), ml * 1e3, mo * 1e3, ml / mo,
		       ok ? "" : "  (a timed run failed)");
		status |= !ok;
		free(in.data);
	}
	return status;
}
