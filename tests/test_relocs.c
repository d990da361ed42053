// SPDX-License-Identifier: MIT
/*
 * Linux's appended relocation table, both ends of it:
 *
 *   - `kdecomp relocs` on Debian's unstripped cloud vmlinux (the -dbg
 *     package, linked with --emit-relocs) of bookworm (6.1) and bullseye
 *     (5.10) gives byte for byte the table inside the payload of the
 *     matching bzImage (unstable's 7.x -dbg vmlinux keeps no relocation
 *     sections: refused with the reason);
 *   - the layout (three lists to 6.14, two from 6.15) is read from the
 *     table: Debian's 5.10 and 6.1 have three, its 7.x two (the generator's
 *     rules, one by one, are test_relocs_synthetic.c's);
 *   - kd_relocs_apply on the real kernel, placed by kd_elf_place: the
 *     image changes exactly at the table's spots, by exactly the delta,
 *     and applying the opposite delta restores it;
 *   - malformed tables (not whole entries, no leading terminator, entries
 *     that are no kernel address, one or four terminators: no known
 *     layout, entries outside the kernel) fail with KD_ERR_RELOC and a
 *     reason; a kernel without a table runs only at its link address.
 */
#include <stdlib.h>

#include "bootparam.h"
#include "elf.h"
#include "kd.h"
#include "t.h"

/* The link address of Debian's kernels and of the synthetic tables here (the Debian test checks it). */
#define LINK 0x1000000ull

/* --- tables --- */

/* A table's lists, read forwards. */
struct lists {
	const uint8_t *l64, *l32inv, *l32;
	uint64_t n64, n32inv, n32;
};

static struct lists lists_of(const uint8_t *table, const struct kd_relocs *rel)
{
	const uint8_t *p = table + rel->start + 4;
	struct lists l = { .n64 = rel->n64, .n32inv = rel->n32inv, .n32 = rel->n32 };

	l.l64 = p;
	l.l32inv = l.l64 + 4 * l.n64 + 4;
	l.l32 = l.l32inv + 4 * l.n32inv + (rel->layout == KD_RELOCS_THREE_LISTS ? 4 : 0);
	return l;
}

/* A Debian bzImage's payload (ELF, then table) as `kdecomp extract` splits it, into p. */
static bool cli_payload(const char *image, struct t_blob *p)
{
	const char *path = t_kernel_path(image);
	struct t_blob elf, table;

	if (!path || !t_have_kdecomp())
		return false;
	if (t_run("'%s' extract -q '%s' -o '%s' --relocs '%s'", t_kdecomp_path(), path, t_tmp("x.elf"),
		  t_tmp("x.relocs")) != 0) {
		t_fail(__FILE__, __LINE__, "kdecomp extract %s failed", image);
		return false;
	}
	elf = t_read_file(t_tmp("x.elf"));
	table = t_read_file(t_tmp("x.relocs"));
	p->len = elf.len + table.len;
	p->data = malloc(p->len);
	memcpy(p->data, elf.data, elf.len);
	memcpy(p->data + elf.len, table.data, table.len);
	free(elf.data);
	free(table.data);
	return true;
}

/* The decoded Debian payload split: ELF, then the table (the test fails if it does not split). */
static bool split_payload(const struct t_blob *p, struct kd_elf_info *elf, struct kd_relocs *rel)
{
	struct kd_report r = { 0 };

	if (kd_elf_read(p->data, p->len, elf, &r) != KD_OK ||
	    kd_relocs_find(p->data, p->len, elf->file_end, rel, &r) != KD_OK) {
		t_fail(__FILE__, __LINE__, "Debian payload does not split into ELF + table: %s", r.why);
		return false;
	}
	CHECK_EQ(rel->start, elf->file_end);
	return true;
}

