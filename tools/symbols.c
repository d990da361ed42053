// SPDX-License-Identifier: MIT
/*
 * kdecomp symbols IMAGE|VMLINUX|RAW [--json] [--base ADDR]: the kernel's
 * own symbol table (kallsyms), found by structure in the decompressed
 * kernel and printed as /proc/kallsyms prints it ("address type name", in
 * address order), or as one JSON object.  The kernel may be a bzImage, a
 * vmlinux (stripped or not; its relocation table, if any, is not read) or
 * a raw dump as `objcopy -O binary` writes it, whose first byte is at
 * virtual address ADDR (default: 0xffffffff81000000, where x86-64 Linux is
 * linked).  Also the table reader `extract --symbols` uses.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

static const char *addressing_name(enum kd_ksym_addressing a)
{
	switch (a) {
	case KD_KSYM_ABSOLUTE: return "absolute";
	case KD_KSYM_RELATIVE: return "relative";
	case KD_KSYM_RELATIVE_PERCPU: return "relative, absolute per-cpu";
	case KD_KSYM_PLACE_RELATIVE: return "place-relative";
	}
	return "?";
}

/* Names as kernels that sort clang-LTO names without their ".llvm.<hash>" suffix compare them. */
static int compare_without_llvm_suffix(const char *a, const char *b)
{
	const char *sa = strstr(a, ".llvm."), *sb = strstr(b, ".llvm.");
	size_t la = sa ? (size_t)(sa - a) : strlen(a), lb = sb ? (size_t)(sb - b) : strlen(b);
	int c = memcmp(a, b, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

/* Does the names order list the names sorted by `compare`?  Equal names may come in any order. */
static bool names_sorted(const struct ksyms *t, int (*compare)(const char *, const char *))
{
	const char *prev = NULL;

	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t s = kd_kallsyms_name_order(&t->where, i);
		const char *name = t->names + t->sym[s].name;

		if (prev && compare(prev, name) > 0)
			return false;
		prev = name;
	}
	return true;
}

/*
 * Where the table has the names order (6.2 on), it must list the names
 * sorted, the plain way or (some kernels) without LTO suffixes: a cheap
 * check that no name was decoded wrong.
 */
static bool names_in_table_order(const struct ksyms *t)
{
	return t->where.seqs == 0 || names_sorted(t, strcmp) || names_sorted(t, compare_without_llvm_suffix);
}

bool ksyms_read(const uint8_t *vmlinux, size_t len, const struct kd_elf_info *elf, struct ksyms *t, char *msg,
		size_t msg_size)
{
	struct kd_report r = { 0 };
	struct kd_ksym_cursor c;
	struct kd_ksym s;
	enum kd_err err;
	size_t cap;

	memset(t, 0, sizeof(*t));
	if ((err = kd_kallsyms_find(vmlinux, len, elf, &t->where, &r)) != KD_OK) {
		report_message(msg, msg_size, err, &r);
		return false;
	}
	/* token compression rarely beats 4:1 on names; the pool grows if it does */
	cap = (t->where.names_end - t->where.names) * 4 + 4096;
	t->names = xmalloc(cap);
	t->sym = xmalloc(sizeof(*t->sym) * (t->where.num_syms ? t->where.num_syms : 1));
	kd_kallsyms_begin(&t->where, &c);
	while (kd_kallsyms_next(&t->where, &c, &s)) {
		if (cap - t->names_len < (size_t)s.name_len + 1) {
			cap = cap * 2 + s.name_len + 1;
			if (!(t->names = realloc(t->names, cap)))
				die("out of memory (%zu bytes)", cap);
		}
		t->sym[t->n] = (struct ksym){ s.addr, (uint32_t)t->names_len, s.name_len, s.type };
		memcpy(t->names + t->names_len, s.name, (size_t)s.name_len + 1);
		t->names_len += (size_t)s.name_len + 1;
		t->n++;
	}
	if (!names_in_table_order(t)) {
		snprintf(msg, msg_size, "the kallsyms names are not in the order kallsyms_seqs_of_names gives: "
			 "the table is damaged");
		ksyms_free(t);
		return false;
	}
	return true;
}

void ksyms_free(struct ksyms *t)
{
	free(t->sym);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* A name as a JSON string: names are printable ASCII, so only quotes and backslashes need escapes. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void print_json(FILE *f, const struct ksyms *t)
{
	const struct kd_kallsyms *w = &t->where;

	fprintf(f, "{\n  \"json_version\": %d,\n  \"count\": %zu,\n  \"addressing\": \"%s\",\n", JSON_VERSION, t->n,
		addressing_name(w->addressing));
	if (w->relative_base_at)
		fprintf(f, "  \"relative_base\": \"0x%016llx\",\n", (unsigned long long)w->relative_base);
	fprintf(f, "  \"names_order\": %s,\n  \"symbols\": [", w->seqs ? "true" : "false");
	for (size_t i = 0; i < t->n; i++) {
		fprintf(f, "%s\n    {\"address\": \"0x%016llx\", \"type\": \"%c\", \"name\": ", i ? "," : "",
			(unsigned long long)t->sym[i].addr, t->sym[i].type);
		json_string(f, t->names + t->sym[i].name);
		fputc('}', f);
	}
	fputs("\n  ]\n}\n", f);
}

static void print_text(FILE *f, const struct ksyms *t)
{
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%016llx %c %s\n", (unsigned long long)t->sym[i].addr, t->sym[i].type,
			t->names + t->sym[i].name);
}


int cmd_symbols(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "base", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t raw_base = RAW_BASE_DEFAULT;
	bool json = false;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'b':
			raw_base = strtoull(optarg, &end, 0);
			if (*end || !raw_base)
				die("symbols: --base %s: not a virtual address", optarg);
			break;
		default: die_usage("symbols");
		}
	}
	if (optind != argc - 1)
		die_usage("symbols");

	const char *path = argv[optind];
	struct kd_file f = map_file(path);
	struct kernel k;
	struct ksyms t;
	char msg[4096];

	/* the symbols come from the ELF's segments alone: the relocation table plays no part */
	kernel_load("symbols", path, &f, raw_base, &k);
	if (!ksyms_read(k.data.data, k.elf.file_end, &k.elf, &t, msg, sizeof(msg)))
		die("symbols: %s: %s", path, msg);
	if (json)
		print_json(stdout, &t);
	else
		print_text(stdout, &t);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("symbols: standard output: write error");
	ksyms_free(&t);
	file_release(&k.data);
	file_release(&f);
	return 0;
}
