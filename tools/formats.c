// SPDX-License-Identifier: MIT
/*
 * kdecomp formats IMAGE|VMLINUX [--read-mbps N] [--json]
 *
 * Which format should this kernel be packed in?  Each of the seven is
 * packed exactly as `pack` packs it (Linux's levels), in memory, and for
 * each the estimated boot cost is
 *
 *     image bytes / read bandwidth  +  time to decode the payload
 *
 * the read being the boot loader's (disk to RAM) and the decode the stub's
 * own decoder, here compiled for the host and timed on it: the stub runs
 * the same code without SIMD and with cold caches, so the decode times are
 * a lower bound, good for ranking.  The costs rank the formats; the
 * cheapest is the recommendation.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

/* A SATA SSD's sequential read, in MB/s (10^6 bytes): the default --read-mbps. */
#define DEFAULT_READ_MBPS 500
/* bytes / (MB/s) in ns: bytes / (mbps * 10^6) * 10^9 */
#define NS_PER_BYTE_AT_1_MBPS 1000u

/*
 * Rounds of decodes: each round decodes every format once, so a busy
 * machine slows all of them alike; the fastest of its rounds is a
 * format's decode time.
 */
#define DECODE_ROUNDS 3

struct result {
	enum kd_format fmt;
	size_t image_bytes;
	size_t payload_bytes;
	uint64_t decode_ns;	/* the fastest round so far */
	uint64_t read_ns;	/* image_bytes at the read bandwidth */
	struct kd_bzimage img;	/* the packed image (in image) as a loader reads it */
	struct kd_file image;
};

static uint64_t cost_ns(const struct result *r)
{
	return r->read_ns + r->decode_ns;
}

static int by_cost(const void *a, const void *b)
{
	uint64_t ca = cost_ns(a), cb = cost_ns(b);

	return ca < cb ? -1 : ca > cb;
}

/* One decode of the packed image's payload, which must give the kernel back: its time. */
static uint64_t time_decode(const char *path, const struct result *r, const struct kd_file *kernel)
{
	uint8_t *out = xmalloc(kernel->len);
	struct kd_job job;
	uint64_t t0 = now_ns();
	enum kd_err err = decode_stream(r->img.format, r->img.payload, r->img.payload_len, out, kernel->len, NULL, NULL,
					&job);
	uint64_t t = now_ns() - t0;

	if (err || job.out_len != kernel->len || memcmp(out, kernel->data, kernel->len) != 0)
		die("formats: %s: the %s image does not decode to the kernel (%s)", path, kd_format_name(r->fmt),
		    err ? kd_strerror(err) : "different bytes");
	free(out);
	return t;
}

/* Pack `in` in fmt; the result with everything but the decode time. */
static struct result pack_one(const char *path, const struct input *in, enum kd_format fmt, unsigned read_mbps)
{
	struct packed p = pack_image(in, fmt, 0);
	struct result r = { .fmt = fmt, .image = p.image, .image_bytes = p.image.len, .payload_bytes = p.payload_len,
			    .decode_ns = UINT64_MAX,
			    .read_ns = (uint64_t)p.image.len * NS_PER_BYTE_AT_1_MBPS / read_mbps };
	struct kd_report rep = { 0 };
	enum kd_err err = kd_bzimage_parse(&r.img, r.image.data, r.image.len, &rep);

	if (err)
		die_report(path, err, &rep);
	return r;
}

/*
 * "packing xz (4/7)" or "timing decodes, round (2/3)" on a terminal, over
 * the previous line; nothing when stderr is not one.
 */
static void progress(bool shown, const char *what, const char *name, int i, int n)
{
	if (!shown)
		return;
	if (!what)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\r\033[K%s%s (%d/%d)...", what, name, i, n);
	fflush(stderr);
}

static void print_table(const struct result *res, int n, unsigned read_mbps)
{
	printf("%-8s %12s %12s %10s %10s %14s\n", "format", "image bytes", "payload", "read ms", "decode ms",
	       "boot cost ms");
	for (int i = 0; i < n; i++)
		printf("%-8s %12zu %12zu %10.1f %10.1f %14.1f\n", kd_format_name(res[i].fmt), res[i].image_bytes,
		       res[i].payload_bytes, res[i].read_ns / 1e6, res[i].decode_ns / 1e6, cost_ns(&res[i]) / 1e6);
	printf("\nrecommended: %s (the lowest boot cost reading at %u MB/s; decode timed on this host)\n",
	       kd_format_name(res[0].fmt), read_mbps);
}

static void print_json(const char *path, const struct result *res, int n, unsigned read_mbps, uint64_t kernel_bytes)
{
	struct emit e;

	emit_begin(&e, stdout, true);
	emit_cstr(&e, "input", path);
	emit_num(&e, "kernel_bytes", kernel_bytes, false);
	emit_num(&e, "read_mbps", read_mbps, false);
	emit_array(&e, "formats");
	for (int i = 0; i < n; i++) {
		emit_item(&e);
		emit_cstr(&e, "format", kd_format_name(res[i].fmt));
		emit_num(&e, "image_bytes", res[i].image_bytes, false);
		emit_num(&e, "payload_bytes", res[i].payload_bytes, false);
		emit_num(&e, "read_ns", res[i].read_ns, false);
		emit_num(&e, "decode_ns", res[i].decode_ns, false);
		emit_num(&e, "boot_cost_ns", cost_ns(&res[i]), false);
		emit_item_end(&e);
	}
	emit_close(&e);
	emit_cstr(&e, "recommended", kd_format_name(res[0].fmt));
	emit_end(&e);
}

int cmd_formats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read-mbps", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned read_mbps = DEFAULT_READ_MBPS;
	bool json = false;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "r:j", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			read_mbps = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg || read_mbps == 0 || read_mbps > 1000000)
				die("formats: --read-mbps wants a bandwidth in MB/s from 1 to 1000000, not '%s'", optarg);
			break;
		case 'j': json = true; break;
		default: die_usage("formats");
		}
	}
	if (optind + 1 != argc)
		die_usage("formats");

	const char *path = argv[optind];
	struct input *in = pack_read(path, NULL);
	struct kd_file kernel = pack_kernel(in);
	bool shown = isatty(STDERR_FILENO);
	struct result res[KD_FMT_COUNT - 1];
	int n = 0;

	for (enum kd_format fmt = KD_FMT_UNKNOWN + 1; fmt < KD_FMT_COUNT; fmt++, n++) {
		progress(shown, "packing ", kd_format_name(fmt), n + 1, KD_FMT_COUNT - 1);
		res[n] = pack_one(path, in, fmt, read_mbps);
	}
	for (int round = 0; round < DECODE_ROUNDS; round++) {
		progress(shown, "timing decodes", ", round", round + 1, DECODE_ROUNDS);
		for (int i = 0; i < n; i++) {
			uint64_t t = time_decode(path, &res[i], &kernel);

			res[i].decode_ns = t < res[i].decode_ns ? t : res[i].decode_ns;
		}
	}
	progress(shown, NULL, NULL, 0, 0);
	for (int i = 0; i < n; i++)
		free(res[i].image.data);
	qsort(res, n, sizeof(res[0]), by_cost);
	if (json)
		print_json(path, res, n, read_mbps, kernel.len);
	else
		print_table(res, n, read_mbps);
	pack_free(in);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("formats: cannot write to standard output");
	return 0;
}
