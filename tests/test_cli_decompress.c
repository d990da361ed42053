// SPDX-License-Identifier: MIT
/*
 * `kdecomp decompress`, run as a program (build/kdecomp):
 *
 *   - every format the reference command-line tools write, on corpus
 *     inputs, with and without the size Linux appends: the original bytes;
 *   - gzip members one after the other, stdin to stdout, -F naming the format;
 *   - bad streams (cut short, trailing garbage, a wrong appended size, no
 *     magic, an unknown -F, a zstd content size too small): exit status 1,
 *     one line naming the format, and no output file left behind.
 */
#include <stdlib.h>
#include <unistd.h>

#include "kd.h"
#include "t.h"

static const struct t_reference_tool reference_tools[] = {
	{ "gzip", KD_FMT_GZIP, "gzip -9 -c", false },
	{ "lz4 frame", KD_FMT_LZ4, "lz4 -q -c", true },
	{ "lz4 legacy", KD_FMT_LZ4, "lz4 -q -l -c", true },
	{ "xz", KD_FMT_XZ, "xz -c --check=crc32", true },
	{ "lzma", KD_FMT_LZMA, "xz --format=lzma -c", true },
	{ "zstd", KD_FMT_ZSTD, "zstd -q -19 -c", true },
	{ "zstd, no content size", KD_FMT_ZSTD, "zstd -q -19 -c <", true },
	{ "lz4 frame, content size", KD_FMT_LZ4, "lz4 -q --content-size -c", true },
	{ "bzip2", KD_FMT_BZIP2, "bzip2 -c", true },
	{ "lzo", KD_FMT_LZO, "lzop -c", true },
};

static const char *const corpus_picks[] = { "one byte", "text", "x86-64 binary", "zeros" };

/* One compressed file through `kdecomp decompress`: the original bytes. */
static void check_decompress(const char *what, const struct t_blob *c, const struct t_blob *orig)
{
	const char *out = t_tmp("decoded");
	struct t_blob err;
	int rc;

	unlink(out);
	t_write_file(t_tmp("compressed"), c->data, c->len);
	rc = t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("compressed"), out);
	err = t_captured("stderr");
	CHECKF(rc == 0, "%s: exit %d: %s", what, rc, err.data);
	CHECKF(rc != 0 || t_file_equals(out, orig->data, orig->len), "%s: output differs from the original", what);
	free(err.data);
}

/* The same file cut short: exit 1, one line naming the format, no output file. */
static void check_decompress_truncated(const struct t_reference_tool *t, const char *what, const struct t_blob *c)
{
	const char *out = t_tmp("decoded");
	char needle[32];

	unlink(out);
	t_write_file(t_tmp("compressed"), c->data, c->len / 2);
	CHECKF(t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("compressed"), out) == 1, "%s: did not exit 1", what);
	snprintf(needle, sizeof(needle), "decompress: %s: ", kd_format_name(t->fmt));
	t_check_error_line(what, needle);
	CHECKF(!t_exists(out), "%s: output file left behind", what);
}

TEST(cli_decompress_matches_reference_tools)
{
	if (!t_have_kdecomp())
		return;
	for (size_t k = 0; k < sizeof(reference_tools) / sizeof(reference_tools[0]); k++) {
		const struct t_reference_tool *t = &reference_tools[k];

		for (size_t i = 0; i < sizeof(corpus_picks) / sizeof(corpus_picks[0]); i++) {
			struct t_blob orig, c;
			char what[128];

			if (!t_corpus_find(corpus_picks[i], &orig))
				continue;
			t_write_file(t_tmp("original"), orig.data, orig.len);
			if (!(c = t_compress_with(t, t_tmp("original"))).data)
				break;
			snprintf(what, sizeof(what), "%s, %s", t->label, corpus_picks[i]);
			check_decompress(what, &c, &orig);
			if (c.len > 32) {	/* long enough to cut inside the data, not just the header */
				snprintf(what, sizeof(what), "%s, %s, truncated", t->label, corpus_picks[i]);
				check_decompress_truncated(t, what, &c);
			}
			if (t->kernel_size) {	/* as in a kernel payload: the size appended */
				c.data = realloc(c.data, c.len + 4);
				kd_put_le32(c.data + c.len, (uint32_t)orig.len);
				c.len += 4;
				snprintf(what, sizeof(what), "%s, %s, size appended", t->label, corpus_picks[i]);
				check_decompress(what, &c, &orig);
			}
			free(c.data);
		}
	}
}

