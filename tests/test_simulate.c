// SPDX-License-Identifier: MIT
/*
 * kdecomp simulate, run as a program on Debian's cloud kernel packed by
 * kdecomp pack (lz4):
 *
 *   - KASLR is a function of the seed: the same seed places the kernel at
 *     the same physical and virtual addresses, different seeds elsewhere;
 *   - nokaslr keeps the head's target and the link-time virtual address;
 *   - the head's target and copy destination follow the head info block
 *     for any load address;
 *   - with 8 GiB some seed lands above 4 GiB; every choice is inside
 *     usable RAM and clear of the buffer, the initrd, memmap= and mem=;
 *   - the dumped kernel is the unrelocated one (the reference payload's
 *     segments placed by kd_elf_place) patched at exactly the spots the
 *     relocation table lists, by exactly the virtual delta (the test reads
 *     the table and patches on its own);
 *   - too little memory halts where the stub halts, and an image that is
 *     not ours is refused;
 *   - kdecomp.seed=N on the command line and --seed N choose the same slot
 *     (one parser, one mixer: lib/kernel/kaslr.c), the command line's
 *     winning over --seed;
 *   - --loader64 and --initrd SIZE@ADDR put boot_params, the command line
 *     and the initrd where they say, and enter at startup_64.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>

#include "../boot/layout.h"
#include "elf.h"
#include "t.h"

#define MB (1ull << 20)
#define GB (1ull << 30)

/* The cloud kernel packed with lz4, once per run; NULL (after a skip or failure) if that cannot be. */
static const char *packed(void)
{
	static const char *img;
	static bool tried;
	const char *kernel;

	if (tried)
		return img;
	tried = true;
	if (!(kernel = t_kernel_path("vmlinuz-cloud")))
		return NULL;
	if (!t_have_kdecomp())
		return NULL;
	if (t_run("'%s' pack -q '%s' -c lz4 -o '%s'", t_kdecomp_path(), kernel, t_tmp("cloud-lz4.img")) != 0) {
		t_fail(__FILE__, __LINE__, "kdecomp pack -c lz4 %s failed", kernel);
		return NULL;
	}
	img = t_tmp("cloud-lz4.img");
	return img;
}

/* --- running simulate and reading its JSON --- */

struct result {
	int status;
	char *json;	/* stdout; NUL-terminated */
};

/* `kdecomp simulate IMAGE --json ARGS`, stdout captured; ARGS go to the shell as they are. */
static struct result simulate(const char *image, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static struct result simulate(const char *image, const char *fmt, ...)
{
	char args[1024];
	struct result r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	r.status = t_run("'%s' simulate '%s' --json %s", t_kdecomp_path(), image, args);
	r.json = (char *)t_captured("stdout").data;
	if (!r.json)
		r.json = calloc(1, 1);
	return r;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Past one JSON value (the subset emit.c writes: objects, arrays, strings, numbers). */
static const char *skip_value(const char *p)
{
	p = skip_ws(p);
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && p[1])
				p++;
		return *p ? p + 1 : p;
	}
	if (*p == '{' || *p == '[') {
		int depth = 0;

		do {
			if (*p == '"')
				p = skip_value(p) - 1;
			else if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']')
				depth--;
			p++;
		} while (*p && depth);
		return p;
	}
	while (*p && *p != ',' && *p != '}' && *p != ']')
		p++;
	return p;
}

/* The value of member `key` of the object at p, or NULL. */
static const char *member(const char *p, const char *key)
{
	size_t n = strlen(key);

	p = skip_ws(p);
	if (*p++ != '{')
		return NULL;
	for (;;) {
		p = skip_ws(p);
		if (*p != '"')
			return NULL;
		bool match = strncmp(p + 1, key, n) == 0 && p[1 + n] == '"';
		p = skip_ws(skip_value(p));
		if (*p++ != ':')
			return NULL;
		if (match)
			return skip_ws(p);
		p = skip_ws(skip_value(p));
		if (*p++ != ',')
			return NULL;
	}
}

/* The value at a dotted path ("kaslr.physical"), or NULL. */
static const char *at(const struct result *r, const char *path)
{
	char part[64];
	const char *p = r->json, *dot;

	while (p && (dot = strchr(path, '.'))) {
		snprintf(part, sizeof(part), "%.*s", (int)(dot - path), path);
		p = member(p, part);
		path = dot + 1;
	}
	return p ? member(p, path) : NULL;
}

