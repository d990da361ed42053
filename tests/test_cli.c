// SPDX-License-Identifier: MIT
/*
 * The kdecomp CLI on kernel images, run as a program (build/kdecomp, built
 * by `make check-unit` before the tests; decompress and pack's refusals
 * have test_cli_decompress.c and test_cli_pack.c):
 *
 *   - inspect --json on Debian's kernels: every setup-header field against
 *     the bytes at its boot-protocol offset in the file, the kernel ELF
 *     against the payload the reference lz4 library decodes;
 *   - extract: exactly the reference payload, split at the ELF's end, also
 *     for a small kernel packed in every format as Linux compresses it;
 *   - pack in lz4: exactly the payload of Debian's image;
 *   - bad images: exit status 1, one line naming the field at fault (or
 *     the format whose payload is broken), and no output file left behind;
 *   - usage: --help names the commands, an unknown command or none exits 2.
 */
#include <lzma.h>
#include <stdlib.h>
#include <unistd.h>

#include "kd.h"
#include "t.h"

/* --- reading a bzImage independently of lib/: offsets from the boot protocol --- */

static uint64_t le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = size; i--;)
		v = v << 8 | p[i];
	return v;
}

static const struct { const char *name; unsigned offset, size; } setup_fields[] = {
	{ "setup_sects", 0x1f1, 1 }, { "root_flags", 0x1f2, 2 }, { "syssize", 0x1f4, 4 },
	{ "ram_size", 0x1f8, 2 }, { "vid_mode", 0x1fa, 2 }, { "root_dev", 0x1fc, 2 },
	{ "boot_flag", 0x1fe, 2 }, { "jump", 0x200, 2 }, { "header", 0x202, 4 },
	{ "version", 0x206, 2 }, { "realmode_swtch", 0x208, 4 }, { "start_sys_seg", 0x20c, 2 },
	{ "kernel_version", 0x20e, 2 }, { "type_of_loader", 0x210, 1 }, { "loadflags", 0x211, 1 },
	{ "setup_move_size", 0x212, 2 }, { "code32_start", 0x214, 4 }, { "ramdisk_image", 0x218, 4 },
	{ "ramdisk_size", 0x21c, 4 }, { "bootsect_kludge", 0x220, 4 }, { "heap_end_ptr", 0x224, 2 },
	{ "ext_loader_ver", 0x226, 1 }, { "ext_loader_type", 0x227, 1 }, { "cmd_line_ptr", 0x228, 4 },
	{ "initrd_addr_max", 0x22c, 4 }, { "kernel_alignment", 0x230, 4 }, { "relocatable_kernel", 0x234, 1 },
	{ "min_alignment", 0x235, 1 }, { "xloadflags", 0x236, 2 }, { "cmdline_size", 0x238, 4 },
	{ "hardware_subarch", 0x23c, 4 }, { "hardware_subarch_data", 0x240, 8 }, { "payload_offset", 0x248, 4 },
	{ "payload_length", 0x24c, 4 }, { "setup_data", 0x250, 8 }, { "pref_address", 0x258, 8 },
	{ "init_size", 0x260, 4 }, { "handover_offset", 0x264, 4 }, { "kernel_info_offset", 0x268, 4 },
};

static const uint8_t *payload_of(const struct t_blob *img, size_t *len)
{
	size_t setup = ((img->data[0x1f1] ? img->data[0x1f1] : 4) + 1) * 512;

	*len = le(img->data + 0x24c, 4);
	return img->data + setup + le(img->data + 0x248, 4);
}

/* Where the ELF ends: vmlinux's section headers come last. */
static size_t elf_end(const uint8_t *elf)
{
	return le(elf + 40, 8) + le(elf + 60, 2) * 64;
}

/* Count a relocation table's three lists from its end, as the boot protocol's build lays it out. */
static void count_relocs(const uint8_t *table, size_t len, uint64_t n[3])
{
	size_t pos = len;

	for (int list = 0; list < 3; list++) {
		n[list] = 0;
		while (pos >= 4 && le(table + (pos -= 4), 4) != 0)
			n[list]++;
	}
}

/* --- inspect --- */