/* `kdecomp relocs` on the -dbg vmlinux `dbg` gives the table appended in the payload p, byte for byte. */
static void check_generator_matches(const char *dbg, const struct t_blob *p, enum kd_relocs_layout layout)
{
	char vmlinux[4096];
	struct kd_elf_info elf;
	struct kd_relocs rel;
	const char *path = t_kernel_path(dbg);

	if (!path)
		return;
	snprintf(vmlinux, sizeof(vmlinux), "%s", path);	/* t_kernel_path's buffer is reused */
	if (!split_payload(p, &elf, &rel))
		return;
	CHECKF(rel.layout == layout, "%s: layout %s", dbg, kd_relocs_layout_name(rel.layout));
	CHECK_EQ(t_run("'%s' relocs -q '%s' -o '%s'", t_kdecomp_path(), vmlinux, t_tmp("dbg.relocs")), 0);

	struct t_blob got = t_read_file(t_tmp("dbg.relocs"));
	size_t want_len = rel.end - rel.start;

	CHECKF(got.data && got.len == want_len, "%s: table is %zu bytes, Debian's %zu", dbg, got.len, want_len);
	if (got.data && got.len == want_len) {
		size_t i = 0;

		while (i < want_len && got.data[i] == p->data[rel.start + i])
			i++;
		CHECKF(i == want_len, "%s: tables differ first at byte %zu (entry %zu)", dbg, i, i / 4);
	}
	free(got.data);
}

TEST(relocs_generator_matches_debian_table)
{
	struct t_blob *p = t_kernel_payload();

	if (p && t_have_kdecomp())
		check_generator_matches("vmlinux-cloud-dbg", p, KD_RELOCS_THREE_LISTS);
}

TEST(relocs_generator_matches_debian_5_10_table)
{
	struct t_blob p = { 0 };

	if (!cli_payload("vmlinuz-bullseye-cloud", &p))
		return;
	check_generator_matches("vmlinux-bullseye-cloud-dbg", &p, KD_RELOCS_THREE_LISTS);
	free(p.data);
}

/* 7.x: the table has two lists; Debian's -dbg vmlinux has no .rela sections left to regenerate it from. */
TEST(relocs_debian_7_has_two_lists)
{
	struct t_blob p = { 0 };
	struct kd_elf_info elf;
	struct kd_relocs rel;
	const char *dbg;

	if (!cli_payload("vmlinuz-unstable-cloud", &p))
		return;
	if (split_payload(&p, &elf, &rel)) {
		CHECKF(rel.layout == KD_RELOCS_TWO_LISTS, "layout %s", kd_relocs_layout_name(rel.layout));
		CHECK(rel.n32 > 0 && rel.n64 > 0 && rel.n32inv == 0);
	}
	free(p.data);
	if (!(dbg = t_kernel_path("vmlinux-unstable-cloud-dbg")))
		return;
	CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), dbg, t_tmp("u.relocs")) == 1 &&
	       t_stderr_says("--emit-relocs"), "7.x -dbg vmlinux without .rela sections is not refused");
}

/* --- applying the table to the real kernel --- */