/* A number by its path; fails the test if there is none. */
static uint64_t num(const struct result *r, const char *path)
{
	const char *p = at(r, path);

	if (!p || *p < '0' || *p > '9') {
		t_fail(__FILE__, __LINE__, "no number at %s in: %.300s", path, r->json);
		return 0;
	}
	return strtoull(p, NULL, 10);
}

static bool str_is(const struct result *r, const char *path, const char *want)
{
	const char *p = at(r, path);

	return p && *p == '"' && strncmp(p + 1, want, strlen(want)) == 0 && p[1 + strlen(want)] == '"';
}

static bool booted(const struct result *r)
{
	bool ok = r->status == 0 && str_is(r, "result", "booted");
	struct t_blob err;

	if (ok)
		return true;
	err = t_read_file(t_tmp("stderr"));
	t_fail(__FILE__, __LINE__, "simulate did not boot (status %d): %.400s %.*s", r->status, r->json,
	       err.data ? (int)err.len : 0, err.data ? (const char *)err.data : "");
	free(err.data);
	return false;
}

/* --- the tests --- */

TEST(simulate_same_seed_same_placement)
{
	const char *img = packed();

	if (!img)
		return;
	struct result a = simulate(img, "--seed 12345"), b = simulate(img, "--seed 12345");
	if (booted(&a) && booted(&b)) {
		CHECK_EQ(num(&a, "kaslr.physical"), num(&b, "kaslr.physical"));
		CHECK_EQ(num(&a, "kaslr.virtual"), num(&b, "kaslr.virtual"));
		CHECK(str_is(&a, "kaslr.mode", "randomised"));
	}
	free(a.json);
	free(b.json);
}

TEST(simulate_different_seeds_different_placements)
{
	const char *img = packed();
	uint64_t phys[5], virt[5];

	if (!img)
		return;
	for (int i = 0; i < 5; i++) {
		struct result r = simulate(img, "--seed %d", i + 1);

		phys[i] = virt[i] = 0;
		if (booted(&r)) {
			phys[i] = num(&r, "kaslr.physical");
			virt[i] = num(&r, "kaslr.virtual");
			CHECK(str_is(&r, "kaslr.mode", "randomised"));
		}
		free(r.json);
	}
	/* hundreds of slots each way: five seeds colliding in both is a broken seed, not chance */
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			CHECKF(phys[i] != phys[j] || virt[i] != virt[j], "seeds %d and %d: both at 0x%llx / 0x%llx", i + 1,
			       j + 1, (unsigned long long)phys[i], (unsigned long long)virt[i]);
}

TEST(simulate_nokaslr_keeps_target_and_link_address)
{
	const char *img = packed();

	if (!img)
		return;
	struct result r = simulate(img, "--seed 9 --cmdline 'console=ttyS0 nokaslr'");
	if (booted(&r)) {
		CHECK_EQ(num(&r, "kaslr.physical"), num(&r, "head.target"));
		CHECK_EQ(num(&r, "head.target"), 0x1000000);
		CHECK_EQ(num(&r, "kaslr.virtual"), 0xffffffff81000000ull);
		CHECK_EQ(num(&r, "relocations.delta"), 0);
		CHECK(str_is(&r, "kaslr.mode", "nokaslr"));
		CHECK(str_is(&r, "decompress.in_place", "yes"));
		CHECK_EQ(num(&r, "entry"), num(&r, "kaslr.physical") + num(&r, "elf.e_entry") - 0x1000000);
	}
	free(r.json);
}

