// SPDX-License-Identifier: MIT
/*
 * `kdecomp relocs` on a small kernel-shaped ELF assembled and linked here
 * with GNU as/ld, one spot per rule (each relocation type, per-cpu symbols
 * and spots, absolute and undefined symbols, notes, debug sections), each
 * spot labelled with the list it belongs in, so the expected table comes
 * from the symbol table, not from our code:
 *
 *   - the table the labels call for, byte for byte, in three lists or two;
 *   - the layout the version banner calls for: three lists to 6.14, two
 *     from 6.15 (per-cpu data at 0 in a 6.15 kernel: refused);
 *   - refusals with the reason: a per-cpu PC64 spot, an unsupported
 *     relocation type, a stripped ELF, a file that is no ELF.
 */
#include <stdlib.h>
#include <unistd.h>

#include "kd.h"
#include "t.h"

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

/* The table the labels in `elf`'s symbol table (read with nm) call for, in `lists` lists (3 or 2). */
static bool wanted_table(const char *elf, int lists, struct t_blob *table)
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

	CHECKF(lists == 3 || w.n[1] == 0, "%s: inverse labels, but a two-list table is wanted", elf);
	table->len = 4 * (lists + w.n[0] + w.n[1] + w.n[2]);
	table->data = malloc(table->len);
	uint8_t *p = table->data;
	for (int l = 0; l < 3; l++) {
		if (l == 1 && lists == 2)
			continue;
		qsort(w.v[l], w.n[l], sizeof(w.v[l][0]), compare_u32);
		kd_put_le32(p, 0);
		p += 4;
		for (unsigned i = 0; i < w.n[l]; i++, p += 4)
			kd_put_le32(p, w.v[l][i]);
	}
	return true;
}

/*
 * kdecomp relocs on `src` linked as a kernel gives the table its labels
 * call for (n entries in all), in `lists` lists.
 */
static void check_synthetic(const char *what, const char *src, size_t n, int lists)
{
	struct t_blob want = { 0 }, got;

	if (!t_have_kdecomp() || !link_synthetic(src, "k.elf") || !wanted_table(t_tmp("k.elf"), lists, &want))
		return;
	CHECKF(want.len == 4 * (lists + n), "%s: %zu labels found, not %zu", what, want.len / 4 - lists, n);
	CHECK_EQ(t_run("'%s' relocs -q '%s' -o '%s'", t_kdecomp_path(), t_tmp("k.elf"), t_tmp("k.relocs")), 0);
	got = t_read_file(t_tmp("k.relocs"));
	CHECKF(got.data && got.len == want.len && memcmp(got.data, want.data, want.len) == 0,
	       "%s: table differs from the labels' (%zu bytes, want %zu)", what, got.len, want.len);
	free(got.data);
	free(want.data);
}

/* A banner as linux_banner starts, for the generator to read the version from. */
#define BANNER(v) "	.data\n	.ascii \"Linux version " v " (synthetic) #1\\n\\0\"\n"

TEST(relocs_generator_rules_on_a_synthetic_kernel)
{
	/* no banner: per-cpu data linked at 0 calls for the inverse list, so three lists */
	static char with_banner[sizeof(synthetic_asm) + 128];

	check_synthetic("every rule", synthetic_asm, 5 + 2 + 2, 3);
	snprintf(with_banner, sizeof(with_banner), "%s%s", synthetic_asm, BANNER("6.1.0-57-cloud-amd64"));
	check_synthetic("every rule, a 6.1 banner", with_banner, 5 + 2 + 2, 3);
	/* empty lists are just their terminators; no per-cpu section and no banner: two lists */
	check_synthetic("empty lists", "	.text\nt: want64_only: .quad t\n", 1, 2);
	check_synthetic("no relocations", "	.text\nt: .quad 0\n	.reloc ., R_X86_64_PC32, t\n	.long 0\n", 0, 2);
}

/* The layout follows the version in the banner: three lists to 6.14, two from 6.15. */
TEST(relocs_generator_layout_by_version)
{
	static const char code[] = "	.text\nt: want64_a: .quad t\nwant32_b: .reloc ., R_X86_64_32S, t\n	.long 0\n";
	static const struct { const char *banner; int lists; } cases[] = {
		{ BANNER("5.10.0-32-cloud-amd64"), 3 },
		{ BANNER("6.14.11"), 3 },
		{ BANNER("6.15.0"), 2 },
		{ BANNER("7.2.13+deb14-cloud-amd64"), 2 },
		{ BANNER("10.0.1"), 2 },
	};
	static char src[sizeof(synthetic_asm) + 128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(src, sizeof(src), "%s%s", code, cases[i].banner);
		check_synthetic(cases[i].banner, src, 2, cases[i].lists);
	}
	/* with the per-cpu section at 0 in a kernel whose version has no inverse list: refused */
	snprintf(src, sizeof(src), "%s%s", synthetic_asm, BANNER("6.15.0"));
	if (t_have_kdecomp() && link_synthetic(src, "k.elf"))
		CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), t_tmp("k.elf"), t_tmp("k.relocs")) == 1 &&
		       t_stderr_says("has no inverse relocation list"), "6.15 with per-cpu data at 0 not refused");
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
		       t_stderr_says(bad[i].says), "case %zu: not refused with '%s'", i, bad[i].says);
		CHECKF(access(t_tmp("bad.relocs"), F_OK) != 0, "case %zu: output written", i);
	}
	CHECK(t_run("strip -o '%s' '%s'", t_tmp("stripped.elf"), t_tmp("bad.elf")) == 0);
	CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), t_tmp("stripped.elf"), t_tmp("bad.relocs")) == 1 &&
	       t_stderr_says("--emit-relocs"), "a stripped ELF is not refused");
	t_write_file(t_tmp("not.elf"), "hello, world\n", 13);
	CHECKF(t_run("'%s' relocs '%s' -o '%s'", t_kdecomp_path(), t_tmp("not.elf"), t_tmp("bad.relocs")) == 1 &&
	       t_stderr_says("not a little-endian x86-64 ELF64"), "a text file is not refused");
}
