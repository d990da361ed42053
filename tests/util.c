// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the tests and the benchmarks: files, random numbers,
 * real kernels, running build/kdecomp, and the checks every decoder test makes.
 */
#include <lz4.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf64.h"
#include "t.h"

uint64_t t_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void t_elf_header(uint8_t *e, uint64_t entry, unsigned phnum, uint64_t shoff, unsigned shnum)
{
	memcpy(e, KD_ELF_MAGIC, KD_ELF_MAGIC_LEN);
	e[KD_ELF_EI_CLASS] = KD_ELF_CLASS64;
	e[KD_ELF_EI_DATA] = KD_ELF_DATA_LSB;
	e[KD_ELF_EI_VERSION] = KD_ELF_VERSION_CURRENT;
	kd_put_le16(e + KD_ELF_E_TYPE, KD_ELF_ET_EXEC);
	kd_put_le16(e + KD_ELF_E_MACHINE, KD_ELF_EM_X86_64);
	kd_put_le32(e + KD_ELF_E_VERSION, KD_ELF_VERSION_CURRENT);
	kd_put_le64(e + KD_ELF_E_ENTRY, entry);
	kd_put_le64(e + KD_ELF_E_PHOFF, KD_ELF_EHDR_SIZE);
	kd_put_le64(e + KD_ELF_E_SHOFF, shoff);
	kd_put_le16(e + KD_ELF_E_EHSIZE, KD_ELF_EHDR_SIZE);
	kd_put_le16(e + KD_ELF_E_PHENTSIZE, KD_ELF_PHDR_SIZE);
	kd_put_le16(e + KD_ELF_E_PHNUM, (uint16_t)phnum);
	kd_put_le16(e + KD_ELF_E_SHENTSIZE, shnum ? KD_ELF_SHDR_SIZE : 0);
	kd_put_le16(e + KD_ELF_E_SHNUM, (uint16_t)shnum);
}

void t_elf_load(uint8_t *ph, uint32_t flags, uint64_t offset, uint64_t paddr, uint64_t vaddr, uint64_t filesz,
		uint64_t memsz)
{
	kd_put_le32(ph + KD_ELF_P_TYPE, KD_ELF_PT_LOAD);
	kd_put_le32(ph + KD_ELF_P_FLAGS, flags);
	kd_put_le64(ph + KD_ELF_P_OFFSET, offset);
	kd_put_le64(ph + KD_ELF_P_VADDR, vaddr);
	kd_put_le64(ph + KD_ELF_P_PADDR, paddr);
	kd_put_le64(ph + KD_ELF_P_FILESZ, filesz);
	kd_put_le64(ph + KD_ELF_P_MEMSZ, memsz);
}

struct t_blob t_kernel_elf(uint64_t link, const uint8_t *text, size_t text_len, size_t tail)
{
	const size_t seg = 4096, shoff = (seg + text_len + 7) & ~(size_t)7, end = shoff + KD_ELF_SHDR_SIZE;
	struct t_blob k = { calloc(1, end + tail), end + tail };
	uint8_t *e = k.data, *ph = e + KD_ELF_EHDR_SIZE;

	if (!e)
		abort();
	t_elf_header(e, link, 1, shoff, 1);	/* the entry: startup_64, physical */
	t_elf_load(ph, KD_ELF_PF_R | KD_ELF_PF_X, seg, link, 0xffffffff80000000ull + link, text_len, text_len);
	kd_put_le64(ph + KD_ELF_P_ALIGN, seg);
	memcpy(e + seg, text, text_len);
	return k;
}

struct t_blob t_read_file(const char *path)
{
	struct t_blob b = { NULL, 0 };
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f)
		return b;
	if (fstat(fileno(f), &st) == 0 && (b.data = malloc(st.st_size + 1)) != NULL) {
		b.len = fread(b.data, 1, st.st_size, f);
		if (b.len != (size_t)st.st_size) {
			free(b.data);
			b.data = NULL;
			b.len = 0;
		}
	}
	fclose(f);
	return b;
}

void t_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		t_fail(__FILE__, __LINE__, "cannot write %s", path);
}

bool t_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool t_file_equals(const char *path, const uint8_t *data, size_t len)
{
	struct t_blob b = t_read_file(path);
	bool same = b.data && b.len == len && memcmp(b.data, data, len) == 0;

	free(b.data);
	return same;
}

const char *t_kernel_path(const char *file)
{
	static char path[4096];
	const char *cache = getenv("KDECOMP_CACHE"), *home = getenv("HOME");
	struct stat st;

	if (cache)
		snprintf(path, sizeof(path), "%s/%s", cache, file);
	else
		snprintf(path, sizeof(path), "%s/.cache/kdecomp/%s", home ? home : "/root", file);
	if (stat(path, &st) == 0 && st.st_size > 0)
		return path;
	if (getenv("KDECOMP_REQUIRE_KERNELS") && strcmp(getenv("KDECOMP_REQUIRE_KERNELS"), "1") == 0)
		t_fail(__FILE__, __LINE__, "%s is missing: run scripts/fetch-kernels.sh", path);
	else
		t_skip("no real kernel cached (scripts/fetch-kernels.sh)");
	return NULL;
}