TEST(simulate_cmdline_seed_is_the_seed)
{
	const char *img = packed();

	if (!img)
		return;
	struct result a = simulate(img, "--mem 4G --seed 0x2545f491");
	struct result b = simulate(img, "--mem 4G --seed 3 --cmdline 'console=ttyS0 kdecomp.seed=0x2545f491'");
	struct result c = simulate(img, "--mem 4G --seed 3");
	if (booted(&a) && booted(&b) && booted(&c)) {
		CHECK_EQ(num(&a, "kaslr.seed"), 0x2545f491);
		CHECK_EQ(num(&b, "kaslr.seed"), 0x2545f491);
		CHECK_EQ(num(&a, "kaslr.random"), num(&b, "kaslr.random"));
		CHECK_EQ(num(&a, "kaslr.physical"), num(&b, "kaslr.physical"));
		CHECK_EQ(num(&a, "kaslr.virtual"), num(&b, "kaslr.virtual"));
		CHECKF(num(&b, "kaslr.physical") != num(&c, "kaslr.physical") ||
		       num(&b, "kaslr.virtual") != num(&c, "kaslr.virtual"), "the command line's seed was not used");
	}
	free(a.json);
	free(b.json);
	free(c.json);
}

TEST(simulate_loader64_layout)
{
	const char *img = packed();

	if (!img)
		return;
	struct result r = simulate(img, "--mem 2G --load 0x2345000 --loader64 0x105000,0x106000 --initrd 0x300000@0x200000 "
				   "--cmdline 'kdecomp.seed=1'");
	if (booted(&r)) {
		CHECK(str_is(&r, "head.entry", "startup_64"));
		CHECK_EQ(num(&r, "loader.boot_params"), 0x105000);
		CHECK_EQ(num(&r, "loader.cmdline_addr"), 0x106000);
		CHECK_EQ(num(&r, "loader.initrd_addr"), 0x200000);
		CHECK_EQ(num(&r, "loader.initrd_size"), 0x300000);
		CHECK_EQ(num(&r, "head.target"), 0x2400000);
	}
	free(r.json);
}

/* target = max(align_up(load, kernel_alignment), 16 MiB); the image goes to the buffer's top. */
TEST(simulate_head_arithmetic_for_load_addresses)
{
	static const uint64_t loads[] = { 0x100000, 0x1100000, 0x2000000, 0x7ff000, 0x3456000 };
	const char *img = packed();
	struct kd_head_info info;

	if (!img)
		return;
	struct t_blob f = t_read_file(img);
	size_t setup = (f.data[0x1f1] + 1) * 512;
	memcpy(&info, f.data + setup + HEAD_INFO, sizeof(info));
	free(f.data);
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		struct result r = simulate(img, "--load 0x%llx --cmdline nokaslr", (unsigned long long)loads[i]);
		uint64_t target = (loads[i] + info.align - 1) / info.align * info.align;

		if (target < 0x1000000)
			target = 0x1000000;
		if (booted(&r)) {
			CHECK_EQ(num(&r, "head.target"), target);
			CHECK_EQ(num(&r, "head.copy_destination"), target + info.init_size - info.mem_len);
			CHECK_EQ(num(&r, "kaslr.physical"), target);
		}
		free(r.json);
	}
}

/* Every chosen slot lies in usable RAM below `limit` and clear of [avoid, avoid + avoid_len). */
static void check_slot(const struct result *r, uint64_t low_end, uint64_t high_end, uint64_t limit, uint64_t avoid,
		       uint64_t avoid_len)
{
	uint64_t p = num(r, "kaslr.physical"), size = num(r, "kaslr.size");
	uint64_t target = num(r, "head.target"), init_size = num(r, "head.init_size");

	CHECKF(p % (2 * MB) == 0, "0x%llx not aligned", (unsigned long long)p);
	CHECKF((p >= 16 * MB && p + size <= low_end) || (p >= 4 * GB && p + size <= high_end),
	       "0x%llx + 0x%llx outside usable RAM", (unsigned long long)p, (unsigned long long)size);
	CHECKF(p + size <= limit, "0x%llx beyond the limit 0x%llx", (unsigned long long)p, (unsigned long long)limit);
	CHECKF(p >= target + init_size || p + size <= target, "0x%llx overlaps the buffer", (unsigned long long)p);
	CHECKF(p >= avoid + avoid_len || p + size <= avoid, "0x%llx overlaps [0x%llx, +0x%llx)", (unsigned long long)p,
	       (unsigned long long)avoid, (unsigned long long)avoid_len);
}

