// SPDX-License-Identifier: MIT
/*
 * kdecomp extract IMAGE -o VMLINUX [--relocs FILE] [--symbols] [-q]: the
 * kernel ELF out of a bzImage (with --symbols, its kallsyms table added as
 * an ELF symbol table).  Unlike scanning the file for compression magic, this
 * reads the payload's place from the setup header, decodes it with our
 * own decoders, checks that the result is an x86-64 ELF, and only then
 * writes.  The relocation table after the ELF is written with --relocs,
 * exactly as appended, and must then be well formed; without --relocs a
 * table kdecomp cannot read is reported and the ELF still written.
 * IMAGE may also be a vmlinux (a stripped one, say): with --symbols it
 * comes out with the kernel's symbols.
 */
#include <getopt.h>
#include <stdlib.h>

#include "tools.h"

static void summary(const char *path, const struct kernel *k)
{
	fprintf(stderr, "%s: ", path);
	if (k->format != KD_FMT_UNKNOWN)
		fprintf(stderr, "%s payload %zu bytes -> ", kd_format_name(k->format), k->payload_len);
	fprintf(stderr, "vmlinux %llu bytes (entry 0x%llx) + relocation table %llu bytes, ",
		(unsigned long long)k->elf.file_end, (unsigned long long)k->elf.entry,
		(unsigned long long)(k->relocs.end - k->relocs.start));
	if (k->relocs_error[0])
		fprintf(stderr, "unreadable: %s\n", k->relocs_error);
	else
		fprintf(stderr, "layout %s (%llu 32-bit, %llu inverse 32-bit, %llu 64-bit)\n",
			kd_relocs_layout_name(k->relocs.layout), (unsigned long long)k->relocs.n32,
			(unsigned long long)k->relocs.n32inv, (unsigned long long)k->relocs.n64);
}

/* --symbols: the ELF with the kernel's kallsyms table added as .symtab/.strtab. */
static void write_with_symbols(const char *out_path, const struct kernel *k, const char *path)
{
	struct ksyms t;
	struct symtab_elf out;
	char msg[4096];

	if (!ksyms_read(k->data.data, k->elf.file_end, &k->elf, &t, msg, sizeof(msg)) ||
	    !elf_add_symtab(k->data.data, k->elf.file_end, &t, &out, msg, sizeof(msg)))
		die("extract: %s: --symbols: %s", path, msg);

	struct out_file f = out_open(out_path);
	out_write(&f, out.ehdr, KD_ELF_EHDR_SIZE);
	out_write(&f, k->data.data + KD_ELF_EHDR_SIZE, k->elf.file_end - KD_ELF_EHDR_SIZE);
	out_write(&f, out.tail.data, out.tail.len);
	out_commit(&f);
	free(out.tail.data);
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
	struct kd_file f = map_file(path);
	struct kernel k;

	kernel_load("extract", path, &f, 0, &k);
	if (relocs_path)
		kernel_need_relocs(&k, "extract");
	if (symbols)
		write_with_symbols(out_path, &k, path);
	else
		write_file(out_path, k.data.data, k.elf.file_end);
	if (relocs_path)
		write_file(relocs_path, k.data.data + k.relocs.start, k.relocs.end - k.relocs.start);
	if (!quiet || k.relocs_error[0])
		summary(path, &k);
	file_release(&k.data);
	file_release(&f);
	return 0;
}
