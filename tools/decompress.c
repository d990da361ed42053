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
 * as large as the address space allows (reserve_output).
 *
 * The output streams out as it is decoded: between blocks the decoder says
 * what is done and how far back its matches can still reach (kd_job's
 * drain), and the sink writes what is done and gives back the memory
 * behind the window.  Memory stays near the input plus the window, whatever
 * the output's size: gzip (32 KiB), lz4 (64 KiB), zstd (the frame's
 * window), bzip2 and lzop (a block), xz (a block: its filters and check run
 * over the whole block).  .lzma has no blocks and a whole-output
 * dictionary: it is written out whole, at its end.  Data goes out before the
 * stream's last check, as with the reference tools; a failed stream exits
 * 1 and leaves no -o file (standard output keeps what was written).
 *
 * A regular input file is mapped, not read, so the input is not copied.
 */
#include <getopt.h>
#include <string.h>
#include <sys/mman.h>

#include "tools.h"

/*
 * Where decoded output goes: written out in pieces of at least
 * SINK_WRITE_MIN bytes, and the reservation behind the decoder's window
 * unmapped in whole huge pages (unmapped, not just emptied: a read there
 * would be a decoder bug, and it faults instead of reading zeros).
 */
#define SINK_WRITE_MIN ((size_t)1 << 20)

struct sink {
	struct out_file file;
	uint8_t *base;		/* the reservation */
	size_t written;		/* bytes of it written out */
	size_t released;	/* bytes of it unmapped: a multiple of HUGE_PAGE_SIZE, <= written */
};

static void sink_drain(struct kd_job *job, size_t done, size_t keep)
{
	struct sink *s = job->drain_ctx;

	if (done - s->written >= SINK_WRITE_MIN) {
		out_write(&s->file, s->base + s->written, done - s->written);
		s->written = done;
	}

	uintptr_t from = (uintptr_t)s->base + s->released;
	uintptr_t to = ((uintptr_t)s->base + (keep < s->written ? keep : s->written)) & ~(HUGE_PAGE_SIZE - 1);
	if (to > from && munmap((void *)from, to - from) == 0)
		s->released = to - (uintptr_t)s->base;
}

/* The rest of the output after a successful decode, and the file into place. */
static void sink_finish(struct sink *s, size_t out_len)
{
	out_write(&s->file, s->base + s->written, out_len - s->written);
	s->written = out_len;
	out_commit(&s->file);
}

/* The decoder filled the buffer: say which limit the stream ran into. */
static void output_full_message(char *msg, size_t size, const char *name, uint64_t bound, bool exact, size_t cap)
{
	if (exact)
		snprintf(msg, size, "%s: the stream holds more than the %llu bytes its headers record", name,
			 (unsigned long long)bound);
	else if (cap < bound)
		snprintf(msg, size, "%s: the output passes the %zu bytes of address space this system grants", name, cap);
	else
		snprintf(msg, size, "%s: the stream decodes to more than its block structure allows (%llu bytes)", name,
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

	struct kd_file in = map_file(in_path);
	const uint8_t *data = in.data;
	size_t len = in.len;
	if (fmt == KD_FMT_UNKNOWN && (fmt = kd_detect_format(data, len)) == KD_FMT_UNKNOWN)
		die("decompress: %s: no known format's magic at the start (name one with -F)",
		    strcmp(in_path, "-") ? in_path : "standard input");

	const char *name = kd_format_name(fmt);
	bool exact;
	uint64_t bound = kd_out_bound(fmt, data, len, &exact);
	size_t cap;
	struct sink sink = { out_open(out_path), reserve_output(bound, &cap), 0, 0 };
	struct kd_job job;
	char msg[512] = "";
	enum kd_err err = decode_stream(fmt, data, len, sink.base, cap, sink_drain, &sink, &job);

	if (err == KD_ERR_OUTPUT_FULL)
		output_full_message(msg, sizeof(msg), name, bound, exact, cap);
	else if (err != KD_OK)
		snprintf(msg, sizeof(msg), "%s: %s: %s", name, kd_strerror(err), job.why ? job.why : "?");
	else if (!tail_is_allowed(data, len, job.in_used, job.out_len))
		snprintf(msg, sizeof(msg), "%s: trailing garbage after the stream (%zu bytes at offset %zu)", name,
			 len - job.in_used, job.in_used);
	if (msg[0]) {
		out_abort(&sink.file);
		die("decompress: %s", msg);
	}
	sink_finish(&sink, job.out_len);
	munmap(sink.base, cap);
	file_release(&in);
	return 0;
}
