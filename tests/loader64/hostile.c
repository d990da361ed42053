// SPDX-License-Identifier: MIT
/*
 * The hostile loader: with "kdecomp.hostile=CASE" on its command line,
 * loader64 spoils one thing in the boot_params it has filled, after its
 * own checks and just before the jump, the way a buggy or hostile loader
 * would.  tests/boot/hostile.sh boots each case and checks that the stub
 * either boots the kernel where it may or prints one message and halts.
 *
 *   e820-none              no e820 entries at all
 *   e820-overlap           the entries in reverse order, and a reserved
 *                          entry over [OVERLAP_START, OVERLAP_END) of RAM
 *   e820-wrap              two RAM entries whose ends wrap past 2^64, one
 *                          of them claiming everything from 1 GiB up
 *   image-outside-ram      RAM ends one page after the load address
 *   cmdline-outside-ram    cmd_line_ptr's high half (ext_cmd_line_ptr) set:
 *                          the line lies at 64 GiB, beyond RAM
 *   cmdline-unterminated   the line moved to the very end of RAM, no NUL
 *   cmdline-64k            a 64 KiB line: the line, filler, "nokaslr" at
 *                          NOKASLR_AT (past the 2 KiB the kernel keeps),
 *                          filler
 *   initrd-over-image      a 1 MiB initrd at the load address
 *   initrd-beyond-ram      a 16 MiB initrd at 28 GiB
 *   setup-data-loop        one setup_data node whose next is itself
 *   setup-data-outside-ram setup_data at 64 GiB
 *   align-not-pow2         kernel_alignment 0x123457
 *   e820-ext-200           200 entries: boot_params' 128 (its RAM entry cut
 *                          at the load address, then reserved filler above
 *                          RAM), the other 72 in a SETUP_E820_EXT node, the
 *                          first of them the RAM from the load address up:
 *                          the buffer is RAM only by the node
 *   e820-ext-unmapped      the same, the node moved to the top of the RAM
 *                          only it describes: not to be read, so no RAM
 *
 * (mem= and memmap= garbage need no loader: the test puts it on the line.)
 */
#include "loader64.h"

#define OVERLAP_START	(48ull << 20)
#define OVERLAP_END	(448ull << 20)
#define BEYOND_RAM	0x10u		/* ext_ high half: 64 GiB */
#define LONG_CMDLINE	(64u << 10)
#define NOKASLR_AT	3000
#define PAGE		4096
#define NOT_POW2	0x123457u
#define SETUP_UNKNOWN	0x7fffffffu	/* a setup_data type no kernel knows */

#define EXT_ENTRIES	(200 - KD_E820_MAX)
#define FILLER_BASE	((uint64_t)BEYOND_RAM << 32)	/* reserved filler entries go here, above RAM */

static char long_cmdline[LONG_CMDLINE];
static struct kd_setup_data loop_node;
static struct {
	struct kd_setup_data sd;
	struct kd_e820_entry e[EXT_ENTRIES];
} ext_node;

static bool is(const char *word, const char *name)
{
	size_t n = 0;

	while (name[n] && word[n] == name[n])
		n++;
	return name[n] == 0 && (word[n] == 0 || word[n] == ' ');
}

static void add_e820(struct kd_boot_params *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	if (bp->e820_entries < KD_E820_MAX)
		bp->e820_table[bp->e820_entries++] = (struct kd_e820_entry){ addr, size, type };
}

static void reverse_e820(struct kd_boot_params *bp)
{
	for (unsigned i = 0, j = bp->e820_entries - 1u; bp->e820_entries && i < j; i++, j--) {
		struct kd_e820_entry t = bp->e820_table[i];

		bp->e820_table[i] = bp->e820_table[j];
		bp->e820_table[j] = t;
	}
}

/* Every RAM entry above 1 MiB ends at `end` (or goes, if it starts there). */
static void cut_ram(struct kd_boot_params *bp, uint64_t end)
{
	for (unsigned i = 0; i < bp->e820_entries; i++) {
		struct kd_e820_entry *e = &bp->e820_table[i];

		if (e->type == KD_E820_RAM && e->addr + e->size > end)
			e->size = e->addr < end ? end - e->addr : 0;
	}
}

static uint64_t ram_top(const struct kd_boot_params *bp)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < bp->e820_entries; i++)
		if (bp->e820_table[i].type == KD_E820_RAM && bp->e820_table[i].addr + bp->e820_table[i].size > top)
			top = bp->e820_table[i].addr + bp->e820_table[i].size;
	return top;
}

/* The command line, without its NUL, in the last bytes of RAM. */
static void unterminated_cmdline(struct kd_boot_params *bp, const char *cmdline)
{
	size_t n = 0;

	while (cmdline[n])
		n++;
	char *at = (char *)(uintptr_t)(ram_top(bp) - n);
	kd_memmove(at, cmdline, n);
	bp->hdr.cmd_line_ptr = (uint32_t)(uintptr_t)at;
}