static char *inspect_json(const char *path)
{
	int rc = t_run("%s inspect --json '%s'", KDECOMP, path);
	struct t_blob out = t_captured("stdout");

	CHECKF(rc == 0, "inspect --json %s: exit %d", path, rc);
	CHECKF(out.data && json_valid((char *)out.data), "inspect --json %s: not one valid JSON object:\n%s", path,
	       out.data ? (char *)out.data : "");
	return (char *)out.data;
}

static void check_setup_fields(const char *json, const struct t_blob *img)
{
	for (size_t i = 0; i < sizeof(setup_fields) / sizeof(setup_fields[0]); i++) {
		uint64_t got = ~0ull, want = le(img->data + setup_fields[i].offset, setup_fields[i].size);

		CHECKF(json_num(json, setup_fields[i].name, &got) && got == want, "%s: 0x%llx, file has 0x%llx",
		       setup_fields[i].name, (unsigned long long)got, (unsigned long long)want);
	}

	char s[512], want[512];
	uint64_t version = le(img->data + 0x206, 2);

	snprintf(want, sizeof(want), "%u.%02u", (unsigned)(version >> 8), (unsigned)(version & 0xff));
	CHECKF(json_str(json, "version_string", s, sizeof(s)) && strcmp(s, want) == 0, "version_string %s", s);
	snprintf(want, sizeof(want), "%s", (const char *)img->data + 0x200 + le(img->data + 0x20e, 2));
	CHECKF(json_str(json, "kernel_version_string", s, sizeof(s)) && strcmp(s, want) == 0,
	       "kernel_version_string '%s', file has '%s'", s, want);
	CHECKF(json_str(json, "loadflags_names", s, sizeof(s)) == false, "loadflags_names should be an array");
	CHECKF(json_get(json, "xloadflags_names") && *json_get(json, "xloadflags_names") == '[', "xloadflags_names");
}

/* The ELF and relocation members against a decoded payload (vmlinux followed by its table). */
static void check_kernel_members(const char *json, const uint8_t *payload, size_t len)
{
	size_t end = elf_end(payload);
	const char *elf = json_get(json, "elf"), *rel = json_get(json, "relocs"), *ph;
	uint64_t v = 0, n[3];

	CHECKF(elf && rel, "no elf or relocs member");
	if (!elf || !rel)
		return;
	CHECKF(json_num(elf, "entry", &v) && v == le(payload + 24, 8), "elf.entry 0x%llx", (unsigned long long)v);
	CHECKF(json_num(elf, "size", &v) && v == end, "elf.size %llu, want %zu", (unsigned long long)v, end);
	ph = json_get(elf, "program_headers");
	CHECKF(ph && *ph == '[', "elf.program_headers is not an array");
	for (uint64_t i = 0; ph && i < le(payload + 56, 2); i++) {	/* e_phnum items, each with its p_offset */
		const uint8_t *raw = payload + le(payload + 32, 8) + i * 56;
		const char *item = json_item(ph, i);

		CHECKF(item && json_num(item, "offset", &v) && v == le(raw + 8, 8), "program header %llu offset",
		       (unsigned long long)i);
		CHECKF(item && json_num(item, "memsz", &v) && v == le(raw + 40, 8), "program header %llu memsz",
		       (unsigned long long)i);
	}
	count_relocs(payload + end, len - end, n);
	CHECKF(json_num(rel, "offset", &v) && v == end, "relocs.offset");
	CHECKF(json_num(rel, "size", &v) && v == len - end, "relocs.size");
	CHECKF(json_num(rel, "count_32", &v) && v == n[0], "relocs.count_32 %llu vs %llu", (unsigned long long)v,
	       (unsigned long long)n[0]);
	CHECKF(json_num(rel, "count_32_inverse", &v) && v == n[1], "relocs.count_32_inverse");
	CHECKF(json_num(rel, "count_64", &v) && v == n[2], "relocs.count_64");
}

/* The generic kernel's xz payload, decoded by liblzma. */
static struct t_blob xz_reference(const uint8_t *payload, size_t len)
{
	struct t_blob out = { malloc(le(payload + len - 4, 4)), le(payload + len - 4, 4) };
	uint64_t memlimit = UINT64_MAX;
	size_t in_pos = 0, out_pos = 0;