/* Where a compressed copy of a `len`-byte payload is cached: beside the cached kernels. */
static const char *payload_cache_path(const char *what, size_t len)
{
	static char path[4096];
	const char *kernel = t_kernel_path("vmlinuz-cloud");
	const char *slash = kernel ? strrchr(kernel, '/') : NULL;

	if (!slash)
		return NULL;
	snprintf(path, sizeof(path), "%.*s/bench-payload-%zu.%s", (int)(slash - kernel), kernel, len, what);
	return path;
}

struct t_blob t_cache_read(const char *what, size_t len)
{
	const char *path = payload_cache_path(what, len);

	return path ? t_read_file(path) : (struct t_blob){ NULL, 0 };
}

void t_cache_write(const char *what, size_t len, const struct t_blob *c)
{
	const char *path = payload_cache_path(what, len);
	FILE *f = path ? fopen(path, "wb") : NULL;

	if (f) {
		fwrite(c->data, 1, c->len, f);
		fclose(f);
	}
}

/* The payload of a bzImage, by its setup header (offsets from the boot protocol). */
struct t_blob t_bzimage_payload(struct t_blob img)
{
	struct t_blob p = { NULL, 0 };
	size_t setup, off, len;

	if (img.len < 0x250)
		return p;
	setup = ((img.data[0x1f1] ? img.data[0x1f1] : 4) + 1) * 512;
	off = setup + (img.data[0x248] | img.data[0x249] << 8 | img.data[0x24a] << 16 | (size_t)img.data[0x24b] << 24);
	len = img.data[0x24c] | img.data[0x24d] << 8 | img.data[0x24e] << 16 | (size_t)img.data[0x24f] << 24;
	if (off > img.len || len > img.len - off)
		return p;
	p.data = img.data + off;
	p.len = len;
	return p;
}

struct t_blob *t_kernel_payload(void)
{
	static struct t_blob out;
	static bool tried;
	const char *path;

	if (tried)
		return out.data ? &out : NULL;
	tried = true;
	if (!(path = t_kernel_path("vmlinuz-cloud")))
		return NULL;
	struct t_blob img = t_read_file(path);
	struct t_blob p = t_bzimage_payload(img);
	/* legacy lz4 frame: magic, then (size, block) pairs; the last 4 bytes are the total size */
	if (p.len < 8) {
		t_fail(__FILE__, __LINE__, "%s: no lz4 payload", path);
		free(img.data);
		return NULL;
	}
	size_t total = p.data[p.len - 4] | p.data[p.len - 3] << 8 | p.data[p.len - 2] << 16 |
		       (size_t)p.data[p.len - 1] << 24;
	out.data = malloc(total);
	size_t ip = 4;
	while (ip + 4 < p.len - 4 + 4 && out.len < total) {
		uint32_t cs = p.data[ip] | p.data[ip + 1] << 8 | p.data[ip + 2] << 16 | (uint32_t)p.data[ip + 3] << 24;
		ip += 4;
		int n = LZ4_decompress_safe((const char *)p.data + ip, (char *)out.data + out.len, cs,
					    (int)(total - out.len));
		if (n < 0)
			break;
		out.len += n;
		ip += cs;
	}
	free(img.data);
	if (out.len != total) {
		t_fail(__FILE__, __LINE__, "reference lz4 could not decode %s", path);
		free(out.data);
		out.data = NULL;
		return NULL;
	}
	return &out;
}


/* --- running the program --- */

const char *t_kdecomp_path(void)
{
	static char path[4096];
	ssize_t n;
	char *slash = NULL;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof("/kdecomp"));
	path[n > 0 ? n : 0] = 0;
	for (int up = 0; up < 2; up++)	/* <B>/tests/run -> <B> */
		if ((slash = strrchr(path, '/')))
			*slash = 0;
	if (n <= 0 || !slash || !path[0])
		strcpy(path, "build");
	strcat(path, "/kdecomp");
	return path;
}

bool t_have_kdecomp(void)
{
	if (access(t_kdecomp_path(), X_OK) != 0) {
		t_fail(__FILE__, __LINE__, "%s is missing: build it (make check-unit does)", t_kdecomp_path());
		return false;
	}
	return true;
}

static char tmp_dir[64];

static void remove_tmp_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", tmp_dir);
}

const char *t_tmp(const char *name)
{
	static struct { char *name, *path; } paths[128];
	static size_t n;

	if (!tmp_dir[0]) {
		strcpy(tmp_dir, "/tmp/kdecomp-tests-XXXXXX");
		if (!mkdtemp(tmp_dir))
			abort();
		atexit(remove_tmp_dir);
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(paths[i].name, name) == 0)
			return paths[i].path;
	if (n == sizeof(paths) / sizeof(paths[0]))
		abort();
	paths[n].name = strdup(name);
	paths[n].path = malloc(strlen(tmp_dir) + strlen(name) + 2);
	sprintf(paths[n].path, "%s/%s", tmp_dir, name);
	return paths[n++].path;
}

