// SPDX-License-Identifier: MIT
/*
 * kallsyms: the table finder and decoder (lib/kernel/kallsyms.c).
 *
 *   - Debian's cloud kernel against `nm` of the unstripped vmlinux from
 *     its -dbg package: every symbol's name, address and type letter, and
 *     every table where nm says the kernel put it;
 *   - synthetic tables written by an encoder of our own in each layout the
 *     finder supports (absolute, relative, absolute-per-cpu and 7.0's
 *     place-relative addresses; u32 and u64 markers; the pre-6.4, 6.4 and
 *     7.0 orders and alignments; with and without the names order; one-
 *     and two-byte lengths; type letters and nm's "?"), decoded back;
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
		"kallsyms leaves out: __kstrtab_*, __kstrtabns_*, __crc_*, .L*, absolute ones, its own arrays)\n",
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

/* --- synthetic tables in every supported layout --- */

/* A table as some kernel version lays it out. */
struct layout {
	const char *what;
	uint32_t n;				/* symbols */
	enum kd_ksym_addressing addressing;
	unsigned marker_size;			/* 4, or 8 for old kernels' unsigned long */
	bool after_token_index;			/* the 6.4 order: addresses after the token index */
	bool seqs;				/* kallsyms_seqs_of_names */
	bool long_lengths;			/* 6.1's two-byte lengths */
	bool long_names;			/* some entries of 0x80 tokens or more */
	unsigned align;				/* of each array: 8, or 4 from 7.0 */
};

static const struct layout layouts[] = {
	{ "6.1 stable (Debian)", 3000, KD_KSYM_RELATIVE_PERCPU, 4, false, true, true, true, 8 },
	{ "6.2/6.3 without per-cpu", 1000, KD_KSYM_RELATIVE, 4, false, true, true, true, 8 },
	{ "6.4 on, relative", 3000, KD_KSYM_RELATIVE, 4, true, true, true, true, 8 },
	{ "6.4 on, per-cpu", 700, KD_KSYM_RELATIVE_PERCPU, 4, true, true, true, true, 8 },
	{ "6.4 on, absolute", 600, KD_KSYM_ABSOLUTE, 4, true, true, true, false, 8 },
	{ "7.0 on, place-relative", 3000, KD_KSYM_PLACE_RELATIVE, 4, true, true, true, true, 4 },
	{ "7.0 on, 257 symbols", 257, KD_KSYM_PLACE_RELATIVE, 4, true, true, true, false, 4 },
	{ "4.x, u64 markers", 2000, KD_KSYM_RELATIVE_PERCPU, 8, false, false, false, false, 8 },
	{ "before 4.6, absolute", 1500, KD_KSYM_ABSOLUTE, 8, false, false, false, false, 8 },
	{ "one-byte lengths of 0x80 and more", 600, KD_KSYM_RELATIVE, 4, false, false, false, true, 8 },
	{ "256 symbols: one marker", 256, KD_KSYM_RELATIVE, 4, false, true, true, false, 8 },
	{ "257 symbols: two markers", 257, KD_KSYM_RELATIVE_PERCPU, 4, true, true, true, false, 8 },
	{ "one symbol", 1, KD_KSYM_RELATIVE, 4, false, true, true, false, 8 },
	{ "6.1 stable, 300 symbols", 300, KD_KSYM_RELATIVE_PERCPU, 4, false, true, true, false, 8 },
};

/*
 * Tables of at most this many symbols are also fuzz_kallsyms seeds: with
 * KD_KALLSYMS_SEEDS=DIR set, each is written to DIR (fuzz/make-seeds.sh),
 * mapped as that target maps its input.
 */
#define SEED_MAX_SYMS 300

struct synth_sym {
	uint64_t addr;
	char text[KD_KSYM_NAME_MAX];	/* type letter, then name */
};

/* The symbols: names from words (so tokens compress them), some repeated, some aliases, some long. */
static struct synth_sym *synth_symbols(const struct layout *l, uint64_t *rng)
{
	static const char *const words[] = { "init", "do_", "sys_", "irq", "_lock", "pci", "dev", "get_", "set_",
					     "page", "mm", "_fn", "sched", "net_", "x86", "cpu" };
	/* '?': nm's type for symbols in sections that end up empty (small configs) */
	static const char types[] = "TtDdBbRrWV?";
	struct synth_sym *s = calloc(l->n, sizeof(*s));
	uint64_t addr = KERNEL_BASE;
	uint32_t percpu = l->addressing == KD_KSYM_RELATIVE_PERCPU ? l->n / 10 : 0;

