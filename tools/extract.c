// SPDX-License-Identifier: MIT
/*
 * kdecomp extract IMAGE -o VMLINUX [--relocs FILE] [--symbols] [-q]: the
 * kernel ELF out of a bzImage (with --symbols, its kallsyms table added as
 * an ELF symbol table).  Unlike scanning the file for compression magic, this
 * reads the payload's place from the setup header, decodes it with our
 * own decoders, checks that the result is an x86-64 ELF followed by
 * nothing but a well-formed relocation table, and only then writes.
 */
#include <getopt.h>
#include <stdlib.h>

#include "tools.h"

static void summary(const char *path, const struct kd_bzimage *img, const struct kernel *k)
{
	fprintf(stderr, "%s: %s payload %zu bytes -> vmlinux %llu bytes (entry 0x%llx) + relocation table "
		"%llu bytes (%llu 32-bit, %llu inverse 32-bit, %llu 64-bit)\n",
		path, kd_format_name(img->format), img->payload_len, (unsigned long long)k->elf.file_end,
		(unsigned long long)k->elf.entry, (unsigned long long)(k->relocs.end - k->relocs.start),
		(unsigned long long)k->relocs.n32, (unsigned long long)k->relocs.n32inv,
		(unsigned long long)k->relocs.n64);
}

/* --symbols: the ELF with the kernel's kallsyms table added as .symtab/.strtab. */
static void write_with_symbols(const char *out_path, const struct kernel *k, const char *path)
{
	struct ksyms t;
	struct kd_file out;
	char msg[4096];

	if (!ksyms_read(k->data.data, k->elf.file_end, &k->elf, &t, msg, sizeof(msg)) ||
	    !elf_add_symtab(k->data.data, k->elf.file_end, &t, &out, msg, sizeof(msg)))
		die("extract: %s: --symbols: %s", path, msg);
	write_file(out_path, out.data, out.len);
	free(out.data);
	ksyms_free(&t);
}

int cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "relocs", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "symbols", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *relocs_path = NULL;
	bool quiet = false, symbols = false;
	int c;

	while ((c = getopt_long(argc, argv, "o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'r': relocs_path = optarg; break;
		case 'q': quiet = true; break;
		case 's': symbols = true; break;
		default: die_usage("extract");
		}
	}
	if (!out_path || optind != argc - 1)
		die_usage("extract");

	const char *path = argv[optind];
	struct kd_file f = read_file(path);
	struct kd_bzimage img;
	struct kd_report r = { 0 };
	struct kernel k;
	enum kd_err err;
	char msg[4096];

	snprintf(msg, sizeof(msg), "extract: %s", path);
	if ((err = kd_bzimage_parse(&img, f.data, f.len, &r)) != KD_OK)
		die_report(msg, err, &r);
	if (!kernel_decode(&img, &k, msg, sizeof(msg)))
		die("extract: %s: %s", path, msg);

	if (symbols)
		write_with_symbols(out_path, &k, path);
	else
		write_file(out_path, k.data.data, k.elf.file_end);
	if (relocs_path)
		write_file(relocs_path, k.data.data + k.relocs.start, k.relocs.end - k.relocs.start);
	if (!quiet)
		summary(path, &img, &k);
	free(k.data.data);
	free(f.data);
	return 0;
}
