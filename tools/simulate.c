// SPDX-License-Identifier: MIT
/*
 * kdecomp simulate IMAGE [--mem SIZE | --e820 FILE] [--seed N] [--cmdline STR]
 *                        [--initrd SIZE[@ADDR]] [--load ADDR] [--loader64 BP,CMDLINE]
 *                        [--json] [--trace] [--dump FILE]
 * kdecomp simulate IMAGE --efi [--mem SIZE | --efi-map FILE] [--seed N] [--cmdline STR]
 *                        [--initrd SIZE] [--json] [--trace] [--dump FILE]
 *
 * Boot a kdecomp-packed image on the host: the steps the stub takes, in
 * boot order, with the stub's own code from lib/, over a simulated
 * physical memory.
 *
 *   loader     simulate_loader.c: QEMU -kernel (and SeaBIOS, and our real-mode setup):
 *              boot_params, e820 map, command line, initrd, the image at 1 MiB;
 *              or, with --efi, simulate_efi.c: UEFI firmware and the stub's
 *              efi_main, up to startup_64 (simulate_efi_fw.c the firmware)
 *   head       simulate_head.c: target and copy destination, as head_64.S computes them;
 *              the copy to the top of the buffer
 *   ident_map  simulate_head.c: the stub's identity page tables (lib/kernel/pgtable.c, on a host pool)
 *   kaslr      simulate_kaslr.c: the physical slot and virtual base (lib/kernel/kaslr.c), from the
 *              command line's kdecomp.seed= as the stub takes it, else from --seed
 *              in place of RDRAND/RDTSC/i8254
 *   decompress simulate_kernel.c: the payload, with the image's own decoder and heap
 *   elf        simulate_kernel.c: the PT_LOAD segments moved to their places (kd_elf_place)
 *   relocs     simulate_kernel.c: the relocation table applied for the virtual base
 *   entry      simulate_kernel.c: where the stub jumps
 *
 * A 64-bit loader (--loader64 BP,CMDLINE: kexec, a VMM, tests/loader64)
 * runs no setup code: it fills a zeroed boot_params at BP with the image's
 * setup header and the e820 map, puts the command line at CMDLINE and the
 * initrd wherever it likes (--initrd SIZE@ADDR), loads the protected-mode
 * part at any address (--load) and enters startup_64.
 *
 * Simulated memory is sparse: extents of 2 MiB chunks, allocated when a
 * step first touches them (so --mem 1T costs what the kernel needs).  The
 * initrd's bytes are never written: the stub only needs to stay clear of
 * them (simulate_mem.c); the report is simulate_report.c.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "simulate.h"

void say(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->tr)
		return;
	va_start(ap, fmt);
	vfprintf(s->tr, fmt, ap);
	va_end(ap);
	fputc('\n', s->tr);
}


bool halt(struct sim *s, const char *step, const char *fmt, ...)
{
	va_list ap;

	s->failed_step = step;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	say(s, "\n!! the stub halts in %s: %s", step, s->why);
	return false;
}

bool halt_report(struct sim *s, const char *step, enum kd_err err, const struct kd_report *r)
{
	char msg[400];

	report_message(msg, sizeof(msg), err, r);
	return halt(s, step, "%s", msg);
}

typedef bool (*step_fn)(struct sim *s);

/* The steps in boot order, each timed; false at the first that halts. */
static bool run_steps(struct sim *s)
{
	const struct { enum step id; step_fn fn; } steps[] = {
		{ S_LOADER, s->o.efi ? step_efi : step_loader }, { S_HEAD, step_head }, { S_HEAD, step_main }, { S_IDENT, step_ident },
		{ S_KASLR, step_kaslr }, { S_DECOMPRESS, step_decompress }, { S_ELF, step_elf },
		{ S_RELOCS, step_relocs },
	};

	for (size_t n = 0; n < KD_ARRAY_SIZE(steps); n++) {
		uint64_t t0 = now_ns();
		bool ok;

		s->started = steps[n].id + 1;
		ok = steps[n].fn(s);

		if (steps[n].id != S_DECOMPRESS)	/* decompression times the decoder alone */
			s->ns[steps[n].id] += now_ns() - t0;
		if (!ok)
			return false;
	}
	return true;
}

/* --- the command --- */

static uint64_t size_arg(const char *opt, const char *v)
{
	uint64_t n;

	if (!kd_parse_size(v, strlen(v), &n))
		die("simulate: %s wants a number with an optional K, M, G or T suffix, not '%s'", opt, v);
	return n;
}

