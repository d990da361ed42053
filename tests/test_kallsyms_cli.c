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
 *     (caught by the names order), fail with one clear line.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kallsyms.h"
#include "t.h"

/* build/kdecomp beside build/tests/run (or build-san/kdecomp beside build-san/tests/run). */
static const char *program(void)
{
	static char path[4096];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	path[n > 0 ? n : 0] = 0;
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = 0;
	}
	if (n <= 0 || !path[0])
		strcpy(path, "build");
	strcat(path, "/kdecomp");
	return path;
}

static char scratch[64];

static void remove_scratch(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", scratch);
}

/* A path in this run's scratch directory (one static buffer per call site's use: copy if kept). */
static const char *scratch_file(const char *name, char *buf, size_t size)
{
	if (!scratch[0]) {
		strcpy(scratch, "/tmp/kdecomp-ksyms-XXXXXX");
		if (!mkdtemp(scratch))
			abort();
		atexit(remove_scratch);
	}
	snprintf(buf, size, "%s/%s", scratch, name);
	return buf;
}

/* Run a shell command, stdout to `out` and stderr to `err` (paths); the exit status, -1 if none. */
static int run(const char *out, const char *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(const char *out, const char *err, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int n, status;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - n, " >'%s' 2>'%s'", out, err);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *path)
{
	struct t_blob b = t_read_file(path);

	if (!b.data)
		return strdup("");
	b.data[b.len] = 0;	/* t_read_file leaves room for one more byte */
	return (char *)b.data;
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
	char out[128], err[128], vmlinux[128], syms[128], syms2[128], json[128], nmout[128];
	char *img, *dbg = NULL;

	if (!img_path)
		return;
	img = strdup(img_path);
	const char *dbg_path = t_kernel_path("vmlinux-cloud-dbg");	/* optional: gdb is checked against it */
	dbg = dbg_path ? strdup(dbg_path) : NULL;
	scratch_file("stdout", out, sizeof(out));
	scratch_file("stderr", err, sizeof(err));
	scratch_file("vmlinux", vmlinux, sizeof(vmlinux));
	scratch_file("symbols.txt", syms, sizeof(syms));
	scratch_file("symbols-vmlinux.txt", syms2, sizeof(syms2));
	scratch_file("symbols.json", json, sizeof(json));
	scratch_file("nm.txt", nmout, sizeof(nmout));

	double t0 = now();
	CHECK_EQ(run(out, err, "%s extract '%s' -o '%s' --symbols -q", program(), img, vmlinux), 0);
	fprintf(stderr, "  extract --symbols: %.3f s\n", now() - t0);
	CHECK_EQ(run(syms, err, "%s symbols '%s'", program(), img), 0);
	CHECK_EQ(run(syms2, err, "%s symbols '%s'", program(), vmlinux), 0);
	CHECK_EQ(run(json, err, "%s symbols --json '%s'", program(), img), 0);

	char *text = slurp(syms), *text2 = slurp(syms2), *js = slurp(json);
	size_t n = count_lines(text);
	char want[64];
	CHECKF(n > 50000, "symbols: %zu lines", n);
	CHECKF(strcmp(text, text2) == 0, "symbols differ between the bzImage and the extracted vmlinux");
	snprintf(want, sizeof(want), "\"count\": %zu,", n);
	CHECKF(strstr(js, want) && count_lines(js) == n + 8, "symbols --json: no %s, or not one line per symbol", want);
	CHECKF(strstr(js, "\"name\": \"start_kernel\"}"), "symbols --json lacks start_kernel");

	/* nm on the output lists every kallsyms name at its address */
	CHECK_EQ(run(nmout, err, "nm '%s' | awk '{print $1, $3}' | sort", vmlinux), 0);
	CHECK_EQ(run(out, err, "awk '{print $1, $3}' '%s' | sort | cmp - '%s'", syms, nmout), 0);

	/* gdb: start_kernel and init_task where the unstripped vmlinux has them */
	unsigned long long sk = dbg ? nm_address(dbg, "start_kernel") : nm_address(vmlinux, "start_kernel");
	unsigned long long it = dbg ? nm_address(dbg, "init_task") : nm_address(vmlinux, "init_task");
	CHECK(sk && it);
	CHECK_EQ(run(out, err, "gdb -nx -batch -ex 'info address start_kernel' '%s'", vmlinux), 0);
	char *g = slurp(out);
	CHECKF(strstr(g, "start_kernel") && first_hex(g) == sk, "gdb: %s (nm: 0x%llx)", g, sk);
	free(g);
	CHECK_EQ(run(out, err, "gdb -nx -batch -ex 'print &init_task' '%s'", vmlinux), 0);
	g = slurp(out);
	CHECKF(strstr(g, "<init_task>") && first_hex(g) == it, "gdb: %s (nm: 0x%llx)", g, it);
	free(g);

	/* objdump labels code with the function it is in */
	CHECK_EQ(run(out, err, "objdump -d --start-address=0x%llx --stop-address=0x%llx '%s'", sk, sk + 16, vmlinux), 0);
	g = slurp(out);
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
	uint8_t *h = e.data, *ph = e.data + 64;

	memcpy(h, "\x7f" "ELF\2\1\1", 7);
	h[16] = 2;			/* ET_EXEC */
	h[18] = 62;			/* EM_X86_64 */
	h[20] = 1;
	kd_put_le64(h + 24, 0x1000000);	/* e_entry */
	kd_put_le64(h + 32, 64);	/* e_phoff */
	h[52] = 64;			/* e_ehsize */
	h[54] = 56;			/* e_phentsize */
	h[56] = 1;			/* e_phnum */
	kd_put_le32(ph, 1);		/* PT_LOAD */
	kd_put_le32(ph + 4, 5);
	kd_put_le64(ph + 8, 0x1000);
	kd_put_le64(ph + 16, 0xffffffff81000000ull);
	kd_put_le64(ph + 24, 0x1000000);
	kd_put_le64(ph + 32, len);
	kd_put_le64(ph + 40, len);
	memcpy(e.data + 0x1000, code, len);
	return e;
}

static void put_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		t_fail(__FILE__, __LINE__, "cannot write %s", path);
}

/* One line on stderr, naming the program and the reason. */
static void check_one_line(const char *err_path, const char *needle)
{
	char *s = slurp(err_path);
	const char *nl = strchr(s, '\n');

	CHECKF(strncmp(s, "kdecomp: ", 9) == 0 && nl && nl[1] == 0 && strstr(s, needle),
	       "want one line naming '%s', got: %s", needle, s);
	free(s);
}

TEST(kallsyms_cli_errors)
{
	struct t_blob *payload = t_kernel_payload();
	char out[128], err[128], bad[128];
	uint8_t code[1 << 16];
	uint64_t rng = 11;

	scratch_file("stdout", out, sizeof(out));
	scratch_file("stderr", err, sizeof(err));
	scratch_file("bad-vmlinux", bad, sizeof(bad));

	/* a kernel ELF without kallsyms */
	for (size_t i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)t_rand(&rng);
	struct t_blob e = tiny_elf(code, sizeof(code));
	put_file(bad, e.data, e.len);
	free(e.data);
	CHECK_EQ(run(out, err, "%s symbols '%s'", program(), bad), 1);
	check_one_line(err, "no kallsyms token table");

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
	put_file(bad, copy, elf.file_end);
	free(copy);
	CHECK_EQ(run(out, err, "%s symbols '%s'", program(), bad), 1);
	check_one_line(err, "not in the order kallsyms_seqs_of_names gives");
}