	for (uint32_t i = 0; i < l->n; i++) {
		char *t = s[i].text;
		size_t len = 1;

		t[0] = i < percpu ? 'A' : types[t_rand(rng) % (sizeof(types) - 1)];
		if (l->long_names && i % 97 == 5) {
			/* upper-case letters have only one-letter tokens: one token per character */
			size_t n = 130 + t_rand(rng) % 300;
			if (!l->long_lengths && n > 250)
				n = 250;
			for (; len < n; len++)
				t[len] = "QZXK"[t_rand(rng) % 4];
		} else {
			for (unsigned w = 1 + t_rand(rng) % 4; w; w--)
				len += (size_t)sprintf(t + len, "%s", words[t_rand(rng) % 16]);
			if (t_rand(rng) % 8)
				len += (size_t)sprintf(t + len, "%u", (unsigned)(t_rand(rng) % 1000));
		}
		t[len] = 0;
		if (i < percpu) {
			s[i].addr = (uint64_t)i * 0x40;
		} else {
			addr += t_rand(rng) % 5 ? t_rand(rng) % 4096 : 0;
			s[i].addr = addr;
		}
	}
	return s;
}

/*
 * A token table: every character the texts use stands for itself (as in
 * the kernel's tables), the other byte values for pairs of common letters
 * and the words, so that greedy longest-match encoding compresses.
 */
static void synth_tokens(const struct synth_sym *s, uint32_t n, char tokens[256][8])
{
	static const char *const extra[] = { "init", "do_", "sys_", "irq", "_lock", "pci", "dev", "get_", "set_",
					     "page", "sched", "net_", "x86", "cpu" };
	static const char letters[] = "etaoinsrlcdu_pgmfkhyb";
	bool used[256] = { false };
	size_t next_extra = 0, pair = 0;

	for (uint32_t i = 0; i < n; i++)
		for (const char *c = s[i].text; *c; c++)
			used[(uint8_t)*c] = true;
	for (int b = 0; b < 256; b++) {
		if (used[b]) {
			tokens[b][0] = (char)b;
			tokens[b][1] = 0;
		} else if (next_extra < sizeof(extra) / sizeof(extra[0])) {
			strcpy(tokens[b], extra[next_extra++]);
		} else {
			size_t nl = sizeof(letters) - 1;
			tokens[b][0] = letters[pair / nl % nl];
			tokens[b][1] = letters[pair % nl];
			tokens[b][2] = pair >= nl * nl ? 'z' : 0;
			tokens[b][3] = 0;
			pair++;
		}
	}
}

/* Greedy longest-match encoding of one text; returns the token count. */
static size_t synth_encode(const char *text, char tokens[256][8], uint8_t *out)
{
	size_t n = 0;

	while (*text) {
		size_t best_len = 0;
		int best = -1;

		for (int b = 0; b < 256; b++) {
			size_t tl = strlen(tokens[b]);
			if (tl > best_len && strncmp(text, tokens[b], tl) == 0)
				best = b, best_len = tl;
		}
		if (best < 0)
			abort();	/* every character has its own token */
		out[n++] = (uint8_t)best;
		text += best_len;
	}
	return n;
}

struct synth_buf {
	uint8_t *p;
	size_t len, cap;
	unsigned align;		/* each array's */
};

static size_t synth_put(struct synth_buf *b, const void *data, size_t len)
{
	size_t at = b->len;

	if (b->len + len > b->cap && !(b->p = realloc(b->p, b->cap = (b->len + len) * 2)))
		abort();
	memcpy(b->p + at, data, len);
	b->len += len;
	return at;
}

/* Pad to the boundary every kallsyms array starts on; the start of the array. */
static size_t synth_align(struct synth_buf *b)
{
	static const uint8_t zeros[8];

	synth_put(b, zeros, (b->align - b->len % b->align) % b->align);
	return b->len;
}

