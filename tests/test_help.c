// SPDX-License-Identifier: MIT
/*
 * The CLI as its documentation describes it:
 *
 *   - `kdecomp --version`: debian/changelog's version (the one source of
 *     it) and a commit line;
 *   - docs/kdecomp.1's SYNOPSIS has exactly the commands `kdecomp --help`
 *     lists, and each line is what `kdecomp help CMD` and `kdecomp CMD
 *     --help` print, so the man page and the program cannot drift;
 *   - every key the --json outputs print (inspect, symbols, simulate,
 *     formats) is named in the man page's JSON OUTPUT, and each output
 *     starts with json_version;
 *   - "--help" after an option that takes a value is that value;
 *   - formats: seven formats, sorted by a cost that is read time plus
 *     decode time, image sizes equal to what `pack` writes, the cheapest
 *     recommended, and nothing on stderr when it is not a terminal.
 */
#include <ctype.h>
#include <stdlib.h>

#include "t.h"

#define MAN_PAGE "docs/kdecomp.1"
#define CHANGELOG "debian/changelog"
#define TEST_KERNEL "build/tests/kernel.elf"	/* the Makefile builds it before check-unit */
#define LINE_MAX_LEN 1024

/* A man page line as it reads: font changes and \& dropped, \- as '-'. */
static void man_plain(const char *in, size_t len, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		if (in[i] == '\\' && i + 1 < len && in[i + 1] == 'f' && i + 2 < len) {
			i += 2;
		} else if (in[i] == '\\' && i + 1 < len && (in[i + 1] == '-' || in[i + 1] == '&')) {
			if (in[++i] == '-')
				out[n++] = '-';
		} else {
			out[n++] = in[i];
		}
	}
	out[n] = 0;
}

/* The text between the line `.SH name` and the next .SH, or NULL. */
static const char *man_section(const char *man, const char *name, size_t *len)
{
	char head[64];
	const char *p, *end;

	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	if (!(p = strstr(man, head)))
		return NULL;
	p += strlen(head);
	end = strstr(p, "\n.SH ");
	*len = end ? (size_t)(end - p) : strlen(p);
	return p;
}

TEST(cli_version_is_changelogs)
{
	struct t_blob log = t_read_text(CHANGELOG);
	char want[160], got1[128], got2[128];

	if (!t_have_kdecomp())
		return;
	CHECKF(log.data && sscanf((char *)log.data, "kdecomp (%100[^)])", got1) == 1, "%s: no version", CHANGELOG);
	snprintf(want, sizeof(want), "kdecomp %s\n", got1);
	CHECK_EQ(t_run("%s --version", KDECOMP), 0);
	struct t_blob out = t_captured("stdout");
	const char *s = out.data ? (char *)out.data : "";
	const char *nl = strchr(s, '\n');

	CHECKF(strncmp(s, want, strlen(want)) == 0, "--version says %s, changelog %s", s, want);
	CHECKF(nl && (sscanf(nl + 1, "commit %100[0-9a-f-]\n", got2) == 1 ||
		      strcmp(nl + 1, "commit unknown (built outside a git checkout)\n") == 0),
	       "--version's second line is not a commit: %s", s);
	free(out.data);
	free(log.data);
}

/* `kdecomp help name` and `kdecomp name --help` both print exactly "usage: " + the synopsis line. */
static void check_synopsis(const char *name, const char *synopsis)
{
	const char *forms[] = { "%s help %s", "%s %s --help" };

	for (int i = 0; i < 2; i++) {
		char cmd[256], want[LINE_MAX_LEN + 16];

		snprintf(cmd, sizeof(cmd), forms[i], KDECOMP, name);
		snprintf(want, sizeof(want), "usage: %s\n", synopsis);
		CHECKF(t_run("%s", cmd) == 0, "%s fails", cmd);
		struct t_blob out = t_captured("stdout");
		CHECKF(out.data && strcmp((char *)out.data, want) == 0, "%s prints\n  %s\nthe man page says\n  %s", cmd,
		       out.data ? (char *)out.data : "", want);
		free(out.data);
	}
}

