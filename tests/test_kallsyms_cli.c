// SPDX-License-Identifier: MIT
/*
 * kdecomp symbols and extract --symbols, run as a program on Debian's
 * cloud kernel:
 *
 *   - `symbols` lists what the table decoder finds, the same from the
 *     bzImage and from the extracted vmlinux, as text and as JSON;
 *   - `extract --symbols` writes an ELF whose symbols nm lists (every
 *     kallsyms name at its address), which gdb resolves to the addresses
 *     nm gives for the unstripped -dbg vmlinux, and whose disassembly
 *     objdump labels with function names;
 *   - a kernel without kallsyms, and a name changed inside the table
 *     (caught by the names order), fail with one clear line;
 *   - Debian's releases (bullseye 5.10, bookworm 6.1, unstable 7.x) against
 *     their -dbg vmlinux: `extract` gives PT_LOAD bytes identical to it,
 *     `symbols` every name at nm's address (with nm's letter, but for
 *     5.10's and 6.1's per-cpu 'A'), and the same from the -dbg vmlinux
 *     stripped, from its raw dump (objcopy -O binary), and from the
 *     extracted vmlinux with a damaged relocation table; `extract
 *     --symbols` symbolises the stripped vmlinux, with nm's size for at
 *     least 90% of the functions.
 */
#include <stdlib.h>
#include <sys/time.h>

#include "elf64.h"
#include "kallsyms.h"
#include "t.h"

/* A file read as a string ("" if it cannot be read); free it. */
static char *slurp(const char *path)
{
	struct t_blob b = t_read_text(path);

	return b.data ? (char *)b.data : strdup("");
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The address in "... is at 0x<hex> ..." or "... 0x<hex> <name>" lines gdb prints. */
static unsigned long long first_hex(const char *s)
{
	const char *p = strstr(s, "0x");

	return p ? strtoull(p, NULL, 16) : 0;
}

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Where nm puts `name` in `file` (0 if absent). */
static unsigned long long nm_address(const char *file, const char *name)
{
	char cmd[4400], line[512], sym[300], type;
	unsigned long long addr, found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm '%s'", file);
	if (!(p = popen(cmd, "r")))
		return 0;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "%llx %c %299s", &addr, &type, sym) == 3 && strcmp(sym, name) == 0 && !found)
			found = addr;
	pclose(p);
	return found;
}

