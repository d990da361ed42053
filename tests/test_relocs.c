// SPDX-License-Identifier: MIT
/*
 * Linux's appended relocation table, both ends of it:
 *
 *   - `kdecomp relocs` on Debian's unstripped cloud vmlinux (the -dbg
 *     package, linked with --emit-relocs) gives byte for byte the table
 *     inside the payload of the matching bzImage;
 *   - `kdecomp relocs` on a small kernel-shaped ELF assembled and linked
 *     here with GNU as/ld, one spot per rule (each relocation type, per-cpu
 *     symbols and spots, absolute and undefined symbols, notes, debug
 *     sections), each spot labelled with the list it belongs in, so the
 *     expected table comes from the symbol table, not from our code;
 *   - kd_relocs_apply on the real kernel, placed by kd_elf_place: the
 *     image changes exactly at the table's spots, by exactly the delta,
 *     and applying the opposite delta restores it;
 *   - malformed tables (not whole entries, missing terminators, truncated,
 *     entries outside the kernel) fail with KD_ERR_RELOC and a reason.
 */
#include <stdlib.h>
#include <unistd.h>

#include "bootparam.h"
#include "elf.h"
#include "kd.h"
#include "t.h"

/* The link address of Debian's kernels and of the synthetic tables here (the Debian test checks it). */
#define LINK 0x1000000ull

/* --- running kdecomp and the toolchain --- */

/* Does t_tmp("stderr") contain `needle`? */
static bool stderr_says(const char *needle)
{
	struct t_blob b = t_captured("stderr");
	bool found = b.data && strstr((const char *)b.data, needle) != NULL;

	free(b.data);
	return found;
}

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
	l.l32 = l.l32inv + 4 * l.n32inv + 4;
	return l;
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

TEST(relocs_generator_matches_debian_table)
{
	const char *path = t_kernel_path("vmlinux-cloud-dbg");
	char vmlinux[4096];
	struct kd_elf_info elf;
	struct kd_relocs rel;
	struct t_blob *p;

	if (!path)
		return;
	snprintf(vmlinux, sizeof(vmlinux), "%s", path);	/* t_kernel_path's buffer is reused */
	if (!(p = t_kernel_payload()) || !t_have_kdecomp() || !split_payload(p, &elf, &rel))
		return;
	CHECK_EQ(t_run("'%s' relocs -q '%s' -o '%s'", t_kdecomp_path(), vmlinux, t_tmp("dbg.relocs")), 0);

	struct t_blob got = t_read_file(t_tmp("dbg.relocs"));
	size_t want_len = rel.end - rel.start;

	CHECKF(got.data && got.len == want_len, "table is %zu bytes, Debian's %zu", got.len, want_len);
	if (got.data && got.len == want_len) {
		size_t i = 0;

		while (i < want_len && got.data[i] == p->data[rel.start + i])
			i++;
		CHECKF(i == want_len, "tables differ first at byte %zu (entry %zu)", i, i / 4);
	}
	free(got.data);
}

/* --- a kernel-shaped ELF made by the toolchain --- */

/*
 * Each spot is labelled with the list it belongs in: want64_*, wantinv_*,
 * want32_*, pcpuwant64_* (a 64-bit spot inside .data..percpu, whose label
 * is an offset into it); skip_* spots belong in none.  The notes and debug
 * sections hold absolute references that must not be listed either.
 */
static const char synthetic_asm[] =
	"	.text\n"
	"	.globl text_sym\n"
	"text_sym:\n"
	"want64_plain:	.quad text_sym\n"
	"want32_32s:	.reloc ., R_X86_64_32S, text_sym+4\n"
	"		.long 0\n"
	"want32_32:	.reloc ., R_X86_64_32, data_sym - 0xffffffff80000000\n"
	"		.long 0\n"
	"skip_pc32:	.reloc ., R_X86_64_PC32, text_sym-4\n"
	"		.long 0\n"
	"skip_plt32:	.reloc ., R_X86_64_PLT32, text_sym-4\n"
	"		.long 0\n"
	"wantinv_pc32:	.reloc ., R_X86_64_PC32, pcpu_var-4\n"
	"		.long 0\n"
	"wantinv_plt32:	.reloc ., R_X86_64_PLT32, pcpu_var-4\n"
	"		.long 0\n"
	"skip_abs32:	.reloc ., R_X86_64_32S, pcpu_var\n"
	"		.long 0\n"
	"skip_abs64:	.quad pcpu_var\n"
	"skip_pc64:	.reloc ., R_X86_64_PC64, text_sym\n"
	"		.quad 0\n"
	"skip_const:	.quad abs_const\n"
	"want64_absimg:	.quad abs_in_image\n"
	"		.weak undef_sym\n"
	"skip_undef:	.quad undef_sym\n"
	"want64_pcload:	.quad __per_cpu_load\n"
	"skip_none:	.reloc ., R_X86_64_NONE, text_sym\n"
	"		.quad 0\n"
	"	.data\n"
	"data_sym:\n"
	"want64_data:	.quad data_sym\n"
	"	.section .data..percpu, \"aw\"\n"
	"	.globl pcpu_var\n"
	"	.quad 0\n"
	"pcpu_var:	.quad 0\n"
	"pcpuwant64_ptr:	.quad text_sym\n"
	"	.section .note.test, \"a\", @note\n"
	"	.long 4, 8, 1\n"
	"	.ascii \"kdt\\0\"\n"
	"	.quad text_sym\n"
	"	.section .debug_info, \"\", @progbits\n"
	"	.quad text_sym\n";