TEST(cli_help_matches_man)
{
	struct t_blob man = t_read_text(MAN_PAGE), list;
	size_t len, in_man = 0, in_help = 0;
	const char *syn;

	if (!t_have_kdecomp())
		return;
	CHECKF(man.data && (syn = man_section((char *)man.data, "SYNOPSIS", &len)), "%s: no SYNOPSIS", MAN_PAGE);
	if (!man.data || !syn)
		return;
	for (const char *p = syn, *end = syn + len; p < end;) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[LINE_MAX_LEN], name[64];

		man_plain(p, n, line, sizeof(line));
		if (sscanf(line, "kdecomp %63[a-z]", name) == 1) {
			check_synopsis(name, line);
			in_man++;
		}
		p += n + 1;
	}

	/* the summary lists each command as "  name args", its description indented further, then "  kdecomp --help" */
	CHECK_EQ(t_run("%s --help", KDECOMP), 0);
	list = t_captured("stdout");
	for (char *p = list.data ? (char *)list.data : ""; (p = strstr(p, "\n  ")); p++)
		if (islower((unsigned char)p[3]) && strncmp(p + 3, "kdecomp ", 8) != 0)
			in_help++;
	CHECKF(in_man == in_help && in_man > 0, "the man page's SYNOPSIS has %zu commands, --help lists %zu", in_man,
	       in_help);
	free(list.data);
	free(man.data);
}