	if (lzma_stream_buffer_decode(&memlimit, 0, NULL, payload, &in_pos, len - 4, out.data, &out_pos, out.len) !=
	    LZMA_OK || out_pos != out.len) {
		t_fail(__FILE__, __LINE__, "liblzma cannot decode the generic kernel's payload");
		free(out.data);
		out.data = NULL;
	}
	return out;
}

TEST(cli_inspect_json_cloud)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	struct t_blob *ref = path ? t_kernel_payload() : NULL;
	if (!ref)
		return;
	struct t_blob img = t_read_file(path);
	char *json = inspect_json(path), s[64];
	size_t plen;
	const uint8_t *payload = payload_of(&img, &plen);
	uint64_t v;

	if (json) {
		check_setup_fields(json, &img);
		CHECKF(json_str(json, "compression", s, sizeof(s)) && strcmp(s, "lz4") == 0, "compression %s", s);
		CHECK(json_num(json, "decompressed_size", &v) && v == le(payload + plen - 4, 4));
		CHECKF(!json_get(json, "payload_error"), "payload_error: %s", json_get(json, "payload_error"));
		check_kernel_members(json, ref->data, ref->len);
	}
	free(json);
	free(img.data);
}

TEST(cli_inspect_json_generic)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-generic") : NULL;
	if (!path)
		return;
	struct t_blob img = t_read_file(path);
	char *json = inspect_json(path), s[512];
	size_t plen;
	const uint8_t *payload = payload_of(&img, &plen);
	uint64_t v;

	if (json) {
		check_setup_fields(json, &img);
		CHECKF(json_str(json, "compression", s, sizeof(s)) && strcmp(s, "xz") == 0, "compression %s", s);
		CHECK(json_num(json, "decompressed_size", &v) && v == le(payload + plen - 4, 4));
		struct t_blob ref = xz_reference(payload, plen);

		CHECKF(!json_get(json, "payload_error"), "payload_error: %s", json_get(json, "payload_error"));
		if (ref.data)
			check_kernel_members(json, ref.data, ref.len);
		free(ref.data);
	}
	free(json);
	free(img.data);
}

TEST(cli_inspect_text_and_elf)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	struct t_blob *ref = path ? t_kernel_payload() : NULL;
	if (!ref)
		return;
	struct t_blob out;

	CHECK_EQ(t_run("%s inspect '%s'", KDECOMP, path), 0);
	out = t_captured("stdout");
	CHECKF(out.data && strstr((char *)out.data, "kernel_alignment") && strstr((char *)out.data, "init_size") &&
	       strstr((char *)out.data, "XLF_KERNEL_64"), "text output lacks fields:\n%s", out.data);
	free(out.data);

	/* a vmlinux: its entry and program headers */
	size_t end = elf_end(ref->data);
	t_write_file(t_tmp("vmlinux"), ref->data, end);
	char *json = inspect_json(t_tmp("vmlinux")), s[16];
	if (json) {
		CHECKF(json_str(json, "type", s, sizeof(s)) && strcmp(s, "elf") == 0, "type %s", s);
		CHECK(json_get(json, "setup_sects") == NULL);
		check_kernel_members(json, ref->data, end);
	}
	free(json);
}

/* --- extract --- */

TEST(cli_extract_cloud_matches_reference)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	struct t_blob *ref = path ? t_kernel_payload() : NULL;
	if (!ref)
		return;
	size_t end = elf_end(ref->data);
	struct t_blob err;

	CHECK_EQ(t_run("%s extract '%s' -o '%s' --relocs '%s'", KDECOMP, path, t_tmp("vm"), t_tmp("relocs")), 0);
	CHECKF(t_file_equals(t_tmp("vm"), ref->data, end), "vmlinux differs from the reference payload's ELF");
	CHECKF(t_file_equals(t_tmp("relocs"), ref->data + end, ref->len - end), "relocation table differs");
	err = t_captured("stderr");
	CHECKF(err.data && strstr((char *)err.data, "lz4") && strstr((char *)err.data, "entry 0x"), "summary: %s",
	       err.data);
	free(err.data);

	/* -q: nothing on stderr; no --relocs: only the ELF */
	unlink(t_tmp("vm"));
	CHECK_EQ(t_run("%s extract -q '%s' -o '%s'", KDECOMP, path, t_tmp("vm")), 0);
	CHECK(t_file_equals(t_tmp("vm"), ref->data, end));
	err = t_captured("stderr");
	CHECKF(err.len == 0, "-q printed: %s", err.data);
	free(err.data);
}