static size_t synth_u32(struct synth_buf *b, uint32_t v)
{
	uint8_t e[4];

	kd_put_le32(e, v);
	return synth_put(b, e, 4);
}

static size_t synth_u64(struct synth_buf *b, uint64_t v)
{
	uint8_t e[8];

	kd_put_le64(e, v);
	return synth_put(b, e, 8);
}

/* Where the writer put each array (offsets in the buffer), for comparing with what the finder says. */
struct synth_places {
	size_t num_syms, names, markers, seqs, token_table, token_index, addresses, base;
};

static void synth_addresses(struct synth_buf *b, const struct layout *l, const struct synth_sym *s,
			    struct synth_places *at)
{
	at->addresses = synth_align(b);
	for (uint32_t i = 0; i < l->n; i++) {
		if (l->addressing == KD_KSYM_ABSOLUTE)
			synth_u64(b, s[i].addr);
		else if (l->addressing == KD_KSYM_PLACE_RELATIVE)
			synth_u32(b, (uint32_t)(s[i].addr - (TABLES_VADDR + b->len)));	/* from the entry itself */
		else if (l->addressing == KD_KSYM_RELATIVE || s[i].addr < KERNEL_BASE)
			synth_u32(b, (uint32_t)(s[i].addr - (s[i].addr < KERNEL_BASE ? 0 : KERNEL_BASE)));
		else
			synth_u32(b, (uint32_t)(KERNEL_BASE - 1 - s[i].addr));	/* negative: base - 1 - offset */
	}
	if (l->addressing == KD_KSYM_RELATIVE || l->addressing == KD_KSYM_RELATIVE_PERCPU)
		at->base = synth_align(b), synth_u64(b, KERNEL_BASE);
}

static const struct synth_sym *sort_base;
static int by_text(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(sort_base[x].text + 1, sort_base[y].text + 1);

	return c ? c : (x > y) - (x < y);
}

static void synth_seqs(struct synth_buf *b, const struct layout *l, const struct synth_sym *s, struct synth_places *at)
{
	uint32_t *order = malloc(sizeof(*order) * l->n);

	for (uint32_t i = 0; i < l->n; i++)
		order[i] = i;
	sort_base = s;
	qsort(order, l->n, sizeof(*order), by_text);
	at->seqs = synth_align(b);
	for (uint32_t i = 0; i < l->n; i++) {
		uint8_t e[3] = { (uint8_t)(order[i] >> 16), (uint8_t)(order[i] >> 8), (uint8_t)order[i] };
		synth_put(b, e, 3);
	}
	free(order);
}

/* The whole table in layout l, between two stretches of filler. */
static struct synth_buf synth_table(const struct layout *l, const struct synth_sym *s, struct synth_places *at,
				    bool *has_long_entry, uint64_t *rng)
{
	struct synth_buf b = { NULL, 0, 0, l->align };
	static char tokens[256][8];
	uint8_t filler[4096], code[KD_KSYM_NAME_MAX];
	uint32_t markers[(3000 + 255) / 256 + 1];

	for (size_t i = 0; i < sizeof(filler); i++)
		filler[i] = (uint8_t)t_rand(rng);
	synth_put(&b, filler, sizeof(filler));
	synth_tokens(s, l->n, tokens);
	if (!l->after_token_index)
		synth_addresses(&b, l, s, at);
	at->num_syms = synth_align(&b);
	synth_u32(&b, l->n);
	at->names = synth_align(&b);
	*has_long_entry = false;
	for (uint32_t i = 0; i < l->n; i++) {
		size_t len = synth_encode(s[i].text, tokens, code);
		uint8_t head[2] = { (uint8_t)len, 0 };

		if (i % 256 == 0)
			markers[i / 256] = (uint32_t)(b.len - at->names);
		*has_long_entry |= len >= 0x80;
		if (l->long_lengths && len >= 0x80) {
			head[0] = (uint8_t)(0x80 | (len & 0x7f));
			head[1] = (uint8_t)(len >> 7);
		}
		synth_put(&b, head, l->long_lengths && len >= 0x80 ? 2 : 1);
		synth_put(&b, code, len);
	}
	at->markers = synth_align(&b);
	for (uint32_t i = 0; i < (l->n + 255) / 256; i++)
		l->marker_size == 4 ? synth_u32(&b, markers[i]) : synth_u64(&b, markers[i]);
	if (l->seqs && !l->after_token_index)
		synth_seqs(&b, l, s, at);
	at->token_table = synth_align(&b);
	uint16_t index[256];
	for (int i = 0; i < 256; i++)
		index[i] = (uint16_t)(b.len - at->token_table), synth_put(&b, tokens[i], strlen(tokens[i]) + 1);
	at->token_index = synth_align(&b);
	synth_put(&b, index, sizeof(index));
	if (l->after_token_index) {
		synth_addresses(&b, l, s, at);
		if (l->seqs)
			synth_seqs(&b, l, s, at);
	}
	synth_put(&b, filler, sizeof(filler));
	return b;
}

