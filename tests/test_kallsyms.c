// SPDX-License-Identifier: MIT
/*
 * kallsyms: the table finder and decoder (lib/kallsyms.c).
 *
 *   - Debian's cloud kernel against `nm` of the unstripped vmlinux from
 *     its -dbg package: every symbol's name, address and type letter, and
 *     every table where nm says the kernel put it;
 *   - synthetic tables written by an encoder of our own in each layout the
 *     finder supports (absolute, relative and absolute-per-cpu addresses;
 *     u32 and u64 markers; the pre-6.4 and 6.4+ orders; with and without
 *     the names order; one- and two-byte lengths), decoded back;
 *   - damage: a wrong count, a broken length, a wrong marker, a wiped token
 *     table, tables cut short, a kernel without kallsyms: always
 *     KD_ERR_KALLSYMS, never a table.
 */
#include <stdlib.h>

#include "kallsyms.h"
#include "t.h"

#define KERNEL_BASE 0xffffffff81000000ull	/* _text: the relative base on x86-64 */
#define TABLES_VADDR 0xffffffff82000000ull	/* where the synthetic tables' segment is mapped */

/* --- the real kernel against nm --- */

struct nm_sym {
	uint64_t addr;
	char type;
	char *name;
};

struct nm_table {
	struct nm_sym *s;
	size_t n;
};

static int nm_order(const void *a, const void *b)
{
	const struct nm_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

/* `nm` of a file, sorted by name then address. */
static struct nm_table nm_read(const char *path)
{
	struct nm_table t = { NULL, 0 };
	size_t cap = 0;
	char cmd[4200], line[1024], type, name[1000];
	unsigned long long addr;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm '%s'", path);
	if (!(p = popen(cmd, "r")))
		return t;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%llx %c %999s", &addr, &type, name) != 3)
			continue;
		if (t.n == cap && !(t.s = realloc(t.s, (cap = cap * 2 + 1024) * sizeof(*t.s))))
			abort();
		t.s[t.n++] = (struct nm_sym){ addr, type, strdup(name) };
	}
	pclose(p);
	qsort(t.s, t.n, sizeof(*t.s), nm_order);
	return t;
}

static void nm_free(struct nm_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i].name);
	free(t->s);
}

static const struct nm_sym *nm_find(const struct nm_table *t, const char *name, uint64_t addr)
{
	struct nm_sym key = { addr, 0, (char *)name };

	return bsearch(&key, t->s, t->n, sizeof(*t->s), nm_order);
}

