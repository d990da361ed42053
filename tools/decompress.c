// SPDX-License-Identifier: MIT
/*
 * kdecomp decompress [-F FORMAT] [-o OUT] [IN]: zcat for every kernel
 * format.  The output size is unknown in general, so the buffer starts
 * at a guess and doubles whenever the decoder runs out of room.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

/*
 * The first guess: four times the input, or the size Linux appends to its
 * payloads when the last 4 bytes look like one.  Other streams end in
 * other bytes (an xz footer's "YZ" reads as 1.5 GB), so a "size" beyond
 * 256 times the input is not trusted: the buffer doubles its way there
 * instead, if the data really is that redundant.
 */
static size_t first_capacity(const uint8_t *in, size_t len)
{
	size_t cap = len < SIZE_MAX / 4 ? len * 4 : len;

	if (len >= 4) {
		size_t hint = kd_get_le32(in + len - 4);

		if (hint > cap && hint / 256 <= len)
			cap = hint;
	}
	return cap;
}

int cmd_decompress(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *in_path = "-", *out_path = "-";
	enum kd_format fmt = KD_FMT_UNKNOWN;
	int c;

	while ((c = getopt_long(argc, argv, "F:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if ((fmt = kd_format_by_name(optarg)) == KD_FMT_UNKNOWN)
				die("decompress: unknown format '%s' (gzip, bzip2, lzma, xz, lzo, lz4, zstd)", optarg);
			break;
		case 'o':
			out_path = optarg;
			break;
		default:
			die_usage("decompress");
		}
	}
	if (optind < argc)
		in_path = argv[optind++];
	if (optind < argc)
		die_usage("decompress");

	struct kd_file in = read_file(in_path);
	if (fmt == KD_FMT_UNKNOWN && (fmt = kd_detect_format(in.data, in.len)) == KD_FMT_UNKNOWN)
		die("decompress: %s: no known format's magic at the start (name one with -F)",
		    strcmp(in_path, "-") ? in_path : "standard input");

	const char *name = kd_format_name(fmt);
	struct kd_file out;
	struct kd_job job;
	enum kd_err err = decode_stream(fmt, in.data, in.len, first_capacity(in.data, in.len), true, &out, &job);
	if (err != KD_OK)
		die("decompress: %s: %s: %s", name, kd_strerror(err), job.why ? job.why : "?");
	if (!tail_is_allowed(in.data, in.len, job.in_used, out.len))
		die("decompress: %s: trailing garbage after the stream (%zu bytes at offset %zu)", name,
		    in.len - job.in_used, job.in_used);
	write_file(out_path, out.data, out.len);
	free(out.data);
	free(in.data);
	return 0;
}