/* The kernel placed as the stub places it: segment i at p_paddr - its link address. */
static uint8_t *placed_kernel(const struct t_blob *p, const struct kd_elf_info *elf, size_t *size)
{
	struct kd_report r = { 0 };

	*size = elf->mem_end - LINK;
	size_t cap = *size > p->len ? *size : p->len;
	uint8_t *buf = calloc(1, cap);

	memcpy(buf, p->data, p->len);
	if (kd_elf_place(buf, cap, elf, LINK, &r) != KD_OK) {
		t_fail(__FILE__, __LINE__, "kd_elf_place: %s", r.why);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Which bytes the table names, and check that no two spots overlap. */
static uint8_t *spot_map(const struct lists *l, size_t size)
{
	uint8_t *map = calloc(1, size);
	const struct { const uint8_t *e; uint64_t n; unsigned width; } list[] = {
		{ l->l64, l->n64, 8 }, { l->l32inv, l->n32inv, 4 }, { l->l32, l->n32, 4 },
	};
	uint64_t overlaps = 0, outside = 0;

	for (int k = 0; k < 3; k++)
		for (uint64_t i = 0; i < list[k].n; i++) {
			uint64_t off = (uint64_t)(int64_t)(int32_t)kd_get_le32(list[k].e + 4 * i) -
				       KD_START_KERNEL_MAP - LINK;

			if (off > size - list[k].width) {
				outside++;
				continue;
			}
			for (unsigned b = 0; b < list[k].width; b++)
				overlaps += map[off + b]++ != 0;
		}
	CHECKF(overlaps == 0 && outside == 0, "%llu bytes named twice, %llu spots outside the kernel",
	       (unsigned long long)overlaps, (unsigned long long)outside);
	return map;
}

/* Every spot moved by exactly `sign` * delta; return how many did not. */
static uint64_t check_spots(const uint8_t *e, uint64_t n, unsigned width, int sign, const uint8_t *before,
			    const uint8_t *after, uint64_t delta)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t off = (uint64_t)(int64_t)(int32_t)kd_get_le32(e + 4 * i) - KD_START_KERNEL_MAP -
			       LINK;
		uint64_t moved = width == 8 ? kd_get_le64(after + off) - kd_get_le64(before + off)
					    : (uint32_t)(kd_get_le32(after + off) - kd_get_le32(before + off));
		uint64_t want = sign > 0 ? delta : -delta;

		bad += moved != (width == 8 ? want : (uint32_t)want);
	}
	return bad;
}

static void check_relocated(const char *what, const struct lists *l, const uint8_t *map, const uint8_t *before,
			    const uint8_t *after, size_t size, uint64_t delta)
{
	uint64_t stray = 0;

	for (size_t i = 0; i < size; i++)
		stray += !map[i] && before[i] != after[i];
	CHECKF(stray == 0, "%s: %llu bytes changed outside the table's spots", what, (unsigned long long)stray);
	CHECKF(check_spots(l->l64, l->n64, 8, 1, before, after, delta) == 0, "%s: 64-bit spots off", what);
	CHECKF(check_spots(l->l32inv, l->n32inv, 4, -1, before, after, delta) == 0, "%s: inverse spots off", what);
	CHECKF(check_spots(l->l32, l->n32, 4, 1, before, after, delta) == 0, "%s: 32-bit spots off", what);
}

/* The table of payload p applied to its kernel for several offsets, and back. */
static void check_apply(const char *name, const struct t_blob *p)
{
	static const uint64_t virt_addrs[] = {
		LINK + 0x4000000,	/* 64 MiB up */
		LINK + 0x2a600000,	/* near the top of the 1 GiB image area */
		LINK - 0x200000,	/* down: the arithmetic wraps the same way */
	};
	struct kd_elf_info elf;
	struct kd_relocs rel;
	struct kd_report r = { 0 };
	size_t size;

	if (!split_payload(p, &elf, &rel))
		return;
	CHECK_EQ(elf.mem_start, LINK);
	CHECKF(rel.n32 > 0 && rel.n64 > 0 && (rel.n32inv > 0) == (rel.layout == KD_RELOCS_THREE_LISTS),
	       "%s: %llu 32-bit, %llu inverse, %llu 64-bit entries", name, (unsigned long long)rel.n32,
	       (unsigned long long)rel.n32inv, (unsigned long long)rel.n64);
	/* the table is past the placed image in this payload, but keep it apart anyway */
	uint8_t *table = malloc(rel.end - rel.start);
	memcpy(table, p->data + rel.start, rel.end - rel.start);
	struct kd_relocs own = rel;
	own.end -= own.start;
	own.start = 0;
	struct lists l = lists_of(table, &own);

	uint8_t *before = placed_kernel(p, &elf, &size);
	uint8_t *after = malloc(size);
	uint8_t *map = spot_map(&l, size);

	for (size_t k = 0; before && k < sizeof(virt_addrs) / sizeof(virt_addrs[0]); k++) {
		uint64_t delta = virt_addrs[k] - LINK;
		char what[128];

		snprintf(what, sizeof(what), "%s: delta 0x%llx", name, (unsigned long long)delta);
		memcpy(after, before, size);
		CHECKF(kd_relocs_apply(after, size, LINK, table, &own, virt_addrs[k], &r) == KD_OK, "%s: %s", what, r.why);
		check_relocated(what, &l, map, before, after, size, delta);
		/* and back: the opposite delta undoes it */
		CHECK(kd_relocs_apply(after, size, LINK, table, &own, LINK - delta, &r) == KD_OK);
		CHECKF(memcmp(after, before, size) == 0, "%s: the opposite delta does not restore the image", what);
	}
	/* no delta, no change */
	if (before) {
		CHECK(kd_relocs_apply(after, size, LINK, table, &own, LINK, &r) == KD_OK);
		CHECK(memcmp(after, before, size) == 0);
	}
	free(map);
	free(after);
	free(before);
	free(table);
}