/* What the reference tools write beyond a single plain stream. */
TEST(cli_decompress_gzip_members_and_stdin)
{
	struct t_blob text, bin;

	if (!t_have_kdecomp() || !t_corpus_find("text", &text) || !t_corpus_find("x86-64 binary", &bin))
		return;
	t_write_file(t_tmp("a"), text.data, text.len);
	t_write_file(t_tmp("b"), bin.data, bin.len);
	/* two members, the first with FNAME, the second without; stdin to stdout */
	CHECK_EQ(t_run("gzip -c '%s' > '%s' && gzip -1 -n -c '%s' >> '%s'", t_tmp("a"), t_tmp("ab.gz"), t_tmp("b"), t_tmp("ab.gz")), 0);
	int rc = t_run("%s decompress < '%s'", KDECOMP, t_tmp("ab.gz"));
	struct t_blob out = t_captured("stdout"), err = t_captured("stderr");

	CHECKF(rc == 0, "two gzip members from stdin: exit %d: %s", rc, err.data);
	CHECK(out.len == text.len + bin.len && memcmp(out.data, text.data, text.len) == 0 &&
	      memcmp(out.data + text.len, bin.data, bin.len) == 0);
	free(err.data);
	free(out.data);

	/* file to stdout, -F naming the format */
	CHECK_EQ(t_run("lz4 -q -c '%s' > '%s'", t_tmp("a"), t_tmp("a.lz4")), 0);
	CHECK_EQ(t_run("%s decompress -F lz4 '%s'", KDECOMP, t_tmp("a.lz4")), 0);
	out = t_captured("stdout");
	CHECK(out.len == text.len && memcmp(out.data, text.data, text.len) == 0);
	free(out.data);
}

TEST(cli_decompress_rejects_bad_streams)
{
	struct t_blob text, c;
	const char *out = t_tmp("never");

	if (!t_have_kdecomp() || !t_corpus_find("text", &text))
		return;
	t_write_file(t_tmp("a"), text.data, text.len);
	CHECK_EQ(t_run("lz4 -q -c '%s' > '%s'", t_tmp("a"), t_tmp("a.lz4")), 0);
	c = t_read_file(t_tmp("a.lz4"));
	if (!c.data)
		return;

	/* trailing bytes that are not the appended size */
	c.data = realloc(c.data, c.len + 7);
	memcpy(c.data + c.len, "garbage", 7);
	t_write_file(t_tmp("bad"), c.data, c.len + 7);
	CHECK_EQ(t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("bad"), out), 1);
	t_check_error_line("trailing garbage", "lz4");
	CHECK(!t_exists(out));

	/* an appended size that does not match */
	kd_put_le32(c.data + c.len, (uint32_t)text.len + 1);
	t_write_file(t_tmp("bad"), c.data, c.len + 4);
	CHECK_EQ(t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("bad"), out), 1);
	t_check_error_line("wrong appended size", "trailing garbage");
	CHECK(!t_exists(out));

	/* truncated, and corrupted in the middle */
	t_write_file(t_tmp("bad"), c.data, c.len / 2);
	CHECK_EQ(t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("bad"), out), 1);
	t_check_error_line("truncated", "lz4: ");
	CHECK(!t_exists(out));

	/* no magic, and an unknown -F */
	CHECK_EQ(t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("a"), out), 1);
	t_check_error_line("no magic", "-F");
	CHECK_EQ(t_run("%s decompress -F rar '%s' -o '%s'", KDECOMP, t_tmp("a.lz4"), out), 1);
	t_check_error_line("unknown format", "rar");
	CHECK(!t_exists(out));
	free(c.data);
}

/*
 * A zstd frame whose content size field says one byte less than its blocks
 * hold: decompress sizes its one pass from that field, so it must stop
 * there and say so, not write past its buffer or decode again.
 */
TEST(cli_decompress_recorded_size_too_small)
{
	static const uint8_t fcs_bytes[4] = { 0, 2, 4, 8 }, dict_bytes[4] = { 0, 1, 2, 4 };
	struct t_blob text, c;
	const char *out = t_tmp("never");

	if (!t_have_kdecomp() || !t_corpus_find("text", &text))
		return;
	t_write_file(t_tmp("a"), text.data, text.len);
	CHECK_EQ(t_run("zstd -q -c '%s' > '%s'", t_tmp("a"), t_tmp("a.zst")), 0);
	c = t_read_file(t_tmp("a.zst"));
	if (!c.data || c.len < 16)
		return;
	/* frame header descriptor: content size field width (bits 7-6), single segment (5), dictionary ID width (1-0) */
	unsigned fhd = c.data[4], single = (fhd >> 5) & 1, n = fcs_bytes[fhd >> 6];
	size_t at = 5 + !single + dict_bytes[fhd & 3];
	uint64_t claim = text.len - 1 - (n == 2 ? 256 : 0);	/* a 2-byte field stores the size - 256 */

	CHECKF(n >= 2, "zstd wrote no content size field wide enough for %zu bytes", text.len);
	for (unsigned i = 0; i < n; i++)
		c.data[at + i] = (uint8_t)(claim >> (8 * i));
	t_write_file(t_tmp("bad"), c.data, c.len);
	CHECK_EQ(t_run("%s decompress '%s' -o '%s'", KDECOMP, t_tmp("bad"), out), 1);
	t_check_error_line("content size too small", "holds more than");
	CHECK(!t_exists(out));
	free(c.data);
}