/* Every "key": in json is a word of the man page's JSON OUTPUT section. */
static void check_keys_documented(const char *what, const char *json, const char *doc)
{
	CHECKF(json && json_valid(json), "%s: not one JSON object", what);
	CHECKF(json && strncmp(json, "{\n  \"json_version\": 1,", 22) == 0, "%s: json_version does not come first",
	       what);
	for (const char *p = json; p && (p = strchr(p, '"')); p++) {
		const char *q = p + 1;
		char key[64];
		size_t n = 0;

		while ((islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_') && n < sizeof(key) - 1)
			key[n++] = *q++;
		key[n] = 0;
		if (n == 0 || q[0] != '"' || q[1] != ':') {
			p = strchr(p + 1, '"');	/* a string value: skip it whole */
			if (!p)
				break;
			continue;
		}
		bool found = false;
		for (const char *d = doc; !found && (d = strstr(d, key)); d++)
			found = (d == doc || !(isalnum((unsigned char)d[-1]) || d[-1] == '_')) &&
				!(isalnum((unsigned char)d[n]) || d[n] == '_');
		CHECKF(found, "%s: the man page does not name the JSON field '%s'", what, key);
		p = q + 1;
	}
}

static char *json_of(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, KDECOMP, arg);
	CHECKF(t_run("%s", cmd) == 0, "%s fails", cmd);
	return (char *)t_captured("stdout").data;
}

TEST(cli_json_fields_in_man)
{
	const char *cloud = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	struct t_blob man = t_read_text(MAN_PAGE);
	char doc[64 << 10], *json;
	size_t len;
	const char *sec;

	CHECKF(man.data && (sec = man_section((char *)man.data, "JSON OUTPUT", &len)), "%s: no JSON OUTPUT", MAN_PAGE);
	if (!cloud || !man.data || !sec)
		return;
	man_plain(sec, len, doc, sizeof(doc));
	const char *image = t_tmp("json.img");
	CHECK_EQ(t_run("%s pack -q %s -c lz4 -o %s", KDECOMP, TEST_KERNEL, image), 0);

	const struct { const char *what, *cmd, *arg; } runs[] = {
		{ "inspect", "%s inspect --json %s", cloud },
		{ "inspect (ELF)", "%s inspect --json %s", TEST_KERNEL },
		{ "symbols", "%s symbols --json %s", cloud },
		{ "simulate", "%s simulate --json %s", image },
		{ "simulate (halted)", "%s simulate --json --mem 16M %s || true", image },
		{ "simulate --efi", "%s simulate --json --efi %s", image },
		{ "formats", "%s formats --json %s", TEST_KERNEL },
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		check_keys_documented(runs[i].what, json = json_of(runs[i].cmd, runs[i].arg), doc);
		free(json);
	}
	free(man.data);
}

/* The size of the image `pack -c fmt` writes for the test kernel. */
static uint64_t packed_size(const char *fmt)
{
	struct t_blob img;
	uint64_t len;

	CHECK_EQ(t_run("%s pack -q %s -c %s -o %s", KDECOMP, TEST_KERNEL, fmt, t_tmp("formats.img")), 0);
	img = t_read_file(t_tmp("formats.img"));
	len = img.len;
	free(img.data);
	return len;
}

TEST(cli_formats)
{
	static const uint64_t read_mbps = 40;
	char *json, name[16], first[16] = "", recommended[16] = "";
	uint64_t prev = 0, n_items = 0, mbps = 0;
	const char *item, *arr;

	if (!t_have_kdecomp())
		return;
	CHECK_EQ(t_run("%s formats --json --read-mbps %llu %s", KDECOMP, (unsigned long long)read_mbps, TEST_KERNEL), 0);
	json = (char *)t_captured("stdout").data;
	struct t_blob err = t_captured("stderr");
	CHECKF(err.len == 0, "formats writes to stderr when it is not a terminal: %s", err.data);
	free(err.data);
	CHECK(json && json_valid(json) && (arr = json_get(json, "formats")));
	if (!json || !arr) {
		free(json);
		return;
	}
	CHECK(json_num(json, "read_mbps", &mbps) && mbps == read_mbps);
	for (; (item = json_item(arr, n_items)); n_items++) {
		uint64_t image, decode, rd, cost;

		CHECK(json_str(item, "format", name, sizeof(name)) && json_num(item, "image_bytes", &image) &&
		      json_num(item, "decode_ns", &decode) && json_num(item, "read_ns", &rd) &&
		      json_num(item, "boot_cost_ns", &cost));
		if (n_items == 0)
			snprintf(first, sizeof(first), "%s", name);
		CHECKF(image == packed_size(name), "formats: %s image of %llu bytes, pack writes another size", name,
		       (unsigned long long)image);
		CHECKF(rd == image * 1000 / read_mbps, "formats: %s: read_ns %llu for %llu bytes at %llu MB/s", name,
		       (unsigned long long)rd, (unsigned long long)image, (unsigned long long)read_mbps);
		CHECKF(cost == rd + decode && cost >= prev, "formats: %s: cost %llu is not read + decode, in order", name,
		       (unsigned long long)cost);
		prev = cost;
	}
	CHECK_EQ(n_items, KD_FMT_COUNT - 1);
	CHECK(json_str(json, "recommended", recommended, sizeof(recommended)) && strcmp(recommended, first) == 0);
	free(json);

	/* the table: a row per format, the first one recommended (timings differ from the run above) */
	CHECK_EQ(t_run("%s formats %s", KDECOMP, TEST_KERNEL), 0);
	struct t_blob table = t_captured("stdout");
	const char *rows = table.data ? strchr((char *)table.data, '\n') : NULL, *rec;
	int n_lines = 0;
	CHECK(rows && sscanf(rows + 1, "%15s", first) == 1 && (rec = strstr(rows, "\nrecommended: ")) &&
	      sscanf(rec, "\nrecommended: %15s", recommended) == 1 && strcmp(first, recommended) == 0);
	for (const char *p = table.data ? (char *)table.data : ""; (p = strchr(p, '\n')); p++)
		n_lines++;
	CHECK_EQ(n_lines, 1 + (KD_FMT_COUNT - 1) + 2);	/* heading, a row per format, blank, recommendation */
	free(table.data);

	CHECK_EQ(t_run("%s formats --read-mbps 0 %s", KDECOMP, TEST_KERNEL), 1);
	t_check_error_line("formats --read-mbps 0", "--read-mbps");
	CHECK_EQ(t_run("%s formats %s", KDECOMP, t_tmp("no-such-file")), 1);
	t_check_error_line("formats on a missing file", "no-such-file");
}

/* "--help" as an option's value is that value: simulate boots with it as the command line. */
TEST(cli_help_as_an_option_value)
{
	char cmdline[32];

	if (!t_have_kdecomp())
		return;
	CHECK_EQ(t_run("%s pack -q %s -c lz4 -o %s", KDECOMP, TEST_KERNEL, t_tmp("help-value.img")), 0);
	CHECK_EQ(t_run("%s simulate %s --cmdline --help --json", KDECOMP, t_tmp("help-value.img")), 0);
	char *json = (char *)t_captured("stdout").data;
	const char *loader = json ? json_get(json, "loader") : NULL;
	CHECKF(loader && json_str(loader, "cmdline", cmdline, sizeof(cmdline)) && strcmp(cmdline, "--help") == 0,
	       "simulate --cmdline --help: %s", json ? json : "");
	free(json);
}