/*
 * pack compresses at Linux's own settings: Debian's cloud kernel repacked in
 * lz4 carries exactly the payload of Debian's image (lz4 -l -9; a level-12
 * payload, as pack once wrote, is 46 KB smaller and no longer Linux's).
 */
TEST(cli_pack_lz4_payload_is_linuxs)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	if (!path)
		return;
	struct t_blob theirs = t_read_file(path), ours;
	size_t len_theirs, len_ours;

	CHECK_EQ(t_run("%s pack -q '%s' -c lz4 -o '%s'", KDECOMP, path, t_tmp("lz4.img")), 0);
	ours = t_read_file(t_tmp("lz4.img"));
	if (theirs.data && ours.data) {
		const uint8_t *a = payload_of(&ours, &len_ours), *b = payload_of(&theirs, &len_theirs);

		CHECKF(len_ours == len_theirs && memcmp(a, b, len_ours) == 0,
		       "our lz4 payload (%zu bytes) is not Debian's (%zu bytes)", len_ours, len_theirs);
	}
	free(theirs.data);
	free(ours.data);
}

TEST(cli_extract_generic)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-generic") : NULL;
	if (!path)
		return;
	struct t_blob img = t_read_file(path);
	size_t plen;
	const uint8_t *payload = payload_of(&img, &plen);
	struct t_blob ref = xz_reference(payload, plen);

	CHECK_EQ(t_run("%s extract -q '%s' -o '%s' --relocs '%s'", KDECOMP, path, t_tmp("gvm"), t_tmp("grelocs")), 0);
	if (ref.data) {
		size_t end = elf_end(ref.data);

		CHECKF(t_file_equals(t_tmp("gvm"), ref.data, end), "generic vmlinux differs from liblzma's");
		CHECKF(t_file_equals(t_tmp("grelocs"), ref.data + end, ref.len - end), "generic relocs differ");
	}
	free(ref.data);
	free(img.data);
}

/* --- bad kernel images: exit 1, the field named, no output file --- */

static void check_bad_image(const char *what, const struct t_blob *img, const char *field)
{
	const char *out = t_tmp("bad-vmlinux");

	t_write_file(t_tmp("bad.img"), img->data, img->len);
	CHECKF(t_run("%s inspect --json '%s'", KDECOMP, t_tmp("bad.img")) == 1, "%s: inspect did not exit 1", what);
	t_check_error_line(what, field);
	CHECKF(t_run("%s extract '%s' -o '%s' --relocs '%s'", KDECOMP, t_tmp("bad.img"), out, t_tmp("bad-relocs")) == 1,
	       "%s: extract did not exit 1", what);
	t_check_error_line(what, field);
	CHECKF(!t_exists(out) && !t_exists(t_tmp("bad-relocs")), "%s: output file created", what);
}

