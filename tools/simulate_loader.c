// SPDX-License-Identifier: MIT
/*
 * kdecomp simulate's loader step: QEMU -kernel, SeaBIOS and our real-mode
 * setup (boot/setup.S), up to startup_32 with %esi = boot_params.
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
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "simulate.h"

#define ACPI_SIZE	0x20000ull	/* SeaBIOS keeps the top 128 KiB of low RAM */
#define QEMU_LOADER	0xb0		/* type_of_loader: QEMU */

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
bool ram_at(const struct kd_boot_params *bp, uint64_t addr)
{
	return bp->e820_entries == 0 || in_ram(bp, addr, 1);
}

void trace_e820(struct sim *s)
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

	h->type_of_loader = TYPE_OF_LOADER_UNDEFINED;
	h->cmd_line_ptr = (uint32_t)s->cmdline_addr;
	say(s, "  no real-mode setup: boot_params zeroed at 0x%llx with the header copied in, the command line "
	    "(%zu bytes) at 0x%llx: cmd_line_ptr=0x%llx, type_of_loader=0x%x (undefined)", X(s->o.bp_addr),
	    s->cmdline_len, X(s->cmdline_addr), X(s->cmdline_addr), TYPE_OF_LOADER_UNDEFINED);
}

bool step_loader(struct sim *s)
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
	s->cmdline_addr = s->o.cmdline_addr;
	memcpy(phys(&s->mem, s->cmdline_addr, s->cmdline_len + 1), s->o.cmdline, s->cmdline_len + 1);
	if (s->o.loader64)
		loader64_setup(s);
	else
		qemu_setup(s);
	place_initrd(s);

	s->load = s->o.load;
	s->entry_64 = s->o.loader64 || s->load + s->img.pm_len > 4 * GiB;
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
