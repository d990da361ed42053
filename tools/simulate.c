// SPDX-License-Identifier: MIT
/*
 * kdecomp simulate IMAGE [--mem SIZE | --e820 FILE] [--seed N] [--cmdline STR]
 *                        [--initrd SIZE[@ADDR]] [--load ADDR] [--loader64 BP,CMDLINE]
 *                        [--json] [--trace] [--dump FILE]
 *
 * Boot a kdecomp-packed image on the host: the steps the stub takes, in
 * boot order, with the stub's own code from lib/, over a simulated
 * physical memory.
 *
 *   loader     QEMU -kernel (and SeaBIOS, and our real-mode setup):
 *              boot_params, e820 map, command line, initrd, the image at 1 MiB
 *   head       target and copy destination, as head_64.S computes them;
 *              the copy to the top of the buffer
 *   ident_map  the stub's identity page tables (lib/kernel/pgtable.c, on a host pool)
 *   kaslr      the physical slot and virtual base (lib/kernel/kaslr.c), from the
 *              command line's kdecomp.seed= as the stub takes it, else from --seed
 *              in place of RDRAND/RDTSC/i8254
 *   decompress the payload, with the image's own decoder and heap
 *   elf        the PT_LOAD segments moved to their places (kd_elf_place)
 *   relocs     the relocation table applied for the virtual base
 *   entry      where the stub jumps
 *
 * The memory a real loader would see comes from QEMU 7.2's pc machine with
 * SeaBIOS, as the booted kernel reports it (BIOS-e820 and RAMDISK lines
 * under `scripts/boot-qemu.sh -m SIZE`):
 *
 *   0          - 0x9fc00        usable
 *   0x9fc00    - 0xa0000        reserved (EBDA)
 *   0xf0000    - 0x100000       reserved (BIOS)
 *   0x100000   - low - 0x20000  usable       low = mem if mem < 3.5 GiB, else 3 GiB
 *   low-0x20000 - low           reserved (ACPI tables)
 *   0xfffc0000 - 4 GiB          reserved (BIOS flash)
 *   4 GiB      - 4 GiB + (mem - low)  usable, when mem >= 3.5 GiB
 *   0xfd00000000 - 1 TiB        reserved (AMD HyperTransport; -cpu max has 40+ bits)
 *
 * (Beyond about 1000 GiB QEMU moves the high RAM above 1 TiB, clear of the
 * HyperTransport range; that is not modelled.)
 *
 * QEMU puts the real-mode setup at 0x10000 (our setup builds boot_params
 * at 0x14000), the command line at 0x20000, and the initrd at the top of
 * low RAM: (min(4 GiB - 1, low - 0x20000 - 1) - size) & ~4095 for a kernel
 * with XLF_CAN_BE_LOADED_ABOVE_4G; low - 0x20000 is the end of the highest
 * usable range below 4 GiB, which is what --e820 FILE maps use.  QEMU 7.2
 * passes no setup_data.
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
 * them.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "handover.h"
#include "simulate.h"

#define ACPI_SIZE	0x20000ull	/* SeaBIOS keeps the top 128 KiB of low RAM */
#define QEMU_LOADER	0xb0		/* type_of_loader: QEMU */
#define LOADER64_ID	0xff		/* type_of_loader: undefined, as the protocol asks of new loaders */
#define STUB_VALUE	"%s 0x%016llx"	/* a message with a value, as the stub's error_value prints it */

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

static bool halt(struct sim *s, const char *step, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool halt(struct sim *s, const char *step, const char *fmt, ...)
{
	va_list ap;

	s->failed_step = step;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	say(s, "\n!! the stub halts in %s: %s", step, s->why);
	return false;
}

static bool halt_report(struct sim *s, const char *step, enum kd_err err, const struct kd_report *r)
{
	char msg[400];

	report_message(msg, sizeof(msg), err, r);
	return halt(s, step, "%s", msg);
}

/* --- the loader: QEMU, SeaBIOS and our real-mode setup --- */

const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case 1: return "usable";
	case 2: return "reserved";
	case 3: return "ACPI data";
	case 4: return "ACPI NVS";
	case 5: return "unusable";
	case 7: case 12: return "persistent";
	default: return "other";
	}
}

static void add_e820(struct kd_boot_params *bp, uint64_t start, uint64_t end, uint32_t type)
{
	if (bp->e820_entries >= KD_E820_MAX)
		die("simulate: more than %d e820 entries", KD_E820_MAX);
	bp->e820_table[bp->e820_entries++] = (struct kd_e820_entry){ start, end - start, type };
}