TEST(kallsyms_cli_symbols_and_extract)
{
	const char *img_path = t_kernel_path("vmlinuz-cloud");
	const char *vmlinux = t_tmp("vmlinux-symbols"), *syms = t_tmp("symbols.txt");
	const char *syms2 = t_tmp("symbols-vmlinux.txt"), *json = t_tmp("symbols.json"), *nmout = t_tmp("nm-symbols.txt");
	char *img, *dbg = NULL;

	if (!img_path)
		return;
	img = strdup(img_path);
	const char *dbg_path = t_kernel_path("vmlinux-cloud-dbg");	/* optional: gdb is checked against it */
	dbg = dbg_path ? strdup(dbg_path) : NULL;

	double t0 = now();
	CHECK_EQ(t_run("%s extract '%s' -o '%s' --symbols -q", t_kdecomp_path(), img, vmlinux), 0);
	fprintf(stderr, "  extract --symbols: %.3f s\n", now() - t0);
	CHECK_EQ(t_run("%s symbols '%s' >'%s'", t_kdecomp_path(), img, syms), 0);
	CHECK_EQ(t_run("%s symbols '%s' >'%s'", t_kdecomp_path(), vmlinux, syms2), 0);
	CHECK_EQ(t_run("%s symbols --json '%s' >'%s'", t_kdecomp_path(), img, json), 0);

	char *text = slurp(syms), *text2 = slurp(syms2), *js = slurp(json);
	size_t n = count_lines(text);
	char want[64];
	CHECKF(n > 50000, "symbols: %zu lines", n);
	CHECKF(strcmp(text, text2) == 0, "symbols differ between the bzImage and the extracted vmlinux");
	snprintf(want, sizeof(want), "\"count\": %zu,", n);
	CHECKF(strstr(js, want) && count_lines(js) == n + 9, "symbols --json: no %s, or not one line per symbol", want);
	CHECKF(strstr(js, "\"name\": \"start_kernel\"}"), "symbols --json lacks start_kernel");

	/* nm on the output lists every kallsyms name at its address */
	CHECK_EQ(t_run("nm '%s' | awk '{print $1, $3}' | sort >'%s'", vmlinux, nmout), 0);
	CHECK_EQ(t_run("awk '{print $1, $3}' '%s' | sort | cmp - '%s'", syms, nmout), 0);

	/* gdb: start_kernel and init_task where the unstripped vmlinux has them */
	unsigned long long sk = dbg ? nm_address(dbg, "start_kernel") : nm_address(vmlinux, "start_kernel");
	unsigned long long it = dbg ? nm_address(dbg, "init_task") : nm_address(vmlinux, "init_task");
	CHECK(sk && it);
	CHECK_EQ(t_run("gdb -nx -batch -ex 'info address start_kernel' '%s'", vmlinux), 0);
	char *g = slurp(t_tmp("stdout"));
	CHECKF(strstr(g, "start_kernel") && first_hex(g) == sk, "gdb: %s (nm: 0x%llx)", g, sk);
	free(g);
	CHECK_EQ(t_run("gdb -nx -batch -ex 'print &init_task' '%s'", vmlinux), 0);
	g = slurp(t_tmp("stdout"));
	CHECKF(strstr(g, "<init_task>") && first_hex(g) == it, "gdb: %s (nm: 0x%llx)", g, it);
	free(g);

	/* objdump labels code with the function it is in */
	CHECK_EQ(t_run("objdump -d --start-address=0x%llx --stop-address=0x%llx '%s'", sk, sk + 16, vmlinux), 0);
	g = slurp(t_tmp("stdout"));
	CHECKF(strstr(g, "<start_kernel>:"), "objdump -d: no <start_kernel> label:\n%s", g);
	free(g);
	free(text);
	free(text2);
	free(js);
	free(img);
	free(dbg);
}

/* A minimal x86-64 ELF: one PT_LOAD of `len` bytes from `code`, entered at its start. */
static struct t_blob tiny_elf(const uint8_t *code, size_t len)
{
	struct t_blob e = { calloc(1, 0x1000 + len), 0x1000 + len };
	t_elf_header(e.data, 0x1000000, 1, 0, 0);
	t_elf_load(e.data + KD_ELF_EHDR_SIZE, KD_ELF_PF_R | KD_ELF_PF_X, 0x1000, 0x1000000, 0xffffffff81000000ull,
		   len, len);
	memcpy(e.data + 0x1000, code, len);
	return e;
}

TEST(kallsyms_cli_errors)
{
	struct t_blob *payload = t_kernel_payload();
	const char *bad = t_tmp("no-kallsyms.elf");
	uint8_t code[1 << 16];
	uint64_t rng = 11;


	/* a kernel ELF without kallsyms */
	for (size_t i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)t_rand(&rng);
	struct t_blob e = tiny_elf(code, sizeof(code));
	t_write_file(bad, e.data, e.len);
	free(e.data);
	CHECK_EQ(t_run("%s symbols '%s'", t_kdecomp_path(), bad), 1);
	t_check_error_line("symbols", "no kallsyms token table");

	if (!payload)
		return;
	/* one name changed: still a valid stream, but out of the names order */
	struct kd_elf_info elf;
	struct kd_kallsyms ks;
	struct kd_report r = { 0 };
	if (kd_elf_read(payload->data, payload->len, &elf, &r) != KD_OK ||
	    kd_kallsyms_find(payload->data, payload->len, &elf, &ks, &r) != KD_OK) {
		t_fail(__FILE__, __LINE__, "no kallsyms in the cloud payload");
		return;
	}
	uint8_t *copy = malloc(elf.file_end);
	memcpy(copy, payload->data, elf.file_end);
	struct kd_ksym_cursor c;
	static struct kd_ksym s;
	kd_kallsyms_begin(&ks, &c);
	while (c.index < ks.num_syms / 2 && kd_kallsyms_next(&ks, &c, &s))
		;
	/* the entry's last token becomes one starting with 'z': the name now sorts after its neighbours */
	uint8_t len = copy[c.pos];
	CHECK(len < 0x80);
	for (int b = 0; b < 256; b++)
		if (ks.token_len[b] && payload->data[ks.token_table + ks.token_off[b]] == 'z')
			copy[c.pos + len] = (uint8_t)b;
	t_write_file(bad, copy, elf.file_end);
	free(copy);
	CHECK_EQ(t_run("%s symbols '%s'", t_kdecomp_path(), bad), 1);
	t_check_error_line("symbols", "not in the order kallsyms_seqs_of_names gives");
}