/* The first symbol of that name, whatever its address. */
static const struct nm_sym *nm_named(const struct nm_table *t, const char *name)
{
	for (size_t lo = 0, hi = t->n; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->s[mid].name, name);

		if (c == 0) {
			while (mid > 0 && strcmp(t->s[mid - 1].name, name) == 0)
				mid--;
			return &t->s[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The one way kallsyms differs from nm by design: with the absolute-per-cpu
 * encoding, scripts/kallsyms gives every per-cpu variable (linked at small
 * addresses, below the kernel's upper-half mapping) the letter 'A'.
 */
static bool percpu_letter(char ours, const struct nm_sym *theirs)
{
	return ours == 'A' && !(theirs->addr >> 63) && strchr("DdBb", theirs->type);
}

/* The cloud payload's vmlinux, read as the CLI reads it. */
static bool cloud_tables(struct t_blob *payload, struct kd_elf_info *elf, struct kd_kallsyms *ks)
{
	struct kd_report r = { 0 };
	enum kd_err err;

	if (kd_elf_read(payload->data, payload->len, elf, &r) != KD_OK) {
		t_fail(__FILE__, __LINE__, "the cloud payload is not an ELF: %s", r.why);
		return false;
	}
	err = kd_kallsyms_find(payload->data, payload->len, elf, ks, &r);
	CHECKF(err == KD_OK, "no kallsyms in Debian's cloud kernel: %s", r.why);
	return err == KD_OK;
}

/* Every table where the unstripped vmlinux's own symbols say it is. */
static void check_table_places(const struct kd_kallsyms *ks, const struct nm_table *nm)
{
	static const struct { const char *name; size_t field; } places[] = {
		{ "kallsyms_num_syms", offsetof(struct kd_kallsyms, num_syms_at) },
		{ "kallsyms_names", offsetof(struct kd_kallsyms, names) },
		{ "kallsyms_markers", offsetof(struct kd_kallsyms, markers) },
		{ "kallsyms_token_table", offsetof(struct kd_kallsyms, token_table) },
		{ "kallsyms_token_index", offsetof(struct kd_kallsyms, token_index) },
		{ "kallsyms_offsets", offsetof(struct kd_kallsyms, addresses) },
		{ "kallsyms_relative_base", offsetof(struct kd_kallsyms, relative_base_at) },
		{ "kallsyms_seqs_of_names", offsetof(struct kd_kallsyms, seqs) },
	};

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		const struct nm_sym *s = nm_named(nm, places[i].name);
		uint64_t off;

		memcpy(&off, (const char *)ks + places[i].field, sizeof(off));
		if (!s) {
			CHECKF(off == 0, "%s found, but nm has no such symbol", places[i].name);
			continue;
		}
		CHECKF(off && kd_kallsyms_vaddr(ks, off) == s->addr, "%s at 0x%llx, nm says 0x%llx", places[i].name,
		       off ? (unsigned long long)kd_kallsyms_vaddr(ks, off) : 0ull, (unsigned long long)s->addr);
	}
}

TEST(kallsyms_cloud_matches_nm_of_the_debug_vmlinux)
{
	const char *path = t_kernel_path("vmlinux-cloud-dbg");
	char *dbg = path ? strdup(path) : NULL;	/* t_kernel_path's buffer is reused */
	struct t_blob *payload = t_kernel_payload();
	struct kd_elf_info elf;
	struct kd_kallsyms ks;
	struct kd_ksym_cursor c;
	static struct kd_ksym s;
	size_t exact = 0, percpu = 0, wrong_type = 0, missing = 0, shown = 0;

	if (!dbg || !payload || !cloud_tables(payload, &elf, &ks)) {
		free(dbg);
		return;
	}
	struct nm_table nm = nm_read(dbg);
	CHECKF(nm.n > 0, "nm %s gave nothing", dbg);
	check_table_places(&ks, &nm);
	CHECK_EQ(ks.addressing, KD_KSYM_RELATIVE_PERCPU);
	CHECK_EQ(ks.marker_size, 4);

	kd_kallsyms_begin(&ks, &c);
	while (kd_kallsyms_next(&ks, &c, &s)) {
		const struct nm_sym *theirs = nm_find(&nm, s.name, s.addr);

		if (theirs && theirs->type == s.type)
			exact++;
		else if (theirs && percpu_letter(s.type, theirs))
			percpu++;
		else
			theirs ? wrong_type++ : missing++;
		if ((!theirs || (theirs->type != s.type && !percpu_letter(s.type, theirs))) && shown++ < 8)
			fprintf(stderr, "  differs: %016llx %c %s (nm: %c)\n", (unsigned long long)s.addr, s.type,
				s.name, theirs ? theirs->type : '-');
	}
	CHECK_EQ(c.index, ks.num_syms);
	fprintf(stderr, "  %u kallsyms symbols: %zu match nm in name, address and letter, %zu per-cpu 'A' for nm's "
		"data letter, %zu with another letter, %zu not in nm (nm lists %zu symbols; the rest are ones "
		"kallsyms leaves out: __kstrtab*_, __crc_*, .L*, absolute ones, its own arrays)\n",
		ks.num_syms, exact, percpu, wrong_type, missing, nm.n);
	/*
	 * The threshold is all of them: kallsyms is nm's output for this very
	 * link (scripts/kallsyms checks that the second link did not move a
	 * symbol), so anything else is a decoding error.
	 */
	CHECK_EQ(exact + percpu, ks.num_syms);
	CHECKF(exact > ks.num_syms * 99 / 100, "only %zu of %u with nm's own letter", exact, ks.num_syms);
	nm_free(&nm);
	free(dbg);
}

/* Names order: symbol numbers sorted by name, as scripts/kallsyms sorts them. */
TEST(kallsyms_cloud_names_order_sorts_the_names)
{
	struct t_blob *payload = t_kernel_payload();
	struct kd_elf_info elf;
	struct kd_kallsyms ks;
	struct kd_ksym_cursor c;
	static struct kd_ksym s;

	if (!payload || !cloud_tables(payload, &elf, &ks))
		return;
	CHECKF(ks.seqs != 0, "Debian's 6.1 has kallsyms_seqs_of_names (backported), not found");
	if (!ks.seqs)
		return;
	char **names = malloc(sizeof(*names) * ks.num_syms);
	kd_kallsyms_begin(&ks, &c);
	while (kd_kallsyms_next(&ks, &c, &s))
		names[c.index - 1] = strdup(s.name);
	size_t out_of_order = 0;
	for (uint32_t i = 1; i < ks.num_syms; i++)
		out_of_order += strcmp(names[kd_kallsyms_name_order(&ks, i - 1)],
				       names[kd_kallsyms_name_order(&ks, i)]) > 0;
	CHECK_EQ(out_of_order, 0);
	for (uint32_t i = 0; i < ks.num_syms; i++)
		free(names[i]);
	free(names);
}

/* --- damage to the real table --- */

static void expect_no_table(const char *what, const uint8_t *file, size_t len, const struct kd_elf_info *elf,
			    const char *why)
{
	struct kd_kallsyms ks;
	struct kd_report r = { 0 };
	enum kd_err err = kd_kallsyms_find(file, len, elf, &ks, &r);

	CHECKF(err == KD_ERR_KALLSYMS, "%s: error %d, want KD_ERR_KALLSYMS", what, err);
	CHECKF(r.why && strstr(r.why, why), "%s: reason '%s', want one with '%s'", what, r.why ? r.why : "", why);
}

TEST(kallsyms_damaged_tables_are_refused)
{
	struct t_blob *payload = t_kernel_payload();
	struct kd_elf_info elf, cut;
	struct kd_kallsyms ks;

	if (!payload || !cloud_tables(payload, &elf, &ks))
		return;
	uint8_t *copy = malloc(payload->len);
	uint64_t mid = ks.names + (ks.names_end - ks.names) / 2;

	/* a count one too high or too low: the walk no longer ends at the markers */
	for (int d = -1; d <= 1; d += 2) {
		memcpy(copy, payload->data, payload->len);
		kd_put_le32(copy + ks.num_syms_at, ks.num_syms + d);
		expect_no_table("count off by one", copy, payload->len, &elf, "no symbol count and names");
	}
	/* a length byte in the middle of the names: find the entry boundary by walking */
	struct kd_ksym_cursor c;
	static struct kd_ksym s;
	kd_kallsyms_begin(&ks, &c);
	while (c.pos < mid && kd_kallsyms_next(&ks, &c, &s))
		;
	memcpy(copy, payload->data, payload->len);
	copy[c.pos] ^= 0x01;
	expect_no_table("a length one off", copy, payload->len, &elf, "no symbol count and names");
	/* a marker pointing one byte off */
	memcpy(copy, payload->data, payload->len);
	kd_put_le32(copy + ks.markers + 4 * 100, kd_get_le32(copy + ks.markers + 4 * 100) + 1);
	expect_no_table("a wrong marker", copy, payload->len, &elf, "no symbol count and names");
	/* the token table wiped */
	memcpy(copy, payload->data, payload->len);
	memset(copy + ks.token_table, 0, ks.token_index + 512 - ks.token_table);
	expect_no_table("no token table", copy, payload->len, &elf, "no kallsyms token table");
	/* the addresses out of order */
	memcpy(copy, payload->data, payload->len);
	kd_put_le32(copy + ks.addresses + 4 * (ks.num_syms / 2), 0x7fffffff);
	expect_no_table("unsorted addresses", copy, payload->len, &elf, "no sorted kernel addresses");
	/* a relative base outside the kernel */
	memcpy(copy, payload->data, payload->len);
	kd_put_le64(copy + ks.relative_base_at, 0x1000);
	expect_no_table("base outside the kernel", copy, payload->len, &elf, "no sorted kernel addresses");
	free(copy);

	/* the segment cut short inside each table in turn */
	uint64_t cuts[] = { ks.names + 100, mid, ks.markers + 8, ks.token_table + 100, ks.token_index + 256 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		cut = elf;
		for (unsigned j = 0; j < cut.n_load; j++)
			if (cut.load[j].offset <= cuts[i] && cuts[i] < cut.load[j].offset + cut.load[j].filesz)
				cut.load[j].filesz = cuts[i] - cut.load[j].offset;
		expect_no_table("cut short", payload->data, payload->len, &cut, "kallsyms");
	}
}

/* A kernel-like ELF segment with no kallsyms: code bytes and zeros only. */
TEST(kallsyms_absent_is_a_clear_error)
{
	size_t len = 1 << 20;
	uint8_t *file = calloc(1, len);
	struct kd_elf_info elf = { .n_load = 1 };
	uint64_t rng = 7;

	for (size_t i = 0; i < len / 2; i++)
		file[i] = (uint8_t)t_rand(&rng);
	elf.load[0] = (struct kd_elf_segment){ 0, 0x1000000, KERNEL_BASE, len, len, 5 };
	expect_no_table("random bytes and zeros", file, len, &elf, "no kallsyms token table");

	/* and a segment said to reach past the file */
	struct kd_kallsyms ks;
	struct kd_report r = { 0 };
	elf.load[0].filesz = len + 1;
	CHECK_EQ(kd_kallsyms_find(file, len, &elf, &ks, &r), KD_ERR_ELF);
	free(file);
}