/* The map SeaBIOS reports under QEMU's pc machine (see the top of this file). */
static void qemu_e820(struct sim *s)
{
	uint64_t mem = s->o.mem, low = mem < 0xe0000000ull ? mem : 3 * GiB;

	if (mem < 0x200000)
		die("simulate: --mem %llu bytes is below what the BIOS itself needs", X(mem));
	add_e820(&s->bp, 0, 0x9fc00, KD_E820_RAM);
	add_e820(&s->bp, 0x9fc00, 0xa0000, KD_E820_RESERVED);
	add_e820(&s->bp, 0xf0000, 0x100000, KD_E820_RESERVED);
	add_e820(&s->bp, 0x100000, low - ACPI_SIZE, KD_E820_RAM);
	add_e820(&s->bp, low - ACPI_SIZE, low, KD_E820_RESERVED);
	add_e820(&s->bp, 0xfffc0000, 4 * GiB, KD_E820_RESERVED);
	if (mem > low)
		add_e820(&s->bp, 4 * GiB, 4 * GiB + (mem - low), KD_E820_RAM);
	add_e820(&s->bp, 0xfd00000000ull, 1ull << 40, KD_E820_RESERVED);
}

static uint32_t parse_e820_type(const char *t, const char *path, int line)
{
	while (*t == ' ' || *t == '\t' || *t == ']')
		t++;
	for (uint32_t type = 1; type <= 12; type++)
		if (strcmp(e820_type_name(type), "other") != 0 &&
		    strncasecmp(t, e820_type_name(type), strlen(e820_type_name(type))) == 0)
			return type;
	if (strncasecmp(t, "type ", 5) == 0)
		return (uint32_t)strtoul(t + 5, NULL, 0);
	die("simulate: %s:%d: unknown e820 type '%s' (usable, reserved, ACPI data, ACPI NVS, unusable, "
	    "persistent, type N)", path, line, t);
}

/*
 * An e820 map as the kernel prints it, one range a line, START-END
 * inclusive, in hex:
 *
 *   [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003ffdffff] usable
 *   0x100000-0x3ffdffff usable
 *
 * so a map can be pasted from any machine's dmesg.  '#' starts a comment.
 */
static void read_e820(struct sim *s)
{
	struct kd_file f = read_file(s->o.e820_path);
	char *text = xmalloc(f.len + 1), *line, *save = NULL;
	int n = 0;

	memcpy(text, f.data, f.len);
	text[f.len] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "[mem "), *end;
		uint64_t start, last;

		n++;
		if (strchr(line, '#'))
			*strchr(line, '#') = 0;
		p = p ? p + 5 : line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\r')
			continue;
		start = strtoull(p, &end, 16);
		if (end == p || *end != '-')
			die("simulate: %s:%d: expected START-END (hex, inclusive): %s", s->o.e820_path, n, line);
		p = end + 1;
		last = strtoull(p, &end, 16);
		if (end == p || last < start)
			die("simulate: %s:%d: bad range end: %s", s->o.e820_path, n, line);
		add_e820(&s->bp, start, last + 1, parse_e820_type(end, s->o.e820_path, n));
	}
	if (!s->bp.e820_entries)
		die("simulate: %s: no e820 ranges", s->o.e820_path);
	free(text);
	free(f.data);
}

/* The end of the highest usable RAM below 4 GiB: QEMU's "low RAM" minus its ACPI tables. */
static uint64_t low_ram_top(const struct kd_boot_params *bp)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < bp->e820_entries; i++) {
		const struct kd_e820_entry *e = &bp->e820_table[i];
		uint64_t end = e->addr + e->size < 4 * GiB ? e->addr + e->size : 4 * GiB;

		if (e->type == KD_E820_RAM && e->addr < 4 * GiB && end > top)
			top = end;
	}
	return top;
}

static bool in_ram(const struct kd_boot_params *bp, uint64_t start, uint64_t len)
{
	for (unsigned i = 0; i < bp->e820_entries; i++) {
		const struct kd_e820_entry *e = &bp->e820_table[i];

		if (e->type == KD_E820_RAM && start >= e->addr && start + len <= e->addr + e->size)
			return true;
	}
	return false;
}

/* The head's test before it writes to the buffer: is this byte in a usable entry (or is there no map)? */
static bool ram_at(const struct kd_boot_params *bp, uint64_t addr)
{
	return bp->e820_entries == 0 || in_ram(bp, addr, 1);
}

static void trace_e820(struct sim *s)
{
	for (unsigned i = 0; i < s->bp.e820_entries; i++) {
		const struct kd_e820_entry *e = &s->bp.e820_table[i];

		say(s, "           [mem 0x%016llx-0x%016llx] %s", X(e->addr), X(e->addr + e->size - 1),
		    e820_type_name(e->type));
	}
}

