// SPDX-License-Identifier: MIT
/* Helpers shared by the tests and the benchmarks: files, random numbers, real kernels. */
#include <lz4.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "t.h"

uint64_t t_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
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

/* The payload of a bzImage, by its setup header (offsets from the boot protocol). */
static struct t_blob bzimage_payload(struct t_blob img)
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
	struct t_blob p = bzimage_payload(img);
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

