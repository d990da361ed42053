// SPDX-License-Identifier: MIT
/*
 * loader64: a minimal 64-bit boot loader, for testing the image's 64-bit
 * entry (load address + 0x200) the way kexec and VMMs use it.  entry.S
 * has put us in long mode on an identity map of the low 8 GiB.
 *
 * From QEMU (Multiboot):
 *   -kernel loader64.bin
 *   -initrd "IMAGE[,INITRAMFS]"        the bzImage (the module with "HdrS" at
 *                                      0x202) and the initrd, in either order
 *   -append "kdecomp.load=ADDR ARGS"   where to load the protected-mode part;
 *                                      the whole line goes to the kernel
 *   kdecomp.hostile=CASE               spoil boot_params before the jump
 *                                      (hostile.c lists the cases)
 *
 * What a 64-bit loader owes the kernel (boot protocol, "64-bit boot
 * protocol"): a zeroed boot_params with the image's setup header copied
 * in, the loader's own fields filled (type_of_loader, cmd_line_ptr, the
 * initrd, the e820 memory map); the protected-mode part, the code after
 * the (setup_sects + 1) sectors of real-mode setup, at some address; then
 * a jump to that address + 0x200 with %rsi = boot_params, interrupts off,
 * CS = 0x10, DS = ES = SS = 0x18 and the image, boot_params and command
 * line identity-mapped.
 *
 * Every refusal is one line on the serial console starting "loader64:",
 * then " -- System halted" (what the boot tests wait for) and a halt.
 */
#include "loader64.h"

#define LOADER_MARKER	" kdecomp.loader=entry64"
#define CMDLINE_MAX	2048
#define LOADER_ID	0xff	/* type_of_loader: "undefined", as the protocol asks of new loaders */
#define COM1		0x3f8
#define CR4_LA57	(1u << 12)	/* 5-level paging */

/* The Multiboot information structure (Multiboot 0.6.96, section 3.3), as far as we read it. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;	/* flags bit 2 */
	uint32_t mods_count;	/* flags bit 3 */
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;	/* flags bit 6 */
	uint32_t mmap_addr;
};
#define MB_INFO_CMDLINE	(1u << 2)
#define MB_INFO_MODS	(1u << 3)
#define MB_INFO_MMAP	(1u << 6)

struct mb_module {
	uint32_t start, end;	/* [start, end) */
	uint32_t string, reserved;
};

/* A memory map entry; `size` counts the bytes after itself.  Types are e820's. */
struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

void loader_main(const struct mb_info *mbi) __attribute__((noreturn));

extern const uint8_t _load_start[], _bss_end[];

static struct kd_boot_params bp __attribute__((aligned(4096)));
static char cmdline[CMDLINE_MAX];

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }

void puts_serial(const char *s)
{
	for (; *s; s++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, (uint8_t)*s);
	}
}

/* entry.S enters long mode in 5-level paging in loader64-la57.bin, when the CPU has LA57. */
static bool paging_is_5level(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return cr4 & CR4_LA57;
}

static void put_hex(uint64_t v)
{
	char buf[19] = "0x";

	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	buf[18] = 0;
	puts_serial(buf);
}

