// SPDX-License-Identifier: MIT
/* kdecomp: look inside x86-64 Linux kernel images, decompress their payloads, pack new ones. */
#include <ctype.h>
#include <string.h>

#include "tools.h"
#include "version.h"	/* KDECOMP_VERSION (debian/changelog), KDECOMP_COMMIT: written by the Makefile */

/*
 * Each subcommand, in the order the usage lists them.  The synopses here are
 * the only ones: `kdecomp help CMD`, `kdecomp CMD --help`, a subcommand's
 * usage error and the bash completion all print or read them, and a test
 * holds docs/kdecomp.1's SYNOPSIS to them.
 */
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
	{ "extract", cmd_extract, "IMAGE|VMLINUX -o VMLINUX [--relocs FILE] [--symbols] [-q]",
	  "the vmlinux ELF of a bzImage (or a stripped vmlinux, to symbolise), split from its relocation table" },
	{ "relocs", cmd_relocs, "VMLINUX -o FILE [-q]",
	  "the relocation table Linux appends to vmlinux.bin, from a vmlinux linked with --emit-relocs" },
	{ "symbols", cmd_symbols, "IMAGE|VMLINUX|RAW [--json] [--base ADDR]",
	  "the kernel's own symbol table (kallsyms), as /proc/kallsyms lists it" },
	{ "simulate", cmd_simulate, "IMAGE [--efi] [--mem SIZE | --e820 FILE | --efi-map FILE] [--seed N] "
	  "[--cmdline STR] [--initrd SIZE[@ADDR]] [--load ADDR] [--loader64 BP,CMDLINE] [--json] [--trace] [--dump FILE]",
	  "boot a packed image on the host, step by step (BIOS, 64-bit loader or UEFI): placement, page tables, KASLR, "
	  "decompression, relocation" },
	{ "pack", cmd_pack, "INPUT -c FORMAT -o IMAGE [--relocs FILE] [--level N] [-q]",
	  "a bootable bzImage of kdecomp's own around a kernel (a bzImage's, or a vmlinux)" },
	{ "formats", cmd_formats, "IMAGE|VMLINUX [--read-mbps N] [--json]",
	  "pack the kernel in every format and compare size, decode time and boot cost" },
	{ "help", NULL, "[COMMAND]", "this summary, or one command's synopsis" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_named(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

static void print_synopsis(FILE *f, const struct command *c)
{
	fprintf(f, "usage: kdecomp %s %s\n", c->name, c->args);
}

static void usage(FILE *f)
{
	fputs("usage: kdecomp <command> [args]\n\ncommands:\n", f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s %s\n      %s\n", commands[i].name, commands[i].args, commands[i].what);
	fputs("\nFORMAT is one of:", f);
	for (enum kd_format fmt = KD_FMT_UNKNOWN + 1; fmt < KD_FMT_COUNT; fmt++)
		fprintf(f, " %s", kd_format_name(fmt));
	fputs("\n\n  kdecomp --help | --version\n", f);
}

void die_usage(const char *command)
{
	const struct command *c = command_named(command);

	die("usage: kdecomp %s %s", c->name, c->args);
}

static void version(void)
{
	printf("kdecomp %s\n", KDECOMP_VERSION);
	if (KDECOMP_COMMIT[0])
		printf("commit %s\n", KDECOMP_COMMIT);
	else
		puts("commit unknown (built outside a git checkout)");
}

/* `kdecomp help [COMMAND]`: the summary, or the command's synopsis. */
static int help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 || !(c = command_named(argv[1]))) {
		fprintf(stderr, "kdecomp: help: no command '%s'\n", argv[1]);
		return 2;
	}
	print_synopsis(stdout, c);
	return 0;
}

/* Does `opt` take a value in c's synopsis, as "--cmdline STR" does (a placeholder in capitals after it)? */
static bool takes_value(const struct command *c, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = strstr(c->args, opt); p; p = strstr(p + 1, opt))
		if ((p == c->args || p[-1] == ' ' || p[-1] == '[') && p[n] == ' ' && isupper((unsigned char)p[n + 1]))
			return true;
	return false;
}

/* --help or -h anywhere before a "--", and not an option's value, asks for the command's synopsis. */
static bool wants_help(const struct command *c, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if ((strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) && !takes_value(c, argv[i - 1]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return help(1, argv);
	if (strcmp(argv[1], "--version") == 0) {
		version();
		return 0;
	}
	if (!(c = command_named(argv[1]))) {
		fprintf(stderr, "kdecomp: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (wants_help(c, argc - 1, argv + 1)) {
		print_synopsis(stdout, c);
		return 0;
	}
	return c->run ? c->run(argc - 1, argv + 1) : help(argc - 1, argv + 1);
}