TEST(relocs_apply_on_debian_kernel)
{
	struct t_blob *p = t_kernel_payload();

	if (p)
		check_apply("6.1", p);
}

/* 5.10 (three lists) and 7.x (two lists) */
TEST(relocs_apply_on_debian_5_10_and_7)
{
	static const char *const images[] = { "vmlinuz-bullseye-cloud", "vmlinuz-unstable-cloud" };

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		struct t_blob p = { 0 };

		if (!cli_payload(images[i], &p))
			return;
		check_apply(images[i], &p);
		free(p.data);
	}
}

/* --- malformed tables --- */

/* A table from lists of entries, as words: [0][64...][0][inv...][0][32...], or without inv when !three. */
static size_t make_table(uint32_t *t, bool three, const uint32_t *l64, size_t n64, const uint32_t *inv,
			 size_t ninv, const uint32_t *l32, size_t n32)
{
	size_t n = 0;

	t[n++] = 0;
	for (size_t i = 0; i < n64; i++)
		t[n++] = l64[i];
	if (three) {
		t[n++] = 0;
		for (size_t i = 0; i < ninv; i++)
			t[n++] = inv[i];
	}
	t[n++] = 0;
	for (size_t i = 0; i < n32; i++)
		t[n++] = l32[i];
	return 4 * n;
}

#define SPOT(off) ((uint32_t)(KD_START_KERNEL_MAP + LINK + (off)))

static enum kd_err find(const void *buf, size_t len, size_t floor, struct kd_relocs *rel, struct kd_report *r)
{
	memset(r, 0, sizeof(*r));
	return kd_relocs_find(buf, len, floor, rel, r);
}

TEST(relocs_find_both_layouts)
{
	const uint32_t l64[] = { SPOT(0), SPOT(8) }, inv[] = { SPOT(16) }, l32[] = { SPOT(20), SPOT(24), SPOT(28) };
	uint32_t t[16];
	size_t len = make_table(t, true, l64, 2, inv, 1, l32, 3);
	struct kd_relocs rel;
	struct kd_report r;

	CHECK(find(t, len, 0, &rel, &r) == KD_OK);
	CHECK(rel.layout == KD_RELOCS_THREE_LISTS && rel.start == 0 && rel.end == len);
	CHECK(rel.n64 == 2 && rel.n32inv == 1 && rel.n32 == 3);
	len = make_table(t, false, l64, 2, NULL, 0, l32, 3);
	CHECK(find(t, len, 0, &rel, &r) == KD_OK);
	CHECK(rel.layout == KD_RELOCS_TWO_LISTS && rel.n64 == 2 && rel.n32inv == 0 && rel.n32 == 3);
	/* empty lists are their zeros alone: three zeros, two zeros */
	CHECK(find(t, make_table(t, true, NULL, 0, NULL, 0, NULL, 0), 0, &rel, &r) == KD_OK);
	CHECK(rel.layout == KD_RELOCS_THREE_LISTS && rel.n64 == 0 && rel.n32inv == 0 && rel.n32 == 0);
	CHECK(find(t, make_table(t, false, NULL, 0, NULL, 0, NULL, 0), 0, &rel, &r) == KD_OK);
	CHECK(rel.layout == KD_RELOCS_TWO_LISTS && rel.n64 == 0 && rel.n32 == 0);
	/* nothing after the ELF: no table */
	CHECK(find(t, 8, 8, &rel, &r) == KD_OK);
	CHECK(rel.layout == KD_RELOCS_NONE && rel.start == 8 && rel.end == 8);
}