static void long_command_line(struct kd_boot_params *bp, const char *cmdline)
{
	static const char word[] = " nokaslr ";
	size_t n = 0;

	while (cmdline[n] && n < NOKASLR_AT - 1)
		long_cmdline[n] = cmdline[n], n++;
	long_cmdline[n++] = ' ';
	while (n < NOKASLR_AT)
		long_cmdline[n++] = 'x';
	kd_memcpy(long_cmdline + n, word, sizeof(word) - 1);
	for (n += sizeof(word) - 1; n < LONG_CMDLINE - 1; n++)
		long_cmdline[n] = 'x';
	long_cmdline[n] = 0;
	bp->hdr.cmd_line_ptr = (uint32_t)(uintptr_t)long_cmdline;
}

/* One page of reserved filler above RAM, the n-th. */
static struct kd_e820_entry filler(unsigned n)
{
	return (struct kd_e820_entry){ FILLER_BASE + (uint64_t)n * PAGE, PAGE, KD_E820_RESERVED };
}

/* The RAM from `load` up moved out of boot_params into a SETUP_E820_EXT node, both tables filled to 200. */
static void e820_ext_200(struct kd_boot_params *bp, uint64_t load)
{
	unsigned n = 0;

	for (unsigned i = 0; i < bp->e820_entries; i++) {
		struct kd_e820_entry *e = &bp->e820_table[i];

		if (e->type == KD_E820_RAM && e->addr <= load && load < e->addr + e->size) {
			ext_node.e[n++] = (struct kd_e820_entry){ load, e->addr + e->size - load, KD_E820_RAM };
			e->size = load - e->addr;
		}
	}
	while (bp->e820_entries < KD_E820_MAX)
		bp->e820_table[bp->e820_entries] = filler(bp->e820_entries), bp->e820_entries++;
	while (n < EXT_ENTRIES)
		ext_node.e[n] = filler(KD_E820_MAX + n), n++;
	ext_node.sd = (struct kd_setup_data){ bp->hdr.setup_data, KD_SETUP_E820_EXT, sizeof(ext_node.e) };
	bp->hdr.setup_data = (uintptr_t)&ext_node;
}

/* The node moved to the end of the RAM its first entry describes (the loader maps it; boot_params does not say it is RAM). */
static void ext_at_its_ram_top(struct kd_boot_params *bp)
{
	uint64_t top = ext_node.e[0].addr + ext_node.e[0].size;
	void *at = (void *)(uintptr_t)((top - sizeof(ext_node)) & ~(uint64_t)(sizeof(uint64_t) - 1));

	kd_memcpy(at, &ext_node, sizeof(ext_node));
	bp->hdr.setup_data = (uintptr_t)at;
}

/* The word after "kdecomp.hostile=", or NULL. */
static const char *hostile_case(const char *s)
{
	static const char key[] = "kdecomp.hostile=";

	for (; *s; s++)
		if (kd_memcmp(s, key, sizeof(key) - 1) == 0)
			return s + sizeof(key) - 1;
	return NULL;
}

void hostile_apply(struct kd_boot_params *bp, const char *cmdline, uint64_t load)
{
	const char *c = hostile_case(cmdline);

	if (!c)
		return;
	if (is(c, "e820-none")) {
		bp->e820_entries = 0;
	} else if (is(c, "e820-overlap")) {
		reverse_e820(bp);
		add_e820(bp, OVERLAP_START, OVERLAP_END - OVERLAP_START, KD_E820_RESERVED);
	} else if (is(c, "e820-wrap")) {
		add_e820(bp, 0xfffffffffff00000ull, 0x200000, KD_E820_RAM);
		add_e820(bp, 1ull << 30, 0 - (1ull << 30) + (1ull << 20), KD_E820_RAM);
	} else if (is(c, "image-outside-ram")) {
		cut_ram(bp, load + PAGE);
	} else if (is(c, "cmdline-outside-ram")) {
		bp->ext_cmd_line_ptr = BEYOND_RAM;
	} else if (is(c, "cmdline-unterminated")) {
		unterminated_cmdline(bp, cmdline);
	} else if (is(c, "cmdline-64k")) {
		long_command_line(bp, cmdline);
	} else if (is(c, "initrd-over-image")) {
		bp->hdr.ramdisk_image = (uint32_t)load;
		bp->hdr.ramdisk_size = 1u << 20;
	} else if (is(c, "initrd-beyond-ram")) {
		bp->hdr.ramdisk_image = 0;
		bp->ext_ramdisk_image = 7;	/* 28 GiB */
		bp->hdr.ramdisk_size = 16u << 20;
	} else if (is(c, "setup-data-loop")) {
		loop_node = (struct kd_setup_data){ (uintptr_t)&loop_node, SETUP_UNKNOWN, 0 };
		bp->hdr.setup_data = (uintptr_t)&loop_node;
	} else if (is(c, "setup-data-outside-ram")) {
		bp->hdr.setup_data = (uint64_t)BEYOND_RAM << 32;
	} else if (is(c, "align-not-pow2")) {
		bp->hdr.kernel_alignment = NOT_POW2;
	} else if (is(c, "e820-ext-200")) {
		e820_ext_200(bp, load);
	} else if (is(c, "e820-ext-unmapped")) {
		e820_ext_200(bp, load);
		ext_at_its_ram_top(bp);
	} else {
		refuse("unknown kdecomp.hostile= case, at", (uintptr_t)c);
	}
	puts_serial("\r\nloader64: hostile case applied\r\n");
}