static void place_initrd(struct sim *s)
{
	struct kd_setup_header *h = &s->bp.hdr;
	uint64_t size = s->o.initrd_size, addr;
	const char *rule;

	/* with XLF_CAN_BE_LOADED_ABOVE_4G QEMU ignores initrd_addr_max (but stays below 4 GiB) */
	if (h->version >= 0x20c && (h->xloadflags & KD_XLF_CAN_BE_LOADED_ABOVE_4G))
		s->initrd_max = UINT32_MAX, rule = "xloadflags has CAN_BE_LOADED_ABOVE_4G: below 4 GiB";
	else if (h->version >= 0x203)
		s->initrd_max = h->initrd_addr_max, rule = "below initrd_addr_max";
	else
		s->initrd_max = 0x37ffffff, rule = "an old protocol: below 896 MiB";
	if (s->initrd_max >= s->low_top)
		s->initrd_max = s->low_top - 1;
	if (!size)
		return;
	if (s->o.initrd_addr)
		addr = s->o.initrd_addr, rule = "at the address --initrd SIZE@ADDR gives";
	else if (size > s->initrd_max)
		die("simulate: an initrd of %llu MiB does not fit below 0x%llx", X(size >> 20), X(s->initrd_max));
	else
		addr = (s->initrd_max - size) & ~4095ull;
	h->ramdisk_image = (uint32_t)addr;
	h->ramdisk_size = (uint32_t)size;
	if (s->o.initrd_addr)
		say(s, "  initrd (%llu bytes) %s: [0x%llx, 0x%llx)", X(size), rule, X(addr), X(addr + size));
	else
		say(s, "  initrd (%llu bytes): %s, and below the end of low RAM 0x%llx: at the top, page-aligned, "
		    "[0x%llx, 0x%llx) -> ramdisk_image=0x%llx, ramdisk_size=0x%llx",
		    X(size), rule, X(s->low_top), X(addr), X(addr + size), X(addr), X(size));
}

/* QEMU -kernel: the setup sectors at REAL_ADDR, the command line at CMDLINE_ADDR, the header's loader fields. */
static void qemu_setup(struct sim *s)
{
	struct kd_setup_header *h = &s->bp.hdr;

	memcpy(phys(&s->mem, REAL_ADDR, s->img.setup_size), s->img.data, s->img.setup_size);
	h->type_of_loader = QEMU_LOADER;
	h->loadflags |= KD_CAN_USE_HEAP;
	h->heap_end_ptr = (uint16_t)(CMDLINE_ADDR - REAL_ADDR - 0x200);
	h->cmd_line_ptr = (uint32_t)CMDLINE_ADDR;
	if (s->o.load < 4 * GiB)	/* above, only a 64-bit loader, which ignores it */
		h->code32_start = (uint32_t)s->o.load;
	say(s, "  setup sectors at 0x%llx, command line (%zu bytes) at 0x%llx: cmd_line_ptr=0x%llx, "
	    "heap_end_ptr=0x%x, type_of_loader=0x%x (QEMU), loadflags |= CAN_USE_HEAP",
	    X(REAL_ADDR), s->cmdline_len, X(CMDLINE_ADDR), X(CMDLINE_ADDR), h->heap_end_ptr, QEMU_LOADER);
}

/* A 64-bit loader (--loader64): boot_params and the command line where it keeps them, no real-mode setup. */
static void loader64_setup(struct sim *s)
{
	struct kd_setup_header *h = &s->bp.hdr;

	h->type_of_loader = LOADER64_ID;
	h->cmd_line_ptr = (uint32_t)s->o.cmdline_addr;
	say(s, "  no real-mode setup: boot_params zeroed at 0x%llx with the header copied in, the command line "
	    "(%zu bytes) at 0x%llx: cmd_line_ptr=0x%llx, type_of_loader=0x%x (undefined)", X(s->o.bp_addr),
	    s->cmdline_len, X(s->o.cmdline_addr), X(s->o.cmdline_addr), LOADER64_ID);
}