TEST(relocs_find_refuses_what_no_layout_is)
{
	const uint32_t l64[] = { SPOT(0), SPOT(8) }, inv[] = { SPOT(16) }, l32[] = { SPOT(20), SPOT(24), SPOT(28) };
	uint32_t t[16];
	size_t len = make_table(t, true, l64, 2, inv, 1, l32, 3);
	struct kd_relocs rel;
	struct kd_report r;

	/*
	 * Cut from the front (the floor moves up): not whole entries, or no
	 * leading terminator; from a terminator on, what is left is a table
	 * exactly when it still has two or three zeros.
	 */
	for (size_t cut = 1; cut < len; cut++) {
		enum kd_err err = find(t, len, cut, &rel, &r);
		unsigned zeros = 0;

		for (size_t w = cut / 4; w < len / 4; w++)
			zeros += t[w] == 0;
		if (cut % 4 == 0 && t[cut / 4] == 0 && (zeros == 2 || zeros == 3)) {
			CHECKF(err == KD_OK && rel.layout == (zeros == 3 ? KD_RELOCS_THREE_LISTS : KD_RELOCS_TWO_LISTS),
			       "cut %zu: %s", cut, r.why);
			continue;
		}
		CHECKF(err == KD_ERR_RELOC && r.why, "cut %zu: error %d", cut, err);
		if (cut % 4)
			CHECKF(r.why && strstr(r.why, "whole number"), "cut %zu: %s", cut, r.why);
		else if (t[cut / 4] != 0)
			CHECKF(r.why && strstr(r.why, "does not start with"), "cut %zu: %s", cut, r.why);
		else
			CHECKF(r.why && strstr(r.why, "unknown table layout"), "cut %zu: %s", cut, r.why);
	}
	CHECK(find(t, len, len + 4, &rel, &r) == KD_ERR_RELOC);	/* floor past the end */

	/* one terminator, or four: no layout Linux ever had, and the message says how many it found */
	t[0] = 0, t[1] = SPOT(0), t[2] = SPOT(4);
	CHECK(find(t, 12, 0, &rel, &r) == KD_ERR_RELOC);
	CHECKF(r.why && strstr(r.why, "unknown table layout") && r.value == 1, "one zero: %s (%llu)", r.why,
	       (unsigned long long)r.value);
	t[0] = t[1] = t[2] = t[3] = 0;
	CHECK(find(t, 16, 0, &rel, &r) == KD_ERR_RELOC);
	CHECKF(r.why && strstr(r.why, "unknown table layout") && r.value == 4, "four zeros: %s (%llu)", r.why,
	       (unsigned long long)r.value);

	/* an entry with bit 31 clear is no kernel address: a count or garbage, never a spot */
	len = make_table(t, false, l64, 2, NULL, 0, l32, 3);
	t[2] = 0x7ffffffc;
	CHECK(find(t, len, 0, &rel, &r) == KD_ERR_RELOC);
	CHECKF(r.why && strstr(r.why, "no kernel address") && r.value == 0x7ffffffc && r.limit == 2, "%s", r.why);
}