/* "A<sep>B" (B optional when sep is '@': SIZE or SIZE@ADDR), each a number as size_arg reads it. */
static void address_pair(const char *opt, const char *v, char sep, uint64_t *a, uint64_t *b)
{
	const char *at = strchr(v, sep);
	char *first = strndup(v, at ? (size_t)(at - v) : strlen(v));

	if (!first)
		die("out of memory");
	if (!at && sep != '@')
		die("simulate: %s wants two addresses separated by '%c', not '%s'", opt, sep, v);
	*a = size_arg(opt, first);
	*b = at ? size_arg(opt, at + 1) : 0;
	free(first);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },    { "e820", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 's' },   { "cmdline", required_argument, NULL, 'c' },
		{ "initrd", required_argument, NULL, 'i' }, { "load", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },         { "trace", no_argument, NULL, 't' },
		{ "dump", required_argument, NULL, 'd' },   { "efi", no_argument, NULL, 'E' },
		{ "efi-map", required_argument, NULL, 'M' }, { "loader64", required_argument, NULL, '6' },
		{ NULL, 0, NULL, 0 },
	};
	bool mem_given = false, load_given = false;
	int c;

	*o = (struct options){ .mem = GiB, .load = 0x100000, .cmdline = "", .bp_addr = REAL_ADDR + BOOT_PARAMS,
			       .cmdline_addr = CMDLINE_ADDR };
	while ((c = getopt_long(argc, argv, "m:e:s:c:i:l:jtd:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->mem = size_arg("--mem", optarg), mem_given = true; break;
		case 'e': o->e820_path = optarg; break;
		case 's': o->seed = size_arg("--seed", optarg); break;
		case 'c': o->cmdline = optarg; break;
		case 'i': address_pair("--initrd", optarg, '@', &o->initrd_size, &o->initrd_addr); break;
		case 'l': o->load = size_arg("--load", optarg), load_given = true; break;
		case 'j': o->json = true; break;
		case 't': o->trace = true; break;
		case 'd': o->dump_path = optarg; break;
		case 'E': o->efi = true; break;
		case 'M': o->efi_map_path = optarg, o->efi = true; break;
		case '6':
			o->loader64 = true;
			address_pair("--loader64", optarg, ',', &o->bp_addr, &o->cmdline_addr);
			break;
		default: die_usage("simulate");
		}
	}
	if (optind + 1 != argc)
		die_usage("simulate");
	if (mem_given && (o->e820_path || o->efi_map_path))
		die("simulate: --mem and --%s both describe the memory: give one", o->e820_path ? "e820" : "efi-map");
	if (o->efi && (o->e820_path || load_given || o->loader64))
		die("simulate: --%s is for a BIOS or 64-bit loader; under --efi the firmware places the image "
		    "(--efi-map for the memory)", o->e820_path ? "e820" : load_given ? "load" : "loader64");
	if (o->efi && o->initrd_addr)
		die("simulate: --initrd SIZE@ADDR: under --efi the firmware places the initrd");
	if (!o->efi && (o->initrd_size > UINT32_MAX || o->initrd_addr > UINT32_MAX - o->initrd_size))
		die("simulate: boot_params holds initrds below 4 GiB only");
	if (o->loader64 && (!o->cmdline_addr || o->cmdline_addr > UINT32_MAX))
		die("simulate: --loader64: the command line must lie in the low 4 GiB (cmd_line_ptr), above 0");
	/* a 64-bit loader may load anywhere (the stub rounds up); a 32-bit one loads page-aligned */
	if ((!o->loader64 && o->load & 0xfff) || o->load < 0x100000)
		die("simulate: --load 0x%llx: a loader puts the image at or above 1 MiB, page-aligned unless it is "
		    "a 64-bit loader (--loader64)", X(o->load));
}

/* The image and the head info block pack left in it: what the stub runs from. */
static void read_image(struct sim *s, const struct kd_file *f, const char *path)
{
	struct kd_report r = { 0 };
	enum kd_err err = kd_bzimage_parse(&s->img, f->data, f->len, &r);

	if (err)
		die_report(path, err, &r);
	if (s->img.pm_len < INFO_END || memcmp(s->img.pm + HEAD_INFO, "KDHEAD01", 8) != 0)
		die("simulate: %s was not built by kdecomp pack (no KDHEAD01 head info block at +0x%x): simulate runs "
		    "kdecomp's own stub; `kdecomp pack %s -c FORMAT -o NEW` makes one", path, HEAD_INFO, path);
	memcpy(&s->info, s->img.pm + HEAD_INFO, sizeof(s->info));
	s->kernel = head_plan_kernel(&s->info);
	if (s->info.file_len > s->img.pm_len || s->info.main_off + sizeof(struct kd_main_info) + MAIN_INFO > s->img.pm_len ||
	    s->info.payload_off + (uint64_t)s->info.payload_len > s->info.file_len || s->info.mem_len > s->info.init_size ||
	    s->info.align < KD_PLAN_MIN_ALIGN || (s->info.align & (s->info.align - 1)))
		die("simulate: %s: the head info block is inconsistent with the image", path);
	if (s->img.format == KD_FMT_UNKNOWN)
		die("simulate: %s: the payload's format is not one kdecomp decodes", path);
}

int cmd_simulate(int argc, char **argv)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct kd_file f;
	bool ok;

	if (!s)
		die("out of memory");
	parse_options(argc, argv, &s->o);
	if (s->o.trace)
		s->tr = s->o.json ? stderr : stdout;
	f = read_file(argv[optind]);
	read_image(s, &f, argv[optind]);
	ok = run_steps(s);
	if (s->tr)
		fputc('\n', s->tr);
	report(s, argv[optind], ok);
	if (ok && s->o.dump_path)
		write_file(s->o.dump_path, output_mem(s), s->info.kernel_mem);
	phys_free(&s->mem);
	free(s->pool);
	free(f.data);
	free(s);
	return ok ? 0 : 1;
}