static bool step_loader(struct sim *s)
{
	struct kd_setup_header *h = &s->bp.hdr;
	size_t max = s->img.hdr.cmdline_size;

	if (s->o.loader64)
		say(s, "== loader: a 64-bit loader (--loader64) that enters startup_64, as kexec and VMMs do");
	else
		say(s, "== loader: QEMU -kernel, SeaBIOS and our real-mode setup (boot/setup.S)");
	*h = s->img.hdr;
	say(s, "  the loader reads the setup header at 0x1f1: boot protocol %x.%02x, setup_sects=%u -> the first %zu bytes "
	    "are real-mode setup, the other %zu the protected-mode image; loadflags=0x%x (LOADED_HIGH)",
	    h->version >> 8, h->version & 0xff, h->setup_sects, s->img.setup_size, s->img.pm_len, h->loadflags);
	if (s->o.e820_path)
		read_e820(s);
	else
		qemu_e820(s);
	s->low_top = low_ram_top(&s->bp);
	say(s, "  the BIOS memory map (int 0x15, E820) %s, %u entries:",
	    s->o.e820_path ? "from --e820" : "SeaBIOS reports for this --mem", s->bp.e820_entries);
	trace_e820(s);

	if (strlen(s->o.cmdline) > max)
		die("simulate: the command line is %zu bytes, the kernel takes %zu (cmdline_size)", strlen(s->o.cmdline), max);
	s->cmdline_len = strlen(s->o.cmdline);
	memcpy(phys(&s->mem, s->o.cmdline_addr, s->cmdline_len + 1), s->o.cmdline, s->cmdline_len + 1);
	if (s->o.loader64)
		loader64_setup(s);
	else
		qemu_setup(s);
	place_initrd(s);

	memcpy(phys(&s->mem, s->o.load, s->img.pm_len), s->img.pm, s->img.pm_len);
	say(s, "  the protected-mode image (%zu bytes) at 0x%llx%s: code32_start=0x%llx", s->img.pm_len, X(s->o.load),
	    s->o.load == 0x100000 ? " (1 MiB, where QEMU loads every bzImage)" : " (--load)", X(h->code32_start));
	if (!in_ram(&s->bp, s->o.load, s->img.pm_len))
		return halt(s, "loader", "the image at 0x%llx (%zu bytes) is not in usable RAM", X(s->o.load), s->img.pm_len);

	s->bp_addr = s->o.bp_addr;
	memcpy(phys(&s->mem, s->bp_addr, sizeof(s->bp)), &s->bp, sizeof(s->bp));
	if (!s->o.loader64)
		say(s, "  our setup zeroes boot_params at setup + 0x%x = 0x%llx, copies the header into it, stores the "
		    "E820 map, opens A20, masks the PICs and enters protected mode at code32_start with %%esi = 0x%llx",
		    BOOT_PARAMS, X(s->bp_addr), X(s->bp_addr));
	return true;
}

/* --- the head (head_64.S) and main's start (main_64.S) --- */

static bool step_head(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_plan_kernel *k = &s->kernel;
	uint64_t load = s->o.load, lo, hi;
	uint8_t *base;

	s->entry_64 = s->o.loader64 || load + s->img.pm_len > 4 * GiB;
	say(s, "\n== head (boot/head_64.S): find ourselves, compute where to go, copy there");
	if (s->entry_64)
		say(s, "  %s: it enters startup_64 at 0x%llx (load + 0x%x) on its own identity map",
		    s->o.loader64 ? "a 64-bit loader" : "loaded above 4 GiB: only a 64-bit loader can have put us here",
		    X(load + STARTUP_64), STARTUP_64);
	else
		say(s, "  startup_32 at code32_start=0x%llx: call/pop gives our own address, 0x%llx", X(load), X(load));
	say(s, "  the head info block (filled by kdecomp pack) at +0x%x: kernel_alignment=0x%x init_size=0x%x "
	    "mem_len=0x%x file_len=0x%x payload_off=0x%x payload_len=0x%x main_off=0x%x pgt_off=0x%x",
	    HEAD_INFO, i->align, i->init_size, i->mem_len, i->file_len, i->payload_off, i->payload_len, i->main_off,
	    i->pgt_off);
	s->target = kd_plan_target(k, load);
	s->dest = s->target + i->init_size - i->mem_len;
	s->copy_len = KD_ALIGN_UP((uint64_t)i->file_len, 32);
	if (k->relocatable)
		say(s, "  target = max(align_up(0x%llx, 0x%llx), the kernel's link address 0x%llx) = 0x%llx: the "
		    "buffer is [0x%llx, 0x%llx) (target + init_size)", X(load), X(k->align), X(k->link), X(s->target),
		    X(s->target), X(s->target + i->init_size));
	else
		say(s, "  target = the link address 0x%llx (the kernel is not relocatable): the buffer is "
		    "[0x%llx, 0x%llx) (target + init_size)", X(s->target), X(s->target), X(s->target + i->init_size));
	say(s, "  the image goes to the top of it: target + init_size - mem_len = 0x%llx", X(s->dest));
	if (!s->entry_64 && s->target + i->init_size >= 4 * GiB)
		return halt(s, "head", "not enough memory: the decompression buffer [0x%llx, 0x%llx) ends above the "
			    "4 GiB startup_32 reaches", X(s->target), X(s->target + i->init_size));
	if (!ram_at(&s->bp, s->target) || !ram_at(&s->bp, s->target + i->init_size - 1))
		return halt(s, "head", HEAD_NO_MEMORY_MSG "0x%016llx, 0x%016llx" HEAD_NO_MEMORY_END, X(s->target),
			    X(s->target + i->init_size));
	say(s, "  its first and last bytes are usable RAM in the e820 map: safe to write");
	if (!kd_plan_copy_safe(load, s->dest, s->copy_len))
		return halt(s, "head", "%s", HEAD_COPY_DOWN_MSG);
	if (!s->entry_64)
		say(s, "  startup_32 put its page tables just after the image as loaded, at 0x%llx: PML4, PDPT, "
		    "4 PDs of 2 MiB pages = the first 4 GiB identity-mapped (%d pages); PAE, EFER.LME, CR0.PG: "
		    "long mode, then on to startup_64's path", X(KD_ALIGN_UP(load + i->file_len, 4096)),
		    EARLY_PGT_PAGES);
	say(s, "  stack in the destination's page-table area (0x%llx); our GDT and an IDT whose every vector "
	    "prints and halts", X(s->dest + i->pgt_off + (EARLY_STACK_PAGE + 1) * 4096));

	lo = load < s->dest ? load : s->dest;
	hi = s->dest + s->copy_len > load + s->copy_len ? s->dest + s->copy_len : load + s->copy_len;
	base = phys(&s->mem, lo, hi - lo);
	memmove(base + (s->dest - lo), base + (load - lo), s->copy_len);
	say(s, "  copy file_len rounded up to 32 = 0x%llx bytes, backwards (the destination is above the source "
	    "and may overlap it), from 0x%llx to 0x%llx; jump to main at 0x%llx (dest + main_off)",
	    X(s->copy_len), X(load), X(s->dest), X(s->dest + i->main_off));
	return true;
}