/* --- Debian's releases against their -dbg vmlinux --- */

/* The PT_LOAD segments of files a and b: same addresses, sizes and bytes. */
static void check_same_segments(const char *what, const char *a, const char *b)
{
	struct t_blob x = t_read_file(a), y = t_read_file(b);
	struct kd_elf_info ex, ey;
	struct kd_report r = { 0 };

	if (!x.data || !y.data || kd_elf_read(x.data, x.len, &ex, &r) != KD_OK ||
	    kd_elf_read(y.data, y.len, &ey, &r) != KD_OK) {
		t_fail(__FILE__, __LINE__, "%s: cannot read both ELFs (%s)", what, r.why ? r.why : "no file");
	} else {
		CHECKF(ex.n_load == ey.n_load && ex.entry == ey.entry, "%s: %u vs %u segments", what, ex.n_load,
		       ey.n_load);
		for (unsigned i = 0; i < ex.n_load && i < ey.n_load; i++) {
			const struct kd_elf_segment *s = &ex.load[i], *t = &ey.load[i];

			CHECKF(s->vaddr == t->vaddr && s->paddr == t->paddr && s->filesz == t->filesz &&
				       s->memsz == t->memsz && memcmp(x.data + s->offset, y.data + t->offset, s->filesz) == 0,
			       "%s: segment %u differs", what, i);
		}
	}
	free(x.data);
	free(y.data);
}

/* Lines of `kdecomp symbols` output `syms` not in nm's: "name+address", then type letters other than 'A'. */
static void check_against_nm(const char *what, const char *syms, const char *nm_sorted)
{
	CHECK_EQ(t_run("awk '{print $1, $3}' '%s' | sort >'%s' && awk 'NF == 3 {print $1, $3}' '%s' | sort | "
		       "comm -23 '%s' - | wc -l", syms, t_tmp("a.txt"), nm_sorted, t_tmp("a.txt")), 0);
	char *out = slurp(t_tmp("stdout"));
	CHECKF(atoi(out) == 0, "%s: %d symbols with a name or address nm does not have", what, atoi(out));
	free(out);
	/* the letter: nm's, or 'A' for the per-cpu variables 5.10 and 6.1 mark absolute */
	CHECK_EQ(t_run("sort '%s' | comm -23 - '%s' | awk '$2 != \"A\"' | wc -l", syms, nm_sorted), 0);
	out = slurp(t_tmp("stdout"));
	CHECKF(atoi(out) == 0, "%s: %d symbols with another letter than nm's", what, atoi(out));
	free(out);
}