TEST(simulate_8g_can_place_above_4g)
{
	const char *img = packed();
	int above = 0, tried = 0;

	if (!img)
		return;
	/* 5 of the 8 GiB are above 4 GiB: a few seeds suffice */
	for (int seed = 1; seed <= 16 && !above; seed++, tried++) {
		struct result r = simulate(img, "--mem 8G --seed %d", seed);

		if (booted(&r)) {
			check_slot(&r, 3 * GB - 128 * 1024, 9 * GB, UINT64_MAX, 0, 0);
			if (num(&r, "kaslr.physical") >= 4 * GB) {
				above++;
				CHECK_EQ(num(&r, "entry"), num(&r, "kaslr.physical") + num(&r, "elf.e_entry") - 0x1000000);
			}
		}
		free(r.json);
	}
	CHECKF(above, "no placement above 4 GiB in %d seeds", tried);
}

TEST(simulate_avoids_initrd_memmap_and_mem_limit)
{
	const char *img = packed();

	if (!img)
		return;
	for (int seed = 1; seed <= 6; seed++) {
		struct result r = simulate(img, "--mem 1G --initrd 200M --seed %d", seed);

		if (booted(&r)) {
			CHECK_EQ(num(&r, "loader.initrd_size"), 200 * MB);
			check_slot(&r, GB - 128 * 1024, 0, UINT64_MAX, num(&r, "loader.initrd_addr"), 200 * MB);
		}
		free(r.json);
		r = simulate(img, "--mem 2G --cmdline 'memmap=512M$128M' --seed %d", seed);
		if (booted(&r))
			check_slot(&r, 2 * GB - 128 * 1024, 0, UINT64_MAX, 128 * MB, 512 * MB);
		free(r.json);
		r = simulate(img, "--mem 2G --cmdline 'console=ttyS0 mem=300M' --seed %d", seed);
		if (booted(&r)) {
			CHECK_EQ(num(&r, "kaslr.limit"), 300 * MB);
			check_slot(&r, 2 * GB - 128 * 1024, 0, 300 * MB, 0, 0);
		}
		free(r.json);
	}
}

TEST(simulate_e820_file)
{
	const char *img = packed(), *map = t_tmp("e820.txt");
	FILE *f;

	if (!img)
		return;
	f = fopen(map, "w");
	fputs("# pasted from dmesg\n"
	      "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	      "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n"
	      "0x8000000-0xfffffff reserved\n"
	      "0x0000000100000000-0x000000017fffffff usable\n", f);
	fclose(f);
	for (int seed = 1; seed <= 6; seed++) {
		struct result r = simulate(img, "--e820 '%s' --seed %d", map, seed);

		if (booted(&r))
			check_slot(&r, 128 * MB, 6 * GB, UINT64_MAX, 0, 0);
		free(r.json);
	}
}

/* The relocation table at the end of the payload, applied by hand to `image` for `delta`. */
static size_t patch_by_hand(uint8_t *image, size_t image_size, const struct t_blob *payload, uint64_t delta)
{
	const uint8_t *end = payload->data + payload->len;
	size_t spots = 0;

	/* backwards: 32-bit entries, 0, inverse 32-bit entries, 0, 64-bit entries, 0 */
	for (int list = 0; list < 3; list++) {
		for (;;) {
			uint32_t e;

			end -= 4;
			memcpy(&e, end, 4);
			if (!e)
				break;
			uint64_t at = (uint64_t)(int64_t)(int32_t)e - 0xffffffff80000000ull - 0x1000000;
			if (at + (list == 2 ? 8 : 4) > image_size) {
				t_fail(__FILE__, __LINE__, "entry 0x%x outside the kernel", e);
				return spots;
			}
			if (list == 2) {
				uint64_t v;

				memcpy(&v, image + at, 8);
				v += delta;
				memcpy(image + at, &v, 8);
			} else {
				uint32_t v;

				memcpy(&v, image + at, 4);
				v = list == 0 ? v + (uint32_t)delta : v - (uint32_t)delta;
				memcpy(image + at, &v, 4);
			}
			spots++;
		}
	}
	return spots;
}

/* The payload's segments placed at their addresses in a zeroed buffer, unrelocated. */
static uint8_t *unrelocated(const struct t_blob *payload, size_t kernel_mem, struct kd_elf_info *elf)
{
	size_t size = payload->len > kernel_mem ? payload->len : kernel_mem;
	uint8_t *buf = calloc(1, size);
	struct kd_report rep = { 0 };

	memcpy(buf, payload->data, payload->len);
	if (kd_elf_read(buf, payload->len, elf, &rep) != KD_OK ||
	    kd_elf_place(buf, kernel_mem, elf, 0x1000000, &rep) != KD_OK) {
		t_fail(__FILE__, __LINE__, "reference placement: %s", rep.why);
		free(buf);
		return NULL;
	}
	return buf;
}