/* Laid out as Linux links an SMP kernel: per-cpu data at 0, loaded inside the image. */
static const char synthetic_lds[] =
	"SECTIONS {\n"
	"	. = 0xffffffff81000000;\n"
	"	.text : AT(0x1000000) { *(.text) }\n"
	"	.notes : { *(.note*) }\n"
	"	.data : { *(.data) }\n"
	"	. = ALIGN(4096);\n"
	"	__per_cpu_load = .;\n"
	"	.data..percpu 0 : AT(__per_cpu_load - 0xffffffff80000000) { *(.data..percpu) }\n"
	"	. = __per_cpu_load + SIZEOF(.data..percpu);\n"
	"	.bss : { *(.bss) }\n"
	"	abs_const = 0x1234;\n"
	"	abs_in_image = ABSOLUTE(__per_cpu_load + 8);\n"
	"	.debug_info 0 : { *(.debug_info) }\n"
	"}\n";

/* Assemble `src` and link it with the script into t_tmp(out); false (after a skip) without a toolchain. */
static bool link_synthetic(const char *src, const char *out)
{
	if (t_run("command -v as >/dev/null && command -v ld >/dev/null && command -v nm >/dev/null") != 0) {
		t_skip("GNU as, ld and nm are needed to build a synthetic vmlinux");
		return false;
	}
	t_write_file(t_tmp("k.s"), src, strlen(src));
	t_write_file(t_tmp("k.lds"), synthetic_lds, strlen(synthetic_lds));
	int status = t_run("as -o '%s' '%s' && ld --emit-relocs -T '%s' -o '%s' '%s' >/dev/null", t_tmp("k.o"),
			 t_tmp("k.s"), t_tmp("k.lds"), t_tmp(out), t_tmp("k.o"));
	CHECKF(status == 0, "as/ld failed on the synthetic kernel (status %d)", status);
	return status == 0;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

struct want {
	uint32_t v[3][16];	/* 64-bit, inverse 32-bit, 32-bit */
	unsigned n[3];
};

/* The table the labels in `elf`'s symbol table (read with nm) call for. */
static bool wanted_table(const char *elf, struct t_blob *table)
{
	struct want w = { 0 };
	unsigned long long percpu_load = 0, value;
	char line[256], name[128];
	FILE *f;

	if (t_run("nm '%s' >'%s'", elf, t_tmp("nm.txt")) != 0 || !(f = fopen(t_tmp("nm.txt"), "r")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %*s %127s", &value, name) == 2 && strcmp(name, "__per_cpu_load") == 0)
			percpu_load = value;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		int list = -1;

		if (sscanf(line, "%llx %*s %127s", &value, name) != 2)
			continue;
		if (strncmp(name, "pcpuwant64_", 11) == 0)
			list = 0, value += percpu_load;
		else if (strncmp(name, "want64_", 7) == 0)
			list = 0;
		else if (strncmp(name, "wantinv_", 8) == 0)
			list = 1;
		else if (strncmp(name, "want32_", 7) == 0)
			list = 2;
		if (list >= 0 && w.n[list] < 16)
			w.v[list][w.n[list]++] = (uint32_t)value;
	}
	fclose(f);
	CHECKF(percpu_load != 0, "nm shows no __per_cpu_load in %s", elf);

	table->len = 4 * (3 + w.n[0] + w.n[1] + w.n[2]);
	table->data = malloc(table->len);
	uint8_t *p = table->data;
	for (int l = 0; l < 3; l++) {
		qsort(w.v[l], w.n[l], sizeof(w.v[l][0]), compare_u32);
		kd_put_le32(p, 0);
		p += 4;
		for (unsigned i = 0; i < w.n[l]; i++, p += 4)
			kd_put_le32(p, w.v[l][i]);
	}
	return true;
}

/* kdecomp relocs on `src` linked as a kernel gives the table its labels call for (n entries in all). */
static void check_synthetic(const char *what, const char *src, size_t n)
{
	struct t_blob want = { 0 }, got;

	if (!t_have_kdecomp() || !link_synthetic(src, "k.elf") || !wanted_table(t_tmp("k.elf"), &want))
		return;
	CHECKF(want.len == 4 * (3 + n), "%s: %zu labels found, not %zu", what, want.len / 4 - 3, n);
	CHECK_EQ(t_run("'%s' relocs -q '%s' -o '%s'", t_kdecomp_path(), t_tmp("k.elf"), t_tmp("k.relocs")), 0);
	got = t_read_file(t_tmp("k.relocs"));
	CHECKF(got.data && got.len == want.len && memcmp(got.data, want.data, want.len) == 0,
	       "%s: table differs from the labels' (%zu bytes, want %zu)", what, got.len, want.len);
	free(got.data);
	free(want.data);
}

TEST(relocs_generator_rules_on_a_synthetic_kernel)
{
	check_synthetic("every rule", synthetic_asm, 5 + 2 + 2);
	/* empty lists are just their terminators; no per-cpu section at all */
	check_synthetic("empty lists", "	.text\nt: want64_only: .quad t\n", 1);
	check_synthetic("no relocations", "	.text\nt: .quad 0\n	.reloc ., R_X86_64_PC32, t\n	.long 0\n", 0);
}

/* The generator refuses what has no list (and says why), and a file with nothing to read. */
TEST(relocs_generator_refusals)
{
	static const struct {
		const char *src, *says;
	} bad[] = {
		{ "	.text\n	.reloc ., R_X86_64_PC64, pcpu_var\n	.quad 0\n"
		  "	.section .data..percpu, \"aw\"\npcpu_var: .quad 0\n", "per-cpu" },
		{ "	.text\nt: .reloc ., R_X86_64_PC16, t\n	.word 0\n", "unsupported relocation type 13" },
	};

	if (!t_have_kdecomp())
		return;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!link_synthetic(bad[i].src, "bad.elf"))
			return;
		CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), t_tmp("bad.elf"), t_tmp("bad.relocs")) == 1 &&
		       stderr_says(bad[i].says), "case %zu: not refused with '%s'", i, bad[i].says);
		CHECKF(access(t_tmp("bad.relocs"), F_OK) != 0, "case %zu: output written", i);
	}
	CHECK(t_run("strip -o '%s' '%s'", t_tmp("stripped.elf"), t_tmp("bad.elf")) == 0);
	CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), t_tmp("stripped.elf"), t_tmp("bad.relocs")) == 1 &&
	       stderr_says("--emit-relocs"), "a stripped ELF is not refused");
	t_write_file(t_tmp("not.elf"), "hello, world\n", 13);
	CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), t_tmp("not.elf"), t_tmp("bad.relocs")) == 1 &&
	       stderr_says("not a little-endian x86-64 ELF64"), "a text file is not refused");
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