static bool step_main(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_main_info *mi = (const void *)(s->img.pm + i->main_off + MAIN_INFO);
	uint64_t bss = s->dest + i->main_off + mi->file_end, bss_end = s->dest + i->main_off + mi->pgt;

	if (memcmp(mi->magic, "KDMAIN01", 8) != 0)
		return halt(s, "main", "no main header (KDMAIN01) at main_off + 0x%x", MAIN_INFO);
	memset(phys(&s->mem, bss, bss_end - bss), 0, bss_end - bss);
	say(s, "\n== main (boot/main_64.S), running from the copy");
	say(s, "  reload our GDT, clear .bss [0x%llx, 0x%llx) (the decoder's heap, the stack, the IDT), take "
	    "the real stack, load the second IDT: page faults now map the missing 2 MiB page and carry on",
	    X(bss), X(bss_end));
	return true;
}

/* --- init_identity_maps (boot/ident_map.c) --- */

static bool add_map(struct sim *s, uint64_t start, uint64_t end, const char *what)
{
	size_t before = s->pgt.used;
	enum kd_err err = kd_pgt_map(&s->pgt, start, end);

	if (s->n_maps < MAX_MAPS)
		s->maps[s->n_maps++] = (struct mapping){ start, end, what };
	say(s, "  map [0x%llx, 0x%llx) %s: %zu new table pages, %zu of %d used", X(start), X(end), what,
	    s->pgt.used - before, s->pgt.used, PGT_POOL_PAGES);
	if (err)
		return halt(s, "identity map", "out of page-table pages for the identity map (%d in the pool)",
			    PGT_POOL_PAGES);
	return true;
}

static bool step_ident(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	uint64_t pool = s->dest + i->pgt_off + PGT_POOL_FIRST * X86_PAGE_SIZE;
	const char *why, *v;
	size_t n;
	bool no5lvl = kd_cmdline_get(s->o.cmdline, s->cmdline_len, "no5lvl", &v, &n);
	bool below_4g = s->dest + i->mem_len <= 4 * GiB;
	/* the simulated CPU has no LA57, and every loader here enters in 4-level paging */
	int levels = kd_plan_paging_levels(s->kernel.five_level, false, no5lvl, 4, below_4g, &why);
	int with_la57 = kd_plan_paging_levels(s->kernel.five_level, true, no5lvl, 4, below_4g, &why);

	say(s, "\n== init_identity_maps (boot/ident_map.c): fresh %d-level tables, 2 MiB pages", levels);
	say(s, "  %d-level: the simulated CPU has no LA57; on one with it, head flags 0x%x would get %d-level tables",
	    levels, i->flags, with_la57);
	say(s, "  the pool: %d pages at 0x%llx (dest + pgt_off + %d pages); lib/kernel/pgtable.c builds them "
	    "(here on a host pool)", PGT_POOL_PAGES, X(pool), PGT_POOL_FIRST);
	s->pool = aligned_alloc(X86_PAGE_SIZE, PGT_POOL_PAGES * X86_PAGE_SIZE);
	if (!s->pool || kd_pgt_init(&s->pgt, s->pool, PGT_POOL_PAGES * X86_PAGE_SIZE, levels) != KD_OK)
		die("simulate: no page-table pool");
	if (!add_map(s, s->dest, s->dest + i->mem_len, "the image, its .bss and page tables") ||
	    !add_map(s, s->bp_addr, s->bp_addr + sizeof(s->bp), "boot_params") ||
	    !add_map(s, s->o.cmdline_addr, s->o.cmdline_addr + COMMAND_LINE_SIZE, "the command line"))
		return false;
	say(s, "  CR3 = the PML4 at 0x%llx", X(pool));
	return true;
}