TEST(simulate_dump_is_the_kernel_relocated_by_the_delta)
{
	const char *img = packed(), *dump = t_tmp("kernel.bin");
	struct t_blob *payload = t_kernel_payload();
	struct kd_elf_info elf;

	if (!img || !payload)
		return;
	for (int seed = 1; seed <= 4; seed++) {
		struct result r = simulate(img, "--seed %d --dump '%s'", seed, dump);

		if (!booted(&r)) {
			free(r.json);
			return;
		}
		uint64_t kernel_mem = num(&r, "kernel_size"), delta = num(&r, "relocations.delta");
		free(r.json);
		if (delta == 0)
			continue;	/* one in ~480 seeds: nothing to patch, try the next */
		uint8_t *ref = unrelocated(payload, kernel_mem, &elf);
		uint8_t *want = ref ? malloc(kernel_mem) : NULL;
		struct t_blob got = t_read_file(dump);
		size_t differ = 0;

		if (!ref)
			return;
		memcpy(want, ref, kernel_mem);
		size_t spots = patch_by_hand(want, kernel_mem, payload, delta);
		CHECK(spots > 100000);
		CHECK_EQ(got.len, kernel_mem);
		if (got.len == kernel_mem) {
			CHECKF(memcmp(got.data, want, kernel_mem) == 0, "the dump is not the reference patched by 0x%llx",
			       (unsigned long long)delta);
			for (size_t i = 0; i < kernel_mem; i++)
				differ += got.data[i] != ref[i];
			CHECKF(differ > spots, "only %zu bytes changed for %zu spots", differ, spots);
		}
		free(got.data);
		free(want);
		free(ref);
		return;
	}
	t_fail(__FILE__, __LINE__, "four seeds all chose the link-time virtual address");
}

TEST(simulate_nokaslr_dump_is_the_unrelocated_kernel)
{
	const char *img = packed(), *dump = t_tmp("kernel0.bin");
	struct t_blob *payload = t_kernel_payload();
	struct kd_elf_info elf;

	if (!img || !payload)
		return;
	struct result r = simulate(img, "--cmdline nokaslr --dump '%s'", dump);
	if (!booted(&r)) {
		free(r.json);
		return;
	}
	uint64_t kernel_mem = num(&r, "kernel_size");
	uint8_t *ref = unrelocated(payload, kernel_mem, &elf);
	struct t_blob got = t_read_file(dump);

	free(r.json);
	CHECK_EQ(got.len, kernel_mem);
	/* in place, bytes between segments are what the buffer held before: compare the segments */
	for (unsigned i = 0; ref && got.len == kernel_mem && i < elf.n_load; i++) {
		uint64_t at = elf.load[i].paddr - 0x1000000;

		CHECKF(memcmp(got.data + at, ref + at, elf.load[i].filesz) == 0, "segment %u differs", i);
	}
	free(got.data);
	free(ref);
}

TEST(simulate_halts_where_the_stub_halts)
{
	const char *img = packed();

	if (!img)
		return;
	struct result r = simulate(img, "--mem 48M");
	CHECK_EQ(r.status, 1);
	CHECK(str_is(&r, "result", "halted"));
	CHECK(str_is(&r, "halted_in", "head"));
	CHECKF(strstr(r.json, "not enough memory"), "%.400s", r.json);
	free(r.json);

	/* Debian's own bzImage carries Linux's stub, not ours */
	const char *debian = t_kernel_path("vmlinuz-cloud");
	r = simulate(debian, "--seed 1");
	CHECK_EQ(r.status, 1);
	struct t_blob err = t_read_file(t_tmp("stderr"));
	CHECK(err.data && memmem(err.data, err.len, "kdecomp pack", 12));
	free(err.data);
	free(r.json);
}

/* --- kernels linked elsewhere, and not relocatable: the placement the kernel itself asks for --- */

#define SYNTH_TEXT	(64 * 1024)

