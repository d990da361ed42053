// SPDX-License-Identifier: MIT
/*
 * kdecomp decompress [-F FORMAT] [-o OUT] [IN]: zcat for every kernel
 * format, in one decoding pass.
 *
 * The decoders take whole buffers and cannot resume, so the output buffer
 * must be large enough before the decode starts.  Its size comes from the
 * stream's own headers (kd_out_bound: the size the format records, or a
 * bound from its block structure); the buffer is address space reserved
 * with MAP_NORESERVE, so a loose bound costs nothing: only the pages the
 * decoder writes are ever backed, as huge pages where the kernel allows.
 * Where nothing bounds the output (.lzma without a size) the reservation is
 * as large as the address space allows, up to DECODE_RESERVE_MAX.
 *
 * A regular input file is mapped, not read, so the input is not copied.
 * The output is written once the stream has decoded and checked: memory
 * peaks at the input plus the output (not a window, as for streaming
 * tools), the price of whole-buffer decoders.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools.h"

/* The most address space one decode reserves, and the least it settles for when the system refuses more. */
#define DECODE_RESERVE_MAX (1ull << 40)
#define DECODE_RESERVE_MIN (1ull << 26)

struct input {
	struct kd_file f;
	bool mapped;
};

/* A regular file is mapped (populated at once: the decoder reads all of it); anything else is read. */
static struct input input_open(const char *path)
{
	struct input in = { { NULL, 0 }, false };
	struct stat st;
	int fd;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);

			if (p != MAP_FAILED) {
				in.f = (struct kd_file){ p, (size_t)st.st_size };
				in.mapped = true;
			}
		}
		close(fd);
	}
	if (!in.mapped)
		in.f = read_file(path);
	return in;
}

static void input_close(struct input *in)
{
	if (in->mapped)
		munmap(in->f.data, in->f.len);
	else
		free(in->f.data);
}

/*
 * `want` bytes of address space for the output, or as much of it as the
 * system grants (strict overcommit or an address-space limit refuse large
 * reservations): *got says how much.  Pages are backed only when written.
 */
static uint8_t *output_reserve(uint64_t want, size_t *got)
{
	uint64_t size = want < DECODE_RESERVE_MAX ? want : DECODE_RESERVE_MAX;

	if (size == 0)
		size = 1;	/* an empty stream still gets a valid pointer */
	for (;;) {
		void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p != MAP_FAILED) {
			advise_huge_pages(p, (size_t)size);
			*got = (size_t)size;
			return p;
		}
		if (size <= DECODE_RESERVE_MIN)
			die("decompress: cannot reserve %llu bytes of address space for the output: %s",
			    (unsigned long long)size, strerror(errno));
		size /= 2;
	}
}

/* The decoder filled the buffer: say which limit the stream ran into. */
static void die_output_full(const char *name, uint64_t bound, bool exact, size_t cap)
{
	if (exact)
		die("decompress: %s: the stream holds more than the %llu bytes its headers record", name,
		    (unsigned long long)bound);
	if (cap < bound)
		die("decompress: %s: the output passes the %zu bytes of address space this system grants", name, cap);
	die("decompress: %s: the stream decodes to more than its block structure allows (%llu bytes)", name,
	    (unsigned long long)bound);
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

	struct input in = input_open(in_path);
	const uint8_t *data = in.f.data;
	size_t len = in.f.len;
	if (fmt == KD_FMT_UNKNOWN && (fmt = kd_detect_format(data, len)) == KD_FMT_UNKNOWN)
		die("decompress: %s: no known format's magic at the start (name one with -F)",
		    strcmp(in_path, "-") ? in_path : "standard input");

	const char *name = kd_format_name(fmt);
	bool exact;
	uint64_t bound = kd_out_bound(fmt, data, len, &exact);
	size_t cap;
	uint8_t *out = output_reserve(bound, &cap);
	struct kd_job job;
	enum kd_err err = decode_stream(fmt, data, len, out, cap, &job);
	if (err == KD_ERR_OUTPUT_FULL)
		die_output_full(name, bound, exact, cap);
	if (err != KD_OK)
		die("decompress: %s: %s: %s", name, kd_strerror(err), job.why ? job.why : "?");
	if (!tail_is_allowed(data, len, job.in_used, job.out_len))
		die("decompress: %s: trailing garbage after the stream (%zu bytes at offset %zu)", name,
		    len - job.in_used, job.in_used);
	write_file(out_path, out, job.out_len);
	munmap(out, cap);
	input_close(&in);
	return 0;
}