static void check_release(const char *image, const char *dbg_name)
{
	const char *p = t_kernel_path(image);
	char *img = p ? strdup(p) : NULL, *dbg;
	char *want, *got;

	if (!img || !(p = t_kernel_path(dbg_name)) || !t_have_kdecomp()) {
		free(img);
		return;
	}
	dbg = strdup(p);
	const char *kd = t_kdecomp_path();

	CHECK_EQ(t_run("%s extract -q '%s' -o '%s' --relocs '%s'", kd, img, t_tmp("r.elf"), t_tmp("r.relocs")), 0);
	check_same_segments(image, t_tmp("r.elf"), dbg);
	CHECK_EQ(t_run("nm '%s' | sort >'%s'", dbg, t_tmp("nm.txt")), 0);
	CHECK_EQ(t_run("%s symbols '%s' >'%s'", kd, img, t_tmp("syms.txt")), 0);
	check_against_nm(image, t_tmp("syms.txt"), t_tmp("nm.txt"));
	want = slurp(t_tmp("syms.txt"));
	CHECKF(count_lines(want) > 50000, "%s: %zu symbols", image, count_lines(want));

	/* the same from the stripped -dbg vmlinux, its raw dump, and a vmlinux with a damaged table */
	CHECK_EQ(t_run("strip -o '%s' '%s' && objcopy -O binary '%s' '%s'", t_tmp("stripped"), dbg, dbg,
		       t_tmp("raw")), 0);
	CHECK_EQ(t_run("%s symbols '%s' >'%s'", kd, t_tmp("stripped"), t_tmp("s2.txt")), 0);
	got = slurp(t_tmp("s2.txt"));
	CHECKF(strcmp(got, want) == 0, "%s: symbols of the stripped -dbg vmlinux differ", image);
	free(got);
	CHECK_EQ(t_run("%s symbols '%s' >'%s'", kd, t_tmp("raw"), t_tmp("s3.txt")), 0);
	got = slurp(t_tmp("s3.txt"));
	CHECKF(strcmp(got, want) == 0, "%s: symbols of the raw dump differ", image);
	free(got);
	CHECK_EQ(t_run("cp '%s' '%s' && printf '\\001\\002\\003\\004' >>'%s'", t_tmp("r.elf"), t_tmp("damaged"),
		       t_tmp("damaged")), 0);
	CHECK_EQ(t_run("%s symbols '%s' >'%s'", kd, t_tmp("damaged"), t_tmp("s4.txt")), 0);
	got = slurp(t_tmp("s4.txt"));
	CHECKF(strcmp(got, want) == 0, "%s: symbols of a vmlinux with a damaged table differ", image);
	free(got);
	CHECK_EQ(t_run("%s extract '%s' -o '%s' --relocs '%s'", kd, t_tmp("damaged"), t_tmp("d.elf"),
		       t_tmp("d.relocs")), 1);
	t_check_error_line("extract", "relocation table");

	/* extract --symbols names a stripped vmlinux's code: nm sees what symbols printed */
	CHECK_EQ(t_run("%s extract -q '%s' -o '%s' --symbols", kd, t_tmp("stripped"), t_tmp("sym.elf")), 0);
	CHECK_EQ(t_run("nm '%s' | awk '{print $1, $3}' | sort >'%s' && awk '{print $1, $3}' '%s' | sort | cmp - '%s'",
		       t_tmp("sym.elf"), t_tmp("n5.txt"), t_tmp("syms.txt"), t_tmp("n5.txt")), 0);
	/*
	 * Sizes: kallsyms has none; code symbols get the distance to the next
	 * symbol less the alignment padding, which is the compiler's size for
	 * most functions (97% in 5.10 and 6.1, 91% in 7.x; the rest end in
	 * padding-like bytes of their own, such as int3 after ret, or are
	 * assembly whose declared size differs from the distance).
	 */
	CHECK_EQ(t_run("nm -S '%s' | awk 'NF == 4 && ($3 == \"T\" || $3 == \"t\") {print $1, $2, $4}' | sort >'%s' && "
		       "nm -S '%s' | awk 'NF == 4 && ($3 == \"T\" || $3 == \"t\") {print $1, $2, $4}' | sort >'%s' && "
		       "echo $(comm -12 '%s' '%s' | wc -l) $(wc -l <'%s')", t_tmp("sym.elf"), t_tmp("ours.sz"), dbg,
		       t_tmp("theirs.sz"), t_tmp("ours.sz"), t_tmp("theirs.sz"), t_tmp("theirs.sz")), 0);
	got = slurp(t_tmp("stdout"));
	unsigned long same = 0, all = 0;
	CHECKF(sscanf(got, "%lu %lu", &same, &all) == 2 && all > 10000 && same >= all / 100 * 90,
	       "%s: %lu of %lu code symbols have nm's size", image, same, all);
	fprintf(stderr, "  %s: %lu of %lu code symbols have nm's size\n", image, same, all);
	free(got);
	free(want);
	free(img);
	free(dbg);
}

TEST(kallsyms_cli_release_5_10)
{
	check_release("vmlinuz-bullseye-cloud", "vmlinux-bullseye-cloud-dbg");
}

TEST(kallsyms_cli_release_6_1)
{
	check_release("vmlinuz-cloud", "vmlinux-cloud-dbg");
}

TEST(kallsyms_cli_release_7)
{
	check_release("vmlinuz-unstable-cloud", "vmlinux-unstable-cloud-dbg");
}
