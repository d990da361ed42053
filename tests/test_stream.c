// SPDX-License-Identifier: MIT
/*
 * `kdecomp decompress` streams: a stream that decodes to 2 GiB comes out
 * whole and right while the process's peak RSS stays under STREAM_RSS_MAX,
 * far below the output's size.  Before streaming, the whole output was in
 * memory at once: these tests fail on a decoder that stops calling drain,
 * on a sink that stops giving memory back, and on a wrong byte or a lost
 * piece anywhere in the 2 GiB.
 *
 * The streams are zeros, compressed through a pipe by the reference tool
 * (so no size is recorded where the format makes that optional) and small
 * on disk: a PIECE_BYTES stream repeated PIECES times, which every format
 * decodes as one output (concatenated members, frames, streams and files),
 * and zstd once as a single 2 GiB frame.  .lzma is left out: with no blocks
 * and a dictionary as large as its output, it cannot stream.
 *
 * Also: -o naming a FIFO (or a device: -o /dev/null) writes into it, and
 * leaves it what it was; writing to a temporary file and renaming it over
 * the path, as for a regular file, replaced /dev/null with a file.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"

#define OUTPUT_BYTES	(2ull << 30)
#define PIECE_BYTES	(64ull << 20)
#define PIECES		(OUTPUT_BYTES / PIECE_BYTES)
/* Under ASan, its shadow: a byte for each 8 the output passes through, resident at the end. */
#ifdef __SANITIZE_ADDRESS__
#define SHADOW_BYTES	(OUTPUT_BYTES / 8)
#else
#define SHADOW_BYTES	0ull
#endif
/*
 * The input (under 10 MiB here), the decoder's heap (bzip2's is the
 * largest, about 4 MiB), its window (zstd's, 2 MiB at level 1) or block
 * (xz's, 4 MiB below; zeros make bzip2's, deflate's and lz4's up to a few
 * MiB), the 1 MiB the sink batches and the 2 MiB its unmapping rounds to,
 * with room to spare: a 32nd of the output (plus ASan's shadow, in the
 * sanitizer build).
 */
#define STREAM_RSS_MAX	((64ull << 20) + SHADOW_BYTES)

/* What one run gave: its exit status, its output's length, whether it was all zeros, its peak RSS. */
struct stream_run {
	int status;
	uint64_t out_len;
	bool all_zero;
	uint64_t max_rss;
};

/* Count and check what comes through the pipe. */
static void read_output(int fd, struct stream_run *r)
{
	static uint8_t buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			r->all_zero &= buf[i] == 0;
		r->out_len += (uint64_t)n;
	}
}

/*
 * `kdecomp decompress PATH` with its output into a pipe we read, its peak
 * RSS as /usr/bin/time reports it.  Not wait4's on our own child: a child
 * forked from this process starts with a copy of all of it (the kernel
 * payloads other tests hold), and the peak carries across exec; time is
 * small when it forks kdecomp.
 */
static struct stream_run decompress_measured(const char *path)
{
	struct stream_run r = { -1, 0, true, 0 };
	const char *rss_file = t_tmp("max_rss");
	int fds[2], status;

	if (pipe(fds) != 0)
		return r;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/usr/bin/time", "time", "-f", "%M", "-o", rss_file, t_kdecomp_path(), "decompress", path,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0)
		read_output(fds[0], &r);
	close(fds[0]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	struct t_blob kib = t_read_text(rss_file);
	if (kib.data)
		r.max_rss = strtoull((char *)kib.data, NULL, 10) << 10;
	free(kib.data);
	return r;
}

static void check_streams(const char *what, const char *path)
{
	struct stream_run r = decompress_measured(path);

	CHECKF(r.status == 0, "%s: exit status %d", what, r.status);
	CHECKF(r.out_len == OUTPUT_BYTES && r.all_zero, "%s: %llu bytes out, %s", what,
	       (unsigned long long)r.out_len, r.all_zero ? "all zero" : "not all zero");
	CHECKF(r.max_rss > 0, "%s: no peak RSS from /usr/bin/time (install time: make deps)", what);
	CHECKF(r.max_rss < STREAM_RSS_MAX, "%s: peak RSS %llu MiB, more than %llu MiB for %llu MiB of output", what,
	       (unsigned long long)(r.max_rss >> 20), STREAM_RSS_MAX >> 20, OUTPUT_BYTES >> 20);
	printf("  %s: peak RSS %llu MiB for %llu MiB out\n", what, (unsigned long long)(r.max_rss >> 20),
	       OUTPUT_BYTES >> 20);
}

/* One format: a piece of zeros through `compress` (reading stdin), repeated PIECES times. */
static void check_pieces(const char *what, const char *compress)
{
	const char *piece = t_tmp("piece"), *whole = t_tmp("whole");

	if (t_run("head -c %llu /dev/zero | %s > '%s'", PIECE_BYTES, compress, piece) != 0) {
		t_fail(__FILE__, __LINE__, "'%s' failed: install it (make deps)", compress);
		return;
	}
	CHECK_EQ(t_run("for i in $(seq %llu); do cat '%s'; done > '%s'", PIECES, piece, whole), 0);
	check_streams(what, whole);
}

TEST(stream_every_blocked_format_in_bounded_memory)
{
	if (!t_have_kdecomp())
		return;
	check_pieces("gzip", "gzip -1 -c");
	check_pieces("bzip2", "bzip2 -1 -c");
	check_pieces("xz, 4 MiB blocks", "xz -0 -T1 --block-size=4MiB -c");
	check_pieces("lzop", "lzop -1 -c");
	check_pieces("lz4 frame, content checksum", "lz4 -q -1 -c");
	check_pieces("lz4 legacy", "lz4 -q -1 -l -c");
	check_pieces("zstd", "zstd -q -1 -c");
}

TEST(stream_one_zstd_frame_of_2_gib)
{
	const char *whole = t_tmp("whole");

	if (!t_have_kdecomp())
		return;
	CHECK_EQ(t_run("head -c %llu /dev/zero | zstd -q -1 -c > '%s'", OUTPUT_BYTES, whole), 0);
	check_streams("zstd, one frame", whole);
}

TEST(stream_into_a_fifo_leaves_it_a_fifo)
{
	static const char text[] = "streamed through a FIFO\n";
	const char *fifo = t_tmp("fifo"), *got = t_tmp("got");
	struct stat st;

	if (!t_have_kdecomp())
		return;
	t_write_file(t_tmp("text"), text, sizeof(text) - 1);
	CHECK_EQ(t_run("gzip -c '%s' > '%s'", t_tmp("text"), t_tmp("text.gz")), 0);
	unlink(fifo);
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	/* the reader gives up in the end: a FIFO that was renamed over never gets a writer */
	CHECK_EQ(t_run("timeout 30 cat '%s' > '%s' & %s decompress '%s' -o '%s'; s=$?; wait; exit $s", fifo, got,
		       t_kdecomp_path(), t_tmp("text.gz"), fifo), 0);
	CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));

	struct t_blob out = t_read_file(got);
	CHECK(out.len == sizeof(text) - 1 && memcmp(out.data, text, out.len) == 0);
	free(out.data);
}