void refuse(const char *why, uint64_t v)
{
	puts_serial("\r\nloader64: ");
	puts_serial(why);
	puts_serial(" ");
	put_hex(v);
	puts_serial("\r\n -- System halted\r\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* The value of "kdecomp.load=0x..." on the command line, in hex. */
static uint64_t load_address(const char *s)
{
	static const char key[] = "kdecomp.load=0x";
	uint64_t v = 0;

	for (; *s; s++) {
		if (kd_memcmp(s, key, sizeof(key) - 1) != 0)
			continue;
		for (s += sizeof(key) - 1; *s && *s != ' '; s++) {
			char c = *s | 0x20;

			if (c >= '0' && c <= '9')
				v = v * 16 + (uint64_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (uint64_t)(c - 'a' + 10);
			else
				refuse("bad hex digit in kdecomp.load=, at", (uint64_t)(uintptr_t)s);
		}
		return v;
	}
	refuse("no kdecomp.load=0x... on the command line", 0);
}

/* QEMU's Multiboot command line is "FILE ARGS": the kernel gets ARGS and our marker. */
static void make_cmdline(const struct mb_info *mbi)
{
	const char *s = (mbi->flags & MB_INFO_CMDLINE) ? (const char *)(uintptr_t)mbi->cmdline : "";
	size_t n = 0;

	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	for (; *s && n < CMDLINE_MAX - sizeof(LOADER_MARKER); s++)
		cmdline[n++] = *s;
	if (*s)
		refuse("command line too long; bytes allowed:", CMDLINE_MAX - sizeof(LOADER_MARKER));
	kd_memcpy(cmdline + n, LOADER_MARKER, sizeof(LOADER_MARKER));
}

/* The Multiboot memory map is the BIOS's e820 map in other clothes. */
static void fill_e820(const struct mb_info *mbi)
{
	uint64_t p, end;

	if (!(mbi->flags & MB_INFO_MMAP))
		refuse("no memory map from the Multiboot loader; flags", mbi->flags);
	end = (uint64_t)mbi->mmap_addr + mbi->mmap_length;
	for (p = mbi->mmap_addr; p < end && bp.e820_entries < KD_E820_MAX;) {
		const struct mb_mmap *m = (const struct mb_mmap *)(uintptr_t)p;
		struct kd_e820_entry *e = &bp.e820_table[bp.e820_entries++];

		e->addr = m->addr;
		e->size = m->len;
		e->type = m->type;
		p += m->size + sizeof(m->size);
	}
}

/* [start, end) lies in one RAM entry of the map. */
static bool in_ram(uint64_t start, uint64_t end)
{
	for (int i = 0; i < bp.e820_entries; i++) {
		const struct kd_e820_entry *e = &bp.e820_table[i];

		if (e->type == KD_E820_RAM && start >= e->addr && end <= e->addr + e->size)
			return true;
	}
	return false;
}

static bool is_bzimage(const struct mb_module *m)
{
	return m->end - m->start > 0x206 && kd_get_le32((const uint8_t *)(uintptr_t)m->start + 0x202) == KD_HDRS_MAGIC;
}

/* The setup header, from 0x1f1 to where the jump at 0x200 lands (its end, by the protocol). */
static void copy_setup_header(const uint8_t *image, size_t len)
{
	size_t end = 0x202 + image[0x201];

	if (end > len || end > offsetof(struct kd_boot_params, _pad7) + sizeof(bp._pad7))
		refuse("setup header runs past its room; ends at", end);
	kd_memcpy((uint8_t *)&bp + KD_SETUP_HEADER_OFFSET, image + KD_SETUP_HEADER_OFFSET,
		  end - KD_SETUP_HEADER_OFFSET);
	if (bp.hdr.version < 0x020c || !(bp.hdr.xloadflags & KD_XLF_KERNEL_64))
		refuse("the image has no 64-bit entry; xloadflags", bp.hdr.xloadflags);
}

/* Where boot_params, the command line and the initrd are: what `kdecomp simulate --loader64` needs. */
static void report_layout(void)
{
	puts_serial("\r\nloader64: boot_params at ");
	put_hex((uintptr_t)&bp);
	puts_serial(", command line at ");
	put_hex(bp.hdr.cmd_line_ptr);
	puts_serial(", initrd at ");
	put_hex(bp.hdr.ramdisk_image);
	puts_serial(" size ");
	put_hex(bp.hdr.ramdisk_size);
}

static __attribute__((noreturn)) void enter_64(uint64_t entry)
{
	__asm__ volatile("cli; jmp *%0" : : "r"(entry), "S"(&bp) : "memory");
	__builtin_unreachable();
}

void loader_main(const struct mb_info *mbi)
{
	const struct mb_module *mods = (const struct mb_module *)(uintptr_t)mbi->mods_addr, *img, *initrd = NULL;
	const uint8_t *image;
	size_t image_len, setup_len;
	uint64_t load, runs_at, buffer_end;

	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 1 || mbi->mods_count > 2)
		refuse("pass the bzImage and at most an initrd with -initrd; modules:", mbi->mods_count);
	img = &mods[0];
	if (mbi->mods_count == 2) {
		initrd = &mods[1];
		if (!is_bzimage(img)) {
			img = &mods[1];
			initrd = &mods[0];
		}
	}
	if (!is_bzimage(img))
		refuse("no module is a bzImage (\"HdrS\" at 0x202); modules:", mbi->mods_count);
	image = (const uint8_t *)(uintptr_t)img->start;
	image_len = img->end - img->start;

	fill_e820(mbi);
	make_cmdline(mbi);
	load = load_address(cmdline);
	copy_setup_header(image, image_len);
	bp.hdr.type_of_loader = LOADER_ID;
	bp.hdr.cmd_line_ptr = (uint32_t)(uintptr_t)cmdline;
	if (initrd) {
		bp.hdr.ramdisk_image = initrd->start;
		bp.hdr.ramdisk_size = initrd->end - initrd->start;
	}

	/*
	 * The image will use [load, runs_at + init_size), where runs_at is
	 * the load address rounded up to kernel_alignment, and (like Linux)
	 * never below its preferred address: nothing we still hand over may
	 * lie there.  Its own module may: memmove copes with the overlap.
	 */
	setup_len = (size_t)((bp.hdr.setup_sects ? bp.hdr.setup_sects : 4) + 1) * KD_SECTOR;
	if (setup_len >= image_len)
		refuse("the image is no longer than its setup sectors:", image_len);
	runs_at = align_up(load, bp.hdr.kernel_alignment);
	if (runs_at < bp.hdr.pref_address)
		runs_at = bp.hdr.pref_address;
	buffer_end = runs_at + bp.hdr.init_size;
	if (overlaps(load, buffer_end, (uintptr_t)_load_start, (uintptr_t)_bss_end))
		refuse("the image would overwrite the loader; load address", load);
	if (initrd && overlaps(load, buffer_end, initrd->start, initrd->end))
		refuse("the image would overwrite the initrd; load address", load);
	if (!in_ram(load, load + image_len - setup_len))
		refuse("the image does not fit in RAM at", load);

	kd_memmove((void *)(uintptr_t)load, image + setup_len, image_len - setup_len);
	hostile_apply(&bp, cmdline, load);
	report_layout();
	puts_serial("\r\nloader64: image at ");
	put_hex(load);
	puts_serial(", entering at ");
	put_hex(load + KD_STARTUP_64_OFFSET);
	puts_serial(paging_is_5level() ? " in 5-level paging\r\n" : " in 4-level paging\r\n");
	enter_64(load + KD_STARTUP_64_OFFSET);
}