TEST(cli_rejects_bad_images)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	if (!path)
		return;
	struct t_blob img = t_read_file(path), bad;
	size_t plen;
	const uint8_t *payload = payload_of(&img, &plen);

	bad = (struct t_blob){ img.data, img.len / 2 };
	check_bad_image("truncated bzImage", &bad, "payload_length");
	bad = (struct t_blob){ img.data, 0x200 };
	check_bad_image("cut inside the setup header", &bad, "file size");

	bad = (struct t_blob){ malloc(img.len + 1), img.len };
	memcpy(bad.data, img.data, img.len);
	bad.data[0x1fe] ^= 0xff;
	check_bad_image("flipped boot_flag", &bad, "boot_flag");
	bad.data[0x1fe] ^= 0xff;

	kd_put_le32(bad.data + 0x248, (uint32_t)img.len);
	check_bad_image("payload_offset beyond the file", &bad, "payload_offset");
	memcpy(bad.data + 0x248, img.data + 0x248, 4);

	bad.data[0x202] = 'X';
	check_bad_image("no HdrS", &bad, "header");
	bad.data[0x202] = img.data[0x202];

	/* a payload that decodes to the wrong size, and a corrupt payload */
	size_t pos = (size_t)(payload - img.data);
	kd_put_le32(bad.data + pos + plen - 4, (uint32_t)le(payload + plen - 4, 4) - 4096);
	t_write_file(t_tmp("bad.img"), bad.data, bad.len);
	CHECK_EQ(t_run("%s extract '%s' -o '%s'", KDECOMP, t_tmp("bad.img"), t_tmp("bad-vmlinux")), 1);
	t_check_error_line("wrong appended size", "lz4");
	CHECK(!t_exists(t_tmp("bad-vmlinux")));
	memcpy(bad.data + pos + plen - 4, payload + plen - 4, 4);

	kd_put_le32(bad.data + pos + 4, 0x7fffffff);	/* the first block's compressed size */
	t_write_file(t_tmp("bad.img"), bad.data, bad.len);
	CHECK_EQ(t_run("%s extract '%s' -o '%s'", KDECOMP, t_tmp("bad.img"), t_tmp("bad-vmlinux")), 1);
	t_check_error_line("corrupt payload", "lz4");
	CHECK(!t_exists(t_tmp("bad-vmlinux")));
	CHECK_EQ(t_run("%s inspect --json '%s'", KDECOMP, t_tmp("bad.img")), 0);	/* the header is fine */
	char *json = (char *)t_captured("stdout").data;
	CHECK(json && json_valid(json) && json_get(json, "payload_error"));
	free(json);

	free(bad.data);
	free(img.data);
}

TEST(cli_usage)
{
	struct t_blob out;

	if (!t_have_kdecomp())
		return;
	CHECK_EQ(t_run("%s --help", KDECOMP), 0);
	out = t_captured("stdout");
	CHECK(out.data && strstr((char *)out.data, "inspect") && strstr((char *)out.data, "decompress") &&
	      strstr((char *)out.data, "extract"));
	free(out.data);
	CHECK_EQ(t_run("%s --version", KDECOMP), 0);
	CHECK_EQ(t_run("%s frobnicate", KDECOMP), 2);
	CHECK_EQ(t_run("%s", KDECOMP), 2);
	CHECK_EQ(t_run("%s extract", KDECOMP), 1);
	t_check_error_line("extract without arguments", "usage");
}

/* A kernel_version string with quotes, backslashes and non-ASCII bytes still gives valid JSON, and round-trips. */
TEST(cli_inspect_json_escapes)
{
	static const char odd[] = "6.1 \"quoted\" back\\slash tab\t ctl\x01 latin\xe9 del\x7f";
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	if (!path)
		return;
	struct t_blob img = t_read_file(path);
	char s[128];

	memcpy(img.data + 0x200 + le(img.data + 0x20e, 2), odd, sizeof(odd));
	t_write_file(t_tmp("odd.img"), img.data, img.len);
	char *json = inspect_json(t_tmp("odd.img"));
	CHECKF(json && json_str(json, "kernel_version_string", s, sizeof(s)) && strcmp(s, odd) == 0,
	       "kernel_version_string did not round-trip: '%s'", json ? s : "");
	free(json);
	free(img.data);
}

/* --- every format through extract: a small synthetic kernel, compressed as Linux does --- */

/*
 * A minimal x86-64 kernel ELF (one PT_LOAD of corpus text linked at
 * 0xffffffff81000000, loaded at 16 MiB; one null section header last)
 * followed by a relocation table with 3 32-bit, 1 inverse and 2 64-bit
 * entries.  *elf_len is where the table starts.
 */
static struct t_blob synthetic_kernel(size_t *elf_len)
{
	struct t_blob text = { NULL, 0 };

	if (!t_corpus_find("text", &text))
		abort();
	static const uint32_t table[] = { 0, 0x81000100, 0x81000200, 0, 0x81000300, 0, 0x81000010, 0x81000020,
					  0x81000030 };
	struct t_blob k = t_kernel_elf(0x1000000, text.data, text.len, sizeof(table));