static void write_seed(const struct layout *l, const struct synth_buf *b)
{
	const char *dir = getenv("KD_KALLSYMS_SEEDS");
	char path[512];

	if (!dir || l->n > SEED_MAX_SYMS)
		return;
	/* the layout by the first version that writes it */
	snprintf(path, sizeof(path), "%s/synthetic-%u-symbols-%s", dir, l->n,
		 l->align == 4 ? "7.0" : l->after_token_index ? "6.4" : "6.1");
	t_write_file(path, b->p, b->len);
}

static void check_layout(const struct layout *l, uint64_t *rng)
{
	struct synth_sym *s = synth_symbols(l, rng);
	struct synth_places at = { 0 };
	bool has_long;
	struct synth_buf b = synth_table(l, s, &at, &has_long, rng);
	struct kd_elf_info elf = { .n_load = 2 };
	struct kd_kallsyms ks;
	struct kd_report r = { 0 };
	struct kd_ksym_cursor c;
	static struct kd_ksym sym;
	size_t bad = 0;

	elf.load[0] = (struct kd_elf_segment){ 0, 0x2000000, TABLES_VADDR, b.len, b.len, 4 };
	elf.load[1] = (struct kd_elf_segment){ 0, 0x1000000, KERNEL_BASE, 0, 0x1000000, 5 };
	if (kd_kallsyms_find(b.p, b.len, &elf, &ks, &r) != KD_OK) {
		t_fail(__FILE__, __LINE__, "%s: not found: %s", l->what, r.why);
		goto out;
	}
	CHECKF(ks.num_syms == l->n && ks.addressing == l->addressing && ks.marker_size == l->marker_size,
	       "%s: %u symbols, addressing %d, markers %u", l->what, ks.num_syms, ks.addressing, ks.marker_size);
	CHECKF(ks.num_syms_at == at.num_syms && ks.names == at.names && ks.markers == at.markers &&
	       ks.token_table == at.token_table && ks.token_index == at.token_index && ks.addresses == at.addresses &&
	       ks.relative_base_at == at.base && ks.seqs == at.seqs, "%s: a table found in the wrong place", l->what);
	CHECKF(!has_long || ks.long_lengths == l->long_lengths, "%s: lengths read as %s", l->what,
	       ks.long_lengths ? "two-byte" : "one-byte");
	kd_kallsyms_begin(&ks, &c);
	while (kd_kallsyms_next(&ks, &c, &sym)) {
		const struct synth_sym *want = &s[c.index - 1];

		if (sym.addr != want->addr || sym.type != want->text[0] || strcmp(sym.name, want->text + 1) != 0 ||
		    sym.name_len != strlen(want->text + 1))
			if (bad++ < 3)
				t_fail(__FILE__, __LINE__, "%s: symbol %u: %016llx %c %s, want %016llx %s", l->what,
				       c.index - 1, (unsigned long long)sym.addr, sym.type, sym.name,
				       (unsigned long long)want->addr, want->text);
	}
	CHECKF(c.index == l->n, "%s: decoded %u symbols of %u", l->what, c.index, l->n);
	write_seed(l, &b);
out:
	free(b.p);
	free(s);
}

TEST(kallsyms_every_layout_decodes)
{
	uint64_t rng = 0x6b616c6c73796d73;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		check_layout(&layouts[i], &rng);
}