/* Without a table the kernel runs only at its link address. */
TEST(relocs_none_only_at_the_link_address)
{
	uint8_t image[64] = { 1, 2, 3 }, copy[64];
	struct kd_relocs rel;
	struct kd_report r;

	CHECK(find(image, sizeof(image), sizeof(image), &rel, &r) == KD_OK && rel.layout == KD_RELOCS_NONE);
	memcpy(copy, image, sizeof(image));
	CHECK(kd_relocs_apply(copy, sizeof(copy), LINK, image, &rel, LINK, &r) == KD_OK);
	CHECK(kd_relocs_apply(copy, sizeof(copy), LINK, image, &rel, LINK + 0x200000, &r) ==
	      KD_ERR_RELOC);
	CHECKF(r.why && strstr(r.why, "no relocation table"), "%s", r.why ? r.why : "accepted");
	CHECK(memcmp(copy, image, sizeof(image)) == 0);
}

/* Entries outside the kernel: each list of each layout, below it, past its end, straddling the end. */
TEST(relocs_apply_out_of_range_entries)
{
	enum { SIZE = 64 };
	static const struct {
		int list;	/* 0: 64-bit, 1: inverse, 2: 32-bit */
		uint32_t entry;
		const char *says;
	} bad[] = {
		{ 2, SPOT(SIZE), "32-bit relocation outside" },
		{ 2, SPOT(SIZE - 3), "32-bit relocation outside" },
		{ 2, SPOT(0) - 4, "32-bit relocation outside" },
		{ 1, SPOT(SIZE), "inverse 32-bit relocation outside" },
		{ 1, SPOT(0) - 1, "inverse 32-bit relocation outside" },
		{ 0, SPOT(SIZE - 4), "64-bit relocation outside" },
		{ 0, SPOT(SIZE), "64-bit relocation outside" },
		{ 0, 0x80000000, "64-bit relocation outside" },
	};
	uint8_t image[SIZE], copy[SIZE];
	uint32_t t[8], ok = SPOT(8);
	struct kd_relocs rel;
	struct kd_report r;
	uint64_t seed = 7;

	for (size_t i = 0; i < SIZE; i++)
		image[i] = (uint8_t)t_rand(&seed);
	for (int three = 0; three < 2; three++)
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint32_t e = bad[i].entry;
			size_t len;

			if (bad[i].list == 1 && !three)
				continue;
			len = make_table(t, three, bad[i].list == 0 ? &e : NULL, bad[i].list == 0,
					 bad[i].list == 1 ? &e : NULL, bad[i].list == 1, bad[i].list == 2 ? &e : NULL,
					 bad[i].list == 2);
			CHECK(find(t, len, 0, &rel, &r) == KD_OK);
			memcpy(copy, image, SIZE);
			memset(&r, 0, sizeof(r));
			CHECKF(kd_relocs_apply(copy, SIZE, LINK, (const uint8_t *)t, &rel, LINK + 0x200000,
					       &r) == KD_ERR_RELOC && r.why &&
				       strncmp(r.why, bad[i].says, strlen(bad[i].says)) == 0,
			       "case %zu, %d lists (0x%08x): %s", i, 2 + three, e, r.why ? r.why : "accepted");
			CHECKF(r.value == e, "case %zu: the report names 0x%llx, not the entry 0x%08x", i,
			       (unsigned long long)r.value, e);
			CHECKF(memcmp(copy, image, SIZE) == 0, "case %zu: image changed", i);
		}
	/* the last spot that fits, in each width, is accepted */
	uint32_t last32 = SPOT(SIZE - 4), last64 = SPOT(SIZE - 8);
	size_t len = make_table(t, true, &last64, 1, &ok, 1, &last32, 1);
	CHECK(find(t, len, 0, &rel, &r) == KD_OK);
	memcpy(copy, image, SIZE);
	CHECK(kd_relocs_apply(copy, SIZE, LINK, (const uint8_t *)t, &rel, LINK + 0x200000, &r) == KD_OK);
	CHECK(kd_get_le32(copy + SIZE - 4) == kd_get_le32(image + SIZE - 4) + 0x200000);
}