/* --- choose_random_location (boot/kaslr.c, lib/kernel/kaslr.c) --- */

/*
 * The stub reads a setup_data node where it lies, once the e820 table says
 * it is RAM, faulting its page into the identity map.
 */
static const struct kd_setup_data *read_setup_data(uint64_t addr, void *ctx)
{
	struct sim *s = ctx;

	if (!kd_setup_data_readable(&s->bp, addr, 0))
		return NULL;
	uint32_t len = ((const struct kd_setup_data *)phys(&s->mem, addr, sizeof(struct kd_setup_data)))->len;
	if (!kd_setup_data_readable(&s->bp, addr, len))
		return NULL;

	if (!add_map(s, addr, addr + sizeof(struct kd_setup_data) + len, "a setup_data node (page fault)"))
		return NULL;
	return (const struct kd_setup_data *)phys(&s->mem, addr, sizeof(struct kd_setup_data) + len);
}

const char *avoid_name(const struct sim *s, const struct kd_range *r)
{
	if (r->start == s->target)
		return "the buffer: relocated image, heap, stack, page tables";
	if (s->o.initrd_size && r->start == kd_initrd_addr(&s->bp))
		return "the initrd";
	if (r->start == s->bp_addr)
		return "boot_params";
	if (r->start == s->o.cmdline_addr)
		return "the command line";
	return "memmap=, setup_data, or a reserved e820 entry over RAM";
}

static void trace_map(struct sim *s)
{
	say(s, "  usable RAM (e820 type 1), below limit 0x%llx (mem= or 4-level paging's 64 TiB):", X(s->map.limit));
	for (unsigned i = 0; i < s->map.n_ram; i++)
		say(s, "    [0x%llx, 0x%llx)", X(s->map.ram[i].start), X(s->map.ram[i].end));
	say(s, "  regions to avoid:");
	for (unsigned i = 0; i < s->map.n_avoid; i++)
		say(s, "    [0x%llx, 0x%llx) %s", X(s->map.avoid[i].start), X(s->map.avoid[i].end),
		    avoid_name(s, &s->map.avoid[i]));
}

static void choose(struct sim *s, enum kd_plan_kaslr what)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_plan_kernel *k = &s->kernel;
	struct kd_kaslr_boot b = {
		.bp = &s->bp, .bp_addr = s->bp_addr, .cmdline = s->o.cmdline, .cmdline_len = s->cmdline_len,
		.target = s->target, .init_size = i->init_size, .read_setup_data = read_setup_data, .ctx = s,
	};

	const char *why;
	bool fixed = kd_kaslr_cmdline_seed(s->o.cmdline, s->cmdline_len, &s->seed, &why) == KD_SEED_FIXED;

	if (why)
		say(s, "  warning: %s", why);
	s->random = kd_kaslr_seeded(s->seed);
	say(s, "  entropy: RDRAND, RDTSC, the i8254 and boot_params on hardware; here %s%llu: mix(seed) = 0x%016llx",
	    fixed ? "the command line's kdecomp.seed=" : "--seed ", X(s->seed), X(s->random));
	if (!kd_kaslr_collect(&s->map, &b, &why)) {
		say(s, "  warning: %s", why);
		return;
	}
	trace_map(s);
	s->slots = kd_kaslr_count_slots(&s->map, k->needed, k->align, k->link);
	s->phys_found = kd_kaslr_choose(&s->map, k, what, s->random, &s->output, &s->virt);
	s->virt_slots = what == KD_PLAN_KASLR_ALL ? kd_kaslr_virt_slots(k->kernel_mem, k->align, k->link) : 1;
	s->randomised = true;
	if (s->phys_found)
		say(s, "  physical: %llu slots of 0x%llx bytes (max of out_len, kernel_mem), 0x%llx-aligned, at or "
		    "above the link address 0x%llx; slot random %% %llu -> 0x%llx", X(s->slots), X(k->needed),
		    X(k->align), X(k->link), X(s->slots), X(s->output));
	else
		say(s, "  warning: Physical KASLR disabled: no suitable memory region! (stays at 0x%llx)", X(s->output));
	say(s, "  virtual: %llu 0x%llx-aligned bases in the 1 GiB kernel mapping fit kernel_mem 0x%x; the second "
	    "random number picks 0x%llx: the kernel runs at 0x%llx", X(s->virt_slots), X(k->align), i->kernel_mem,
	    X(s->virt), X(KD_START_KERNEL_MAP + s->virt));
	s->bp.hdr.loadflags |= KD_KASLR_FLAG;
	memcpy(phys(&s->mem, s->bp_addr, sizeof(s->bp)), &s->bp, sizeof(s->bp));
}

