// SPDX-License-Identifier: MIT
/* kdecomp: look inside x86-64 Linux kernel images, decompress their payloads, pack new ones. */
#include <string.h>

#include "tools.h"

#define KDECOMP_VERSION "0.1"

/* Each subcommand, in the order the usage lists them; the usage is built from this table. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *what;
} commands[] = {
	{ "inspect", cmd_inspect, "IMAGE [--json]",
	  "the setup header, payload and kernel ELF of a bzImage (or a vmlinux's program headers)" },
	{ "decompress", cmd_decompress, "[-F FORMAT] [-o OUT] [IN]",
	  "decode a gzip, bzip2, lzma, xz, lzo, lz4 or zstd stream; '-' or nothing is stdin/stdout" },
	{ "extract", cmd_extract, "IMAGE -o VMLINUX [--relocs FILE] [--symbols] [-q]",
	  "the vmlinux ELF of a bzImage, split from the relocation table appended to it" },
	{ "relocs", cmd_relocs, "VMLINUX -o FILE [-q]",
	  "the relocation table Linux appends to vmlinux.bin, from a vmlinux linked with --emit-relocs" },
	{ "symbols", cmd_symbols, "IMAGE|VMLINUX [--json]",
	  "the kernel's own symbol table (kallsyms), as /proc/kallsyms lists it" },
	{ "simulate", cmd_simulate, "IMAGE [--mem SIZE | --e820 FILE] [--seed N] [--cmdline STR] [--initrd SIZE] "
	  "[--load ADDR] [--json] [--trace] [--dump FILE]",
	  "boot a packed image on the host, step by step: placement, page tables, KASLR, decompression, relocation" },
	{ "pack", cmd_pack, "INPUT -c FORMAT -o IMAGE [--relocs FILE] [--level N] [-q]",
	  "a bootable bzImage of kdecomp's own around a kernel (a bzImage's, or a vmlinux)" },
};

static void usage(FILE *f)
{
	fputs("usage: kdecomp <command> [args]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s %s\n      %s\n", commands[i].name, commands[i].args, commands[i].what);
	fputs("\n  kdecomp --help | --version\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kdecomp %s\n", KDECOMP_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "kdecomp: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