TEST(relocs_apply_on_debian_kernel)
{
	static const uint64_t virt_addrs[] = {
		LINK + 0x4000000,	/* 64 MiB up */
		LINK + 0x2a600000,	/* near the top of the 1 GiB image area */
		LINK - 0x200000,	/* down: the arithmetic wraps the same way */
	};
	struct t_blob *p = t_kernel_payload();
	struct kd_elf_info elf;
	struct kd_relocs rel;
	struct kd_report r = { 0 };
	size_t size;

	if (!p || !split_payload(p, &elf, &rel))
		return;
	CHECK_EQ(elf.mem_start, LINK);
	CHECK(rel.n32 > 0 && rel.n32inv > 0 && rel.n64 > 0);
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
		char what[64];

		snprintf(what, sizeof(what), "delta 0x%llx", (unsigned long long)delta);
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

/* --- malformed tables --- */

/* A table from lists of entries, as words: [0][64...][0][inv...][0][32...]. */
static size_t make_table(uint32_t *t, const uint32_t *l64, size_t n64, const uint32_t *inv, size_t ninv,
			 const uint32_t *l32, size_t n32)
{
	size_t n = 0;

	t[n++] = 0;
	for (size_t i = 0; i < n64; i++)
		t[n++] = l64[i];
	t[n++] = 0;
	for (size_t i = 0; i < ninv; i++)
		t[n++] = inv[i];
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

TEST(relocs_find_well_formed_and_truncated)
{
	const uint32_t l64[] = { SPOT(0), SPOT(8) }, inv[] = { SPOT(16) }, l32[] = { SPOT(20), SPOT(24), SPOT(28) };
	uint32_t t[16];
	size_t len = make_table(t, l64, 2, inv, 1, l32, 3);
	struct kd_relocs rel;
	struct kd_report r;

	CHECK(find(t, len, 0, &rel, &r) == KD_OK);
	CHECK_EQ(rel.start, 0);
	CHECK_EQ(rel.end, len);
	CHECK(rel.n64 == 2 && rel.n32inv == 1 && rel.n32 == 3);
	/* empty lists are three zeros */
	CHECK(find(t, make_table(t, NULL, 0, NULL, 0, NULL, 0), 0, &rel, &r) == KD_OK);
	CHECK(rel.n64 == 0 && rel.n32inv == 0 && rel.n32 == 0 && rel.start == 0);

	/* cut from the front (the floor moves up): whole words lose a terminator, others are not whole */
	len = make_table(t, l64, 2, inv, 1, l32, 3);
	for (size_t cut = 1; cut < len; cut++) {
		enum kd_err err = find(t, len, cut, &rel, &r);

		CHECKF(err == KD_ERR_RELOC && r.why, "cut %zu: error %d", cut, err);
		if (cut % 4)
			CHECKF(r.why && strstr(r.why, "whole number"), "cut %zu: %s", cut, r.why);
		else
			CHECKF(r.why && strstr(r.why, "no terminator"), "cut %zu: %s", cut, r.why);
	}
	CHECK(find(t, len, len + 4, &rel, &r) == KD_ERR_RELOC);	/* floor past the end */
}

TEST(relocs_find_missing_terminators)
{
	const uint32_t spots[] = { SPOT(0), SPOT(4), SPOT(8) };
	uint32_t t[8];
	struct kd_relocs rel;
	struct kd_report r;
	static const char *const says[] = { "32-bit list", "inverse 32-bit list", "64-bit list" };

	/* with z of the three zeros left (those nearest the end), the (z+1)-th list from the end has none */
	for (int z = 0; z < 3; z++) {
		size_t n = 0;

		for (int i = 0; i < 3 - z; i++)
			t[n++] = spots[i];
		for (int i = 0; i < z; i++) {
			memmove(t + 1, t, 4 * n++);
			t[0] = 0;
		}
		CHECK(find(t, 4 * n, 0, &rel, &r) == KD_ERR_RELOC);
		CHECKF(r.why && strncmp(r.why, says[z], strlen(says[z])) == 0 && strstr(r.why, "terminator"),
		       "%d zeros: %s", z, r.why);
	}
}

/* Entries outside the kernel: each list, below it, past its end, straddling the end, positive. */
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
		{ 2, 0x7ffffffc, "32-bit relocation outside" },
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
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t e = bad[i].entry;
		size_t len = make_table(t, bad[i].list == 0 ? &e : NULL, bad[i].list == 0,
					bad[i].list == 1 ? &e : NULL, bad[i].list == 1, bad[i].list == 2 ? &e : NULL,
					bad[i].list == 2);

		CHECK(find(t, len, 0, &rel, &r) == KD_OK);
		memcpy(copy, image, SIZE);
		memset(&r, 0, sizeof(r));
		CHECKF(kd_relocs_apply(copy, SIZE, LINK, (const uint8_t *)t, &rel, LINK + 0x200000, &r) ==
			       KD_ERR_RELOC && r.why && strncmp(r.why, bad[i].says, strlen(bad[i].says)) == 0,
		       "case %zu (0x%08x): %s", i, e, r.why ? r.why : "accepted");
		CHECKF(r.value == e, "case %zu: the report names 0x%llx, not the entry 0x%08x", i,
		       (unsigned long long)r.value, e);
		CHECKF(memcmp(copy, image, SIZE) == 0, "case %zu: image changed", i);
	}
	/* the last spot that fits, in each width, is accepted */
	uint32_t last32 = SPOT(SIZE - 4), last64 = SPOT(SIZE - 8);
	size_t len = make_table(t, &last64, 1, &ok, 1, &last32, 1);
	CHECK(find(t, len, 0, &rel, &r) == KD_OK);
	memcpy(copy, image, SIZE);
	CHECK(kd_relocs_apply(copy, SIZE, LINK, (const uint8_t *)t, &rel, LINK + 0x200000, &r) == KD_OK);
	CHECK(kd_get_le32(copy + SIZE - 4) == kd_get_le32(image + SIZE - 4) + 0x200000);
}