static bool step_kaslr(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_plan_kernel *k = &s->kernel;
	struct kd_report r = { 0 };
	enum kd_plan_kaslr what;
	const char *v, *why;
	size_t n;

	say(s, "\n== extract_kernel (boot/extract.c): choose_random_location (boot/kaslr.c)");
	const char *cmd = (const char *)phys(&s->mem, s->o.cmdline_addr, s->cmdline_len + 1);

	if (kd_cmdline_extent(&s->bp, cmd, COMMAND_LINE_SIZE - 1, &n, &r) != KD_OK ||
	    kd_handover_check(&s->bp, s->target, i->init_size, read_setup_data, s, &r) != KD_OK)
		return halt(s, "what the loader handed over (lib/kernel/handover.c)", STUB_VALUE, r.why, X(r.value));
	s->needed = k->needed;
	s->seed = s->o.seed;
	s->output = s->target;
	s->virt = k->link;
	s->nokaslr = kd_cmdline_get(s->o.cmdline, s->cmdline_len, "nokaslr", &v, &n);
	what = s->what = kd_plan_kaslr(k, &why);
	if (s->nokaslr)
		say(s, "  'nokaslr' on the command line: physical = target 0x%llx (decompress in place), "
		    "virtual = the link address: the kernel runs at 0x%llx", X(s->target), X(KD_START_KERNEL_MAP + k->link));
	else if (why)
		say(s, "  warning: %s", why);
	if (!s->nokaslr && what != KD_PLAN_KASLR_NONE)
		choose(s, what);
	if (kd_kaslr_check_destination(k, s->output, s->virt, &r) != KD_OK)
		return halt(s, "extract_kernel", STUB_VALUE, r.why, X(r.value));
	say(s, "  the destination passes extract_kernel's checks: both addresses 0x%llx-aligned, below 64 TiB, "
	    "inside the kernel mapping", X(k->align));
	return add_map(s, s->output, s->output + (s->output == s->target ? i->init_size : s->needed),
		       s->output == s->target ? "the whole buffer (in place)" : "the kernel's destination");
}

/* --- decompress, parse_elf, handle_relocations (boot/extract.c) --- */

/* The kernel's destination as the stub sees it: the whole buffer in place, else `needed` bytes. */
static uint8_t *output_mem(struct sim *s)
{
	return phys(&s->mem, s->output, s->output == s->target ? s->info.init_size : s->needed);
}

static bool step_decompress(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	enum kd_format fmt = s->img.format;
	struct kd_heap heap;
	const uint8_t *in;
	uint8_t *out, *heap_mem;
	enum kd_err err;

	output_mem(s);
	in = phys(&s->mem, s->dest + i->payload_off, i->payload_len);
	out = output_mem(s);	/* again: the input's view may have moved extents */
	/* the stub's own heap, as main's header records it */
	s->heap_size = ((const struct kd_main_info *)(s->img.pm + i->main_off + MAIN_INFO))->heap_size;
	heap_mem = xmalloc(s->heap_size);
	kd_heap_init(&heap, heap_mem, s->heap_size);
	struct kd_job job = { .in = in, .in_len = i->payload_len, .out = out, .out_cap = i->out_len, .heap = &heap };

	say(s, "\n== decompress: %s, payload [0x%llx, 0x%llx) in the copy -> 0x%llx, out_len 0x%x bytes%s",
	    kd_format_name(fmt), X(s->dest + i->payload_off), X(s->dest + i->payload_off + i->payload_len),
	    X(s->output), i->out_len, s->output == s->target ? " (in place: the output grows up towards the input)" : "");
	uint64_t t0 = now_ns();
	err = kd_decode(fmt, &job);
	s->ns[S_DECOMPRESS] = now_ns() - t0;
	s->heap_peak = heap.peak;
	s->in_used = job.in_used;
	free(heap_mem);
	if (err != KD_OK)
		return halt(s, "decompress", "%s: %s (after 0x%zx output bytes)", kd_strerror(err), job.why ? job.why : "?",
			    job.out_len);
	if (job.out_len != i->out_len)
		return halt(s, "decompress", "decompressed size differs from the size recorded after the payload: 0x%zx",
			    job.out_len);
	say(s, "  %zu input bytes read, %zu written in %.1f ms; heap: %zu of the stub's %zu bytes",
	    job.in_used, job.out_len, s->ns[S_DECOMPRESS] / 1e6, s->heap_peak, s->heap_size);
	return true;
}