int t_run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int n, status;

	va_start(ap, fmt);
	n = 2 + vsnprintf(cmd + 2, sizeof(cmd) - 2, fmt, ap);
	memcpy(cmd, "{ ", 2);
	va_end(ap);
	if (n >= (int)sizeof(cmd))
		abort();	/* a cut command would run something else */
	snprintf(cmd + n, sizeof(cmd) - n, "; } >'%s' 2>'%s'", t_tmp("stdout"), t_tmp("stderr"));
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct t_blob t_read_text(const char *path)
{
	struct t_blob b = t_read_file(path);

	if (b.data)
		b.data[b.len] = 0;	/* t_read_file leaves room for one more byte */
	return b;
}

struct t_blob t_captured(const char *which)
{
	return t_read_text(t_tmp(which));
}

void t_check_error_line(const char *what, const char *needle)
{
	struct t_blob err = t_captured("stderr");
	const char *s = err.data ? (const char *)err.data : "";
	const char *nl = strchr(s, '\n');

	CHECKF(strncmp(s, "kdecomp: ", 9) == 0, "%s: stderr does not start with 'kdecomp: ': %s", what, s);
	CHECKF(nl && nl[1] == 0, "%s: stderr is not exactly one line: %s", what, s);
	CHECKF(strstr(s, needle), "%s: stderr does not name '%s': %s", what, needle, s);
	free(err.data);
}

bool t_stderr_says(const char *needle)
{
	struct t_blob b = t_captured("stderr");
	bool found = b.data && strstr((const char *)b.data, needle) != NULL;

	free(b.data);
	return found;
}

struct t_blob t_compress_with(const struct t_reference_tool *t, const char *in_path)
{
	struct t_blob none = { NULL, 0 };

	if (t_run("%s '%s'", t->compress, in_path) != 0) {
		t_fail(__FILE__, __LINE__, "'%s' failed: install it (make deps)", t->compress);
		return none;
	}
	return t_captured("stdout");
}

/* --- checks every decoder test makes --- */

/*
 * What the headers say before decoding (kd_out_bound, which sizes the CLI's
 * one decode pass): never less than the output, and the output exactly
 * where the stream records its size.
 */
static void check_out_bound(const char *what, size_t len, const struct t_blob *c)
{
	enum kd_format fmt = kd_detect_format(c->data, c->len);
	bool exact;
	uint64_t bound;

	if (fmt == KD_FMT_UNKNOWN)
		return;	/* a raw stream with no magic (lzma with other properties) */
	bound = kd_out_bound(fmt, c->data, c->len, &exact);
	CHECKF(bound >= len, "%s: kd_out_bound %llu < output %zu", what, (unsigned long long)bound, len);
	CHECKF(!exact || bound == len, "%s: recorded size %llu != output %zu", what, (unsigned long long)bound, len);
}

void t_check_roundtrip(t_decode_fn *decode, const char *what, const uint8_t *ref, size_t len, const struct t_blob *c)
{
	uint8_t *out = malloc(len + 1);
	size_t got, used;
	enum kd_err err = decode(c, out, len, &got, &used);

	CHECKF(err == KD_OK, "%s: error %d", what, err);
	CHECKF(got == len && memcmp(out, ref, len) == 0, "%s: output differs (%zu vs %zu)", what, got, len);
	CHECKF(used == c->len, "%s: in_used %zu of %zu", what, used, c->len);
	check_out_bound(what, len, c);
	free(out);
}

void t_check_in_place(t_decode_fn *decode, const char *what, const uint8_t *ref, size_t len, const struct t_blob *c)
{
	size_t size = len + len / 256 + 131072;
	uint8_t *buf = malloc(size);
	size_t got;

	CHECKF(c->len <= size, "%s: input larger than the buffer", what);
	memcpy(buf + size - c->len, c->data, c->len);
	struct t_blob in = { buf + size - c->len, c->len };
	CHECKF(decode(&in, buf, size, &got, NULL) == KD_OK, "%s: in-place decode failed", what);
	CHECKF(got == len && memcmp(buf, ref, len) == 0, "%s: in-place output differs", what);
	free(buf);
}

void t_check_truncations(t_decode_fn *decode, const struct t_blob *c, size_t out_len, size_t thin, size_t magic_len)
{
	uint8_t *out = malloc(out_len);
	size_t got, used;

	for (size_t cut = 0; cut < c->len; cut += 1 + cut / thin) {
		struct t_blob t = { c->data, cut };
		enum kd_err err = decode(&t, out, out_len, &got, &used);
		CHECKF(err == KD_ERR_TRUNCATED || (cut < magic_len && err == KD_ERR_MAGIC), "cut at %zu: error %d", cut,
		       err);
	}
	free(out);
}