	*elf_len = k.len - sizeof(table);
	for (size_t i = 0; i < sizeof(table) / 4; i++)
		kd_put_le32(k.data + *elf_len + 4 * i, table[i]);
	return k;
}

/* Linux's own compressor settings (scripts/Makefile.lib), one per format. */
static const struct t_reference_tool linux_compressors[] = {
	{ "gzip", KD_FMT_GZIP, "gzip -n -f -9 -c", false },
	{ "bzip2", KD_FMT_BZIP2, "bzip2 -9 -c", true },
	{ "lzma", KD_FMT_LZMA, "lzma -9 -c", true },
	{ "xz", KD_FMT_XZ, "xz --check=crc32 --x86 --lzma2=,dict=32MiB -c", true },
	{ "lzo", KD_FMT_LZO, "lzop -9 -c", true },
	{ "lz4", KD_FMT_LZ4, "lz4 -q -l -9 -c", true },
	{ "zstd", KD_FMT_ZSTD, "zstd -q -22 --ultra -c", true },
};

/* The cloud kernel with its payload replaced: same setup, new payload at the same payload_offset. */
static struct t_blob repack(const struct t_blob *img, const struct t_blob *payload)
{
	size_t old_len, start;
	const uint8_t *old = payload_of(img, &old_len);
	struct t_blob out;

	start = (size_t)(old - img->data);
	out.len = img->len - old_len + payload->len;
	out.data = malloc(out.len + 1);
	memcpy(out.data, img->data, start);
	memcpy(out.data + start, payload->data, payload->len);
	memcpy(out.data + start + payload->len, old + old_len, img->len - start - old_len);
	kd_put_le32(out.data + 0x24c, (uint32_t)payload->len);
	return out;
}

static void check_extract_format(const struct t_reference_tool *t, const struct t_blob *img, const struct t_blob *k,
				 size_t elf_len)
{
	struct t_blob c = t_compress_with(t, t_tmp("kernel"));
	char s[64];
	uint64_t v;

	if (!c.data)
		return;
	if (t->kernel_size) {
		c.data = realloc(c.data, c.len + 4);
		kd_put_le32(c.data + c.len, (uint32_t)k->len);
		c.len += 4;
	}
	struct t_blob packed = repack(img, &c);
	unlink(t_tmp("syn-vm"));
	unlink(t_tmp("syn-relocs"));
	t_write_file(t_tmp("syn.img"), packed.data, packed.len);
	int rc = t_run("%s extract -q '%s' -o '%s' --relocs '%s'", KDECOMP, t_tmp("syn.img"), t_tmp("syn-vm"),
		     t_tmp("syn-relocs"));
	struct t_blob err = t_captured("stderr");

	CHECKF(rc == 0, "%s: extract: exit %d: %s", t->label, rc, err.data);
	CHECKF(t_file_equals(t_tmp("syn-vm"), k->data, elf_len), "%s: vmlinux differs", t->label);
	CHECKF(t_file_equals(t_tmp("syn-relocs"), k->data + elf_len, k->len - elf_len), "%s: relocs differ", t->label);
	free(err.data);

	char *json = inspect_json(t_tmp("syn.img"));
	if (json) {
		CHECKF(json_str(json, "compression", s, sizeof(s)) && strcmp(s, t->label) == 0, "compression %s", s);
		CHECK(json_num(json, "payload_length", &v) && v == c.len);
		CHECK(json_num(json, "decompressed_size", &v) && v == k->len);
		check_kernel_members(json, k->data, k->len);
	}
	free(json);
	free(packed.data);
	free(c.data);
}

TEST(cli_extract_every_format)
{
	const char *path = t_have_kdecomp() ? t_kernel_path("vmlinuz-cloud") : NULL;
	if (!path)
		return;
	struct t_blob img = t_read_file(path);
	size_t elf_len;
	struct t_blob k = synthetic_kernel(&elf_len);

	t_write_file(t_tmp("kernel"), k.data, k.len);
	for (size_t i = 0; i < sizeof(linux_compressors) / sizeof(linux_compressors[0]); i++)
		check_extract_format(&linux_compressors[i], &img, &k, elf_len);
	free(k.data);
	free(img.data);
}