static bool step_elf(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	uint8_t *out = output_mem(s);
	struct kd_report r = { 0 };
	enum kd_err err;

	say(s, "\n== parse_elf: the vmlinux ELF at the start of the output, its segments to p_paddr - link 0x%llx",
	    X(s->kernel.link));
	if ((err = kd_elf_read(out, i->out_len, &s->elf, &r)) != KD_OK)
		return halt_report(s, "parse_elf: bad kernel ELF", err, &r);
	if (s->kernel.relocs && (err = kd_relocs_find(out, i->out_len, s->elf.file_end, &s->rel, &r)) != KD_OK)
		return halt_report(s, "relocation table", err, &r);
	for (unsigned n = 0; n < s->elf.n_load; n++) {
		const struct kd_elf_segment *g = &s->elf.load[n];

		say(s, "  PT_LOAD %u: p_offset 0x%llx -> 0x%llx (p_paddr 0x%llx), p_filesz 0x%llx, p_memsz 0x%llx", n,
		    X(g->offset), X(s->output + g->paddr - s->kernel.link), X(g->paddr), X(g->filesz), X(g->memsz));
	}
	if ((err = kd_elf_place(out, i->kernel_mem, &s->elf, s->kernel.link, &r)) != KD_OK)
		return halt_report(s, "parse_elf: cannot place a segment", err, &r);
	return true;
}

static bool step_relocs(struct sim *s)
{
	const struct kd_plan_kernel *k = &s->kernel;
	uint8_t *out = output_mem(s);
	struct kd_report r = { 0 };
	enum kd_err err;

	if (!k->relocs)
		say(s, "\n== handle_relocations: none, the kernel has no relocation table (it keeps its link-time "
		    "virtual address)");
	else
		say(s, "\n== handle_relocations: the table after the ELF [0x%llx, 0x%llx): %llu 32-bit, %llu inverse "
		    "32-bit, %llu 64-bit entries; delta = virtual 0x%llx - link 0x%llx = 0x%llx%s",
		    X(s->rel.start), X(s->rel.end), X(s->rel.n32), X(s->rel.n32inv), X(s->rel.n64), X(s->virt),
		    X(k->link), X(s->virt - k->link), s->virt == k->link ? " (nothing to patch)" : "");
	if (k->relocs && (err = kd_relocs_apply(out, k->kernel_mem, k->link, out, &s->rel, s->virt, &r)) != KD_OK)
		return halt_report(s, "handle_relocations", err, &r);
	s->entry = s->output + (s->elf.entry - k->link);
	if (s->elf.entry < k->link || s->elf.entry - k->link >= k->kernel_mem)
		return halt(s, "extract_kernel", "kernel entry point lies outside the kernel: 0x%llx", X(s->elf.entry));
	say(s, "\n== the kernel: e_entry 0x%llx is startup_64's link address; the stub loads an empty IDT and "
	    "jumps to 0x%llx (physical, identity-mapped) with %%rsi = boot_params 0x%llx",
	    X(s->elf.entry), X(s->entry), X(s->bp_addr));
	return true;
}

typedef bool (*step_fn)(struct sim *s);

/* The steps in boot order, each timed; false at the first that halts. */
static bool run_steps(struct sim *s)
{
	static const struct { enum step id; step_fn fn; } steps[] = {
		{ S_LOADER, step_loader }, { S_HEAD, step_head }, { S_HEAD, step_main }, { S_IDENT, step_ident },
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
		{ "dump", required_argument, NULL, 'd' },   { "loader64", required_argument, NULL, '6' },
		{ NULL, 0, NULL, 0 },
	};
	bool mem_given = false;
	int c;

	*o = (struct options){ .mem = GiB, .load = 0x100000, .cmdline = "", .bp_addr = REAL_ADDR + BOOT_PARAMS,
			       .cmdline_addr = CMDLINE_ADDR };
	while ((c = getopt_long(argc, argv, "m:e:s:c:i:l:jtd:6:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->mem = size_arg("--mem", optarg), mem_given = true; break;
		case 'e': o->e820_path = optarg; break;
		case 's': o->seed = size_arg("--seed", optarg); break;
		case 'c': o->cmdline = optarg; break;
		case 'i': address_pair("--initrd", optarg, '@', &o->initrd_size, &o->initrd_addr); break;
		case 'l': o->load = size_arg("--load", optarg); break;
		case 'j': o->json = true; break;
		case 't': o->trace = true; break;
		case 'd': o->dump_path = optarg; break;
		case '6':
			o->loader64 = true;
			address_pair("--loader64", optarg, ',', &o->bp_addr, &o->cmdline_addr);
			break;
		default: die_usage("simulate");
		}
	}
	if (optind + 1 != argc)
		die_usage("simulate");
	if (mem_given && o->e820_path)
		die("simulate: --mem and --e820 both describe the memory: give one");
	if (o->initrd_size > UINT32_MAX || o->initrd_addr > UINT32_MAX - o->initrd_size)
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
