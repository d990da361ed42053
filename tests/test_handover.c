// SPDX-License-Identifier: MIT
/*
 * What the stub checks in boot_params before trusting it
 * (lib/kernel/handover.c), on maps and lists a hostile loader could give:
 * RAM room follows touching entries and ignores wrapping ones; the command
 * line is measured only inside RAM and capped at what the kernel keeps; a
 * setup_data list that loops, or has a node outside RAM, is refused, and
 * so is an initrd on the decompression buffer.  tests/boot/hostile.sh
 * boots the same cases through the stub.
 */
#include "handover.h"
#include "t.h"

#define MB (1ull << 20)
#define NODE_BASE 0x100000ull	/* where the test's setup_data nodes "lie" */

static struct kd_boot_params bp;

static void map(const struct kd_e820_entry *e, unsigned n)
{
	memset(&bp, 0, sizeof(bp));
	memcpy(bp.e820_table, e, n * sizeof(*e));
	bp.e820_entries = (uint8_t)n;
}

TEST(handover_ram_room)
{
	const struct kd_e820_entry e[] = {
		{ 2 * MB, 2 * MB, KD_E820_RAM },		/* touches the next: they merge */
		{ 4 * MB, 4 * MB, KD_E820_RAM },
		{ 8 * MB, 1 * MB, KD_E820_RESERVED },
		{ 0xfffffffffff00000ull, 2 * MB, KD_E820_RAM },	/* wraps: no RAM */
	};

	map(e, 0);
	CHECK(kd_e820_ram_room(&bp, 123 * MB) == UINT64_MAX);
	map(e, 4);
	CHECK(kd_e820_ram_room(&bp, 3 * MB) == 5 * MB);
	CHECK(kd_e820_ram_room(&bp, 8 * MB) == 0);
	CHECK(kd_e820_ram_room(&bp, 0xfffffffffff80000ull) == 0);
	CHECK(kd_e820_ram_room(&bp, 1 * MB) == 0);
}

TEST(handover_cmdline_extent)
{
	static char ram[64];
	const struct kd_e820_entry e[] = { { 1 * MB, sizeof(ram), KD_E820_RAM } };
	struct kd_report r = { 0 };
	size_t len = 0;

	map(e, 1);
	bp.hdr.cmd_line_ptr = 1 * MB;
	memset(ram, 'x', sizeof(ram));
	ram[10] = 0;
	CHECK(kd_cmdline_extent(&bp, ram, 2047, &len, &r) == KD_OK && len == 10);
	CHECK(kd_cmdline_extent(&bp, ram, 4, &len, &r) == KD_OK && len == 4);	/* what the kernel keeps */
	ram[10] = 'x';								/* no NUL before RAM ends */
	CHECK(kd_cmdline_extent(&bp, ram, 2047, &len, &r) == KD_ERR_PLACE && r.value == 1 * MB);
	bp.ext_cmd_line_ptr = 0x10;						/* at 64 GiB: not RAM */
	CHECK(kd_cmdline_extent(&bp, ram, 2047, &len, &r) == KD_ERR_PLACE && strstr(r.why, "not in RAM"));
	map(e, 0);								/* no map: reachable is enough */
	bp.hdr.cmd_line_ptr = 1 * MB;
	ram[10] = 0;
	CHECK(kd_cmdline_extent(&bp, ram, 2047, &len, &r) == KD_OK && len == 10);
	bp.ext_cmd_line_ptr = 0xffffffff;					/* beyond any identity map */
	CHECK(kd_cmdline_extent(&bp, ram, 2047, &len, &r) == KD_ERR_PLACE);
}

/* Nodes in a host array standing for memory at NODE_BASE; readable if in RAM by the map. */
static uint64_t nodes[4][2];
static const struct kd_setup_data *read_node(uint64_t addr, void *ctx)
{
	(void)ctx;
	if (addr < NODE_BASE || addr >= NODE_BASE + sizeof(nodes) || (addr - NODE_BASE) % 16 ||
	    !kd_setup_data_readable(&bp, addr, 0))
		return NULL;
	return (const struct kd_setup_data *)nodes[(addr - NODE_BASE) / 16];
}

static void link_nodes(const unsigned *next, unsigned n)	/* node i -> node next[i]; 4 = end */
{
	for (unsigned i = 0; i < n; i++)
		nodes[i][0] = next[i] < 4 ? NODE_BASE + 16 * next[i] : 0, nodes[i][1] = 0;
	bp.hdr.setup_data = NODE_BASE;
}

TEST(handover_setup_data_and_initrd)
{
	const struct kd_e820_entry e[] = { { 1 * MB, 1 * MB, KD_E820_RAM } };
	const unsigned chain[] = { 1, 2, 3, 4 }, loop[] = { 1, 2, 3, 1 }, self[] = { 0 };
	struct kd_report r = { 0 };

	map(e, 1);
	link_nodes(chain, 4);
	CHECK(kd_handover_check(&bp, 16 * MB, 8 * MB, read_node, NULL, &r) == KD_OK);
	link_nodes(loop, 4);
	CHECK(kd_handover_check(&bp, 16 * MB, 8 * MB, read_node, NULL, &r) == KD_ERR_PLACE && strstr(r.why, "loops"));
	link_nodes(self, 1);
	CHECK(kd_handover_check(&bp, 16 * MB, 8 * MB, read_node, NULL, &r) == KD_ERR_PLACE && strstr(r.why, "loops"));
	bp.hdr.setup_data = 64ull << 30;
	CHECK(kd_handover_check(&bp, 16 * MB, 8 * MB, read_node, NULL, &r) == KD_ERR_PLACE &&
	      strstr(r.why, "not in RAM") && r.value == 64ull << 30);
	bp.hdr.setup_data = 0;
	bp.hdr.ramdisk_image = 20 * MB;
	bp.hdr.ramdisk_size = 1 * MB;
	CHECK(kd_handover_check(&bp, 16 * MB, 8 * MB, read_node, NULL, &r) == KD_ERR_PLACE && strstr(r.why, "initrd"));
	CHECK(kd_handover_check(&bp, 32 * MB, 8 * MB, read_node, NULL, &r) == KD_OK);
	bp.ext_ramdisk_size = 0xffffffff;	/* wraps past 2^64: clamped, still overlaps */
	CHECK(kd_handover_check(&bp, 32 * MB, 8 * MB, read_node, NULL, &r) == KD_ERR_PLACE);
}