/*
 * A minimal kernel ELF linked at physical `link` (t_kernel_elf): no
 * relocation sections, so pack must treat it as not relocatable.  Packed with
 * gzip into t_tmp(name); NULL after a failure.
 */
static const char *pack_synthetic(const char *name, uint64_t link)
{
	const char *elf_path = t_tmp("synthetic.elf");
	uint8_t *text = malloc(SYNTH_TEXT);
	uint64_t seed = link;

	for (size_t i = 0; i < SYNTH_TEXT; i++)
		text[i] = (uint8_t)(t_rand(&seed) % 16);	/* compressible, not trivial */
	struct t_blob e = t_kernel_elf(link, text, SYNTH_TEXT, 0);

	free(text);
	t_write_file(elf_path, e.data, e.len);
	free(e.data);
	if (t_run("'%s' pack -q '%s' -c gzip -o '%s'", t_kdecomp_path(), elf_path, t_tmp(name)) != 0) {
		struct t_blob err = t_read_text(t_tmp("stderr"));

		t_fail(__FILE__, __LINE__, "kdecomp pack of a kernel linked at 0x%llx failed: %s",
		       (unsigned long long)link, err.data ? (char *)err.data : "");
		free(err.data);
		return NULL;
	}
	return t_tmp(name);
}

TEST(simulate_not_relocatable_runs_at_its_link_address)
{
	static const uint64_t links[] = { 2 * MB, 16 * MB, 64 * MB };

	if (!t_have_kdecomp())
		return;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const char *img = pack_synthetic("synthetic.img", links[i]);

		if (!img)
			return;
		for (int seed = 1; seed <= 3; seed++) {
			struct result r = simulate(img, "--mem 256M --seed %d", seed);

			if (booted(&r)) {
				CHECK_EQ(num(&r, "head.target"), links[i]);
				CHECK_EQ(num(&r, "kaslr.physical"), links[i]);
				CHECK_EQ(num(&r, "kaslr.virtual"), 0xffffffff80000000ull + links[i]);
				CHECK(str_is(&r, "kaslr.mode", "disabled"));
				CHECK_EQ(num(&r, "entry"), links[i]);
			}
			free(r.json);
		}
		/* loaded well above it, the image still goes down to the link address */
		struct result r = simulate(img, "--mem 512M --load 0x10000000");
		if (booted(&r))
			CHECK_EQ(num(&r, "kaslr.physical"), links[i]);
		free(r.json);
	}
}

TEST(simulate_copy_down_over_itself_halts)
{
	const char *img;
	struct kd_head_info info;

	if (!t_have_kdecomp() || !(img = pack_synthetic("synthetic-64m.img", 64 * MB)))
		return;
	struct t_blob f = t_read_file(img);
	size_t setup = (f.data[0x1f1] + 1) * 512;
	memcpy(&info, f.data + setup + HEAD_INFO, sizeof(info));
	free(f.data);
	/* one page above the copy's destination: the backward copy would run over its own source */
	uint64_t load = 64 * MB + info.init_size - info.mem_len + 4096;
	struct result r = simulate(img, "--mem 512M --load 0x%llx", (unsigned long long)load);
	CHECK_EQ(r.status, 1);
	CHECK(str_is(&r, "halted_in", "head"));
	CHECKF(strstr(r.json, "would copy down over itself"), "%.400s", r.json);
	free(r.json);
}

/*
 * A memory map whose RAM leaves out the command line (the loader put it
 * at 0x20000): the stub halts on what the loader handed over
 * (lib/kernel/handover.c), and simulate, running the same check, says so.
 */
TEST(simulate_halts_on_a_command_line_outside_ram)
{
	const char *img = packed(), *map = t_tmp("e820-nocmd.txt");
	FILE *f;

	if (!img)
		return;
	f = fopen(map, "w");
	fputs("0x0-0x1ffff usable\n0x100000-0x1fffffff usable\n", f);
	fclose(f);
	struct result r = simulate(img, "--e820 '%s' --seed 1", map);
	CHECK_EQ(r.status, 1);
	CHECK(str_is(&r, "result", "halted"));
	CHECKF(strstr(r.json, "the command line (cmd_line_ptr) is not in RAM"), "%.400s", r.json);
	free(r.json);
}
