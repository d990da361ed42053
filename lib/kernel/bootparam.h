/* SPDX-License-Identifier: MIT */
/*
 * The x86 boot protocol (Documentation/arch/x86/boot.rst, version 2.15):
 * the setup header a bzImage carries at 0x1f1 and the boot_params "zero
 * page" a loader hands to the kernel.  Every offset is asserted below; the
 * layout is an ABI shared by every boot loader and kernel.
 */
#ifndef KD_BOOTPARAM_H
#define KD_BOOTPARAM_H
#include "kd.h"

#define KD_SETUP_HEADER_OFFSET	0x1f1
#define KD_BOOT_FLAG		0xAA55
#define KD_HDRS_MAGIC		0x53726448	/* "HdrS" */
#define KD_BOOT_PROTOCOL	0x020f		/* 2.15 */
#define KD_SECTOR		512

/* loadflags */
#define KD_LOADED_HIGH		(1 << 0)	/* protected-mode code at 0x100000 */
#define KD_KASLR_FLAG		(1 << 1)	/* set by the decompressor when it randomised */
#define KD_QUIET_FLAG		(1 << 5)
#define KD_KEEP_SEGMENTS	(1 << 6)	/* obsolete */
#define KD_CAN_USE_HEAP		(1 << 7)

/* xloadflags */
#define KD_XLF_KERNEL_64		(1 << 0)	/* has the 64-bit entry at +0x200 */
#define KD_XLF_CAN_BE_LOADED_ABOVE_4G	(1 << 1)
#define KD_XLF_EFI_HANDOVER_32		(1 << 2)
#define KD_XLF_EFI_HANDOVER_64		(1 << 3)
#define KD_XLF_EFI_KEXEC		(1 << 4)
#define KD_XLF_5LEVEL			(1 << 5)
#define KD_XLF_5LEVEL_ENABLED		(1 << 6)

#define KD_START_KERNEL_MAP	0xffffffff80000000ull	/* __START_KERNEL_map */
#define KD_KERNEL_IMAGE_SIZE	(1ull << 30)		/* the kernel mapping area, with KASLR */
#define KD_STARTUP_64_OFFSET	0x200			/* ABI: the 64-bit entry */

struct kd_setup_header {
	uint8_t  setup_sects;
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;
	uint16_t jump;
	uint32_t header;
	uint16_t version;
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t  type_of_loader;
	uint8_t  loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image;
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t  ext_loader_ver;
	uint8_t  ext_loader_type;
	uint32_t cmd_line_ptr;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t  relocatable_kernel;
	uint8_t  min_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
} __attribute__((packed));

struct kd_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define KD_E820_RAM		1
#define KD_E820_RESERVED	2
#define KD_E820_MAX		128

/* A node of the setup_data list that hdr.setup_data heads. */
struct kd_setup_data {
	uint64_t next;
	uint32_t type;
	uint32_t len;
	uint8_t data[];
};
#define KD_SETUP_E820_EXT	1

/*
 * boot_params.screen_info: the console the loader leaves (here, only what an
 * EFI framebuffer needs: Linux's struct screen_info, uapi/linux/screen_info.h).
 */
struct kd_screen_info {
	uint8_t  orig_x, orig_y;		/* 0x00 */
	uint16_t ext_mem_k;			/* 0x02 */
	uint16_t orig_video_page;		/* 0x04 */
	uint8_t  orig_video_mode, orig_video_cols;	/* 0x06 */
	uint8_t  flags, unused2;		/* 0x08 */
	uint16_t orig_video_ega_bx;		/* 0x0a */
	uint16_t unused3;			/* 0x0c */
	uint8_t  orig_video_lines;		/* 0x0e */
	uint8_t  orig_video_is_vga;		/* 0x0f: the kind of console, KD_VIDEO_TYPE_* */
	uint16_t orig_video_points;		/* 0x10 */
	uint16_t lfb_width, lfb_height, lfb_depth;	/* 0x12: pixels, pixels, bits per pixel */
	uint32_t lfb_base, lfb_size;		/* 0x18: the framebuffer (low half of its address), its bytes */
	uint16_t cl_magic, cl_offset;		/* 0x20 */
	uint16_t lfb_linelength;		/* 0x24: bytes per scan line */
	uint8_t  red_size, red_pos, green_size, green_pos;	/* 0x26 */
	uint8_t  blue_size, blue_pos, rsvd_size, rsvd_pos;	/* 0x2a */
	uint16_t vesapm_seg, vesapm_off;	/* 0x2e */
	uint16_t pages;				/* 0x32 */
	uint16_t vesa_attributes;		/* 0x34 */
	uint32_t capabilities;			/* 0x36: KD_VIDEO_CAPABILITY_* */
	uint32_t ext_lfb_base;			/* 0x3a: the framebuffer address's high half */
	uint8_t  _reserved[2];			/* 0x3e */
} __attribute__((packed));
_Static_assert(sizeof(struct kd_screen_info) == 0x40, "screen_info");
_Static_assert(offsetof(struct kd_screen_info, orig_video_is_vga) == 0x0f, "orig_video_isVGA");
_Static_assert(offsetof(struct kd_screen_info, lfb_width) == 0x12, "lfb_width");
_Static_assert(offsetof(struct kd_screen_info, lfb_base) == 0x18, "lfb_base");
_Static_assert(offsetof(struct kd_screen_info, lfb_linelength) == 0x24, "lfb_linelength");
_Static_assert(offsetof(struct kd_screen_info, capabilities) == 0x36, "capabilities");
_Static_assert(offsetof(struct kd_screen_info, ext_lfb_base) == 0x3a, "ext_lfb_base");
#define KD_VIDEO_TYPE_EFI		0x70	/* an EFI graphics framebuffer */
#define KD_VIDEO_CAPABILITY_SKIP_QUIRKS	(1u << 0)
#define KD_VIDEO_CAPABILITY_64BIT_BASE	(1u << 1)

/*
 * boot_params.efi_info: how an EFI loader hands the kernel the firmware's
 * system table and the final memory map (the one ExitBootServices was
 * called with).  Addresses are split in 32-bit halves.
 */
struct kd_efi_info {
	uint32_t loader_signature;	/* KD_EFI64_SIGNATURE: a 64-bit firmware */
	uint32_t systab;
	uint32_t memdesc_size;		/* bytes per descriptor (GetMemoryMap's DescriptorSize) */
	uint32_t memdesc_version;
	uint32_t memmap;
	uint32_t memmap_size;		/* bytes */
	uint32_t systab_hi;
	uint32_t memmap_hi;
} __attribute__((packed));
#define KD_EFI64_SIGNATURE	0x34364c45	/* "EL64" */
_Static_assert(sizeof(struct kd_efi_info) == 0x20, "efi_info");

/* boot_params.secure_boot, as an EFI loader found the firmware */
#define KD_SECURE_BOOT_UNKNOWN	1
#define KD_SECURE_BOOT_DISABLED	2
#define KD_SECURE_BOOT_ENABLED	3

struct kd_boot_params {
	struct kd_screen_info screen_info;	/* 0x000 */
	uint8_t  apm_bios_info[0x14];		/* 0x040 */
	uint8_t  _pad2[4];			/* 0x054 */
	uint64_t tboot_addr;			/* 0x058 */
	uint8_t  ist_info[0x10];		/* 0x060 */
	uint64_t acpi_rsdp_addr;		/* 0x070 */
	uint8_t  _pad3[8];			/* 0x078 */
	uint8_t  hd0_info[16];			/* 0x080 */
	uint8_t  hd1_info[16];			/* 0x090 */
	uint8_t  sys_desc_table[0x10];		/* 0x0a0 */
	uint8_t  olpc_ofw_header[0x10];		/* 0x0b0 */
	uint32_t ext_ramdisk_image;		/* 0x0c0 */
	uint32_t ext_ramdisk_size;		/* 0x0c4 */
	uint32_t ext_cmd_line_ptr;		/* 0x0c8 */
	uint8_t  _pad4[112];			/* 0x0cc */
	uint32_t cc_blob_address;		/* 0x13c */
	uint8_t  edid_info[0x80];		/* 0x140 */
	struct kd_efi_info efi_info;		/* 0x1c0 */
	uint32_t alt_mem_k;			/* 0x1e0 */
	uint32_t scratch;			/* 0x1e4 */
	uint8_t  e820_entries;			/* 0x1e8 */
	uint8_t  eddbuf_entries;		/* 0x1e9 */
	uint8_t  edd_mbr_sig_buf_entries;	/* 0x1ea */
	uint8_t  kbd_status;			/* 0x1eb */
	uint8_t  secure_boot;			/* 0x1ec */
	uint8_t  _pad5[2];			/* 0x1ed */
	uint8_t  sentinel;			/* 0x1ef */
	uint8_t  _pad6[1];			/* 0x1f0 */
	struct kd_setup_header hdr;		/* 0x1f1 */
	uint8_t  _pad7[0x290 - 0x1f1 - sizeof(struct kd_setup_header)];
	uint32_t edd_mbr_sig_buffer[16];	/* 0x290 */
	struct kd_e820_entry e820_table[KD_E820_MAX];	/* 0x2d0 */
	uint8_t  _pad8[48];			/* 0xcd0 */
	uint8_t  eddbuf[6 * 82];		/* 0xd00 */
	uint8_t  _pad9[276];			/* 0xeec */
} __attribute__((packed));

#define KD_HDR_OFF(f) (KD_SETUP_HEADER_OFFSET + offsetof(struct kd_setup_header, f))
_Static_assert(KD_HDR_OFF(setup_sects) == 0x1f1, "setup_sects");
_Static_assert(KD_HDR_OFF(root_flags) == 0x1f2, "root_flags");
_Static_assert(KD_HDR_OFF(syssize) == 0x1f4, "syssize");
_Static_assert(KD_HDR_OFF(ram_size) == 0x1f8, "ram_size");
_Static_assert(KD_HDR_OFF(vid_mode) == 0x1fa, "vid_mode");
_Static_assert(KD_HDR_OFF(root_dev) == 0x1fc, "root_dev");
_Static_assert(KD_HDR_OFF(boot_flag) == 0x1fe, "boot_flag");
_Static_assert(KD_HDR_OFF(jump) == 0x200, "jump");
_Static_assert(KD_HDR_OFF(header) == 0x202, "header");
_Static_assert(KD_HDR_OFF(version) == 0x206, "version");
_Static_assert(KD_HDR_OFF(realmode_swtch) == 0x208, "realmode_swtch");
_Static_assert(KD_HDR_OFF(start_sys_seg) == 0x20c, "start_sys_seg");
_Static_assert(KD_HDR_OFF(kernel_version) == 0x20e, "kernel_version");
_Static_assert(KD_HDR_OFF(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(KD_HDR_OFF(loadflags) == 0x211, "loadflags");
_Static_assert(KD_HDR_OFF(setup_move_size) == 0x212, "setup_move_size");
_Static_assert(KD_HDR_OFF(code32_start) == 0x214, "code32_start");
_Static_assert(KD_HDR_OFF(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(KD_HDR_OFF(ramdisk_size) == 0x21c, "ramdisk_size");
_Static_assert(KD_HDR_OFF(bootsect_kludge) == 0x220, "bootsect_kludge");
_Static_assert(KD_HDR_OFF(heap_end_ptr) == 0x224, "heap_end_ptr");
_Static_assert(KD_HDR_OFF(ext_loader_ver) == 0x226, "ext_loader_ver");
_Static_assert(KD_HDR_OFF(ext_loader_type) == 0x227, "ext_loader_type");
_Static_assert(KD_HDR_OFF(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(KD_HDR_OFF(initrd_addr_max) == 0x22c, "initrd_addr_max");
_Static_assert(KD_HDR_OFF(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(KD_HDR_OFF(relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(KD_HDR_OFF(min_alignment) == 0x235, "min_alignment");
_Static_assert(KD_HDR_OFF(xloadflags) == 0x236, "xloadflags");
_Static_assert(KD_HDR_OFF(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(KD_HDR_OFF(hardware_subarch) == 0x23c, "hardware_subarch");
_Static_assert(KD_HDR_OFF(hardware_subarch_data) == 0x240, "hardware_subarch_data");
_Static_assert(KD_HDR_OFF(payload_offset) == 0x248, "payload_offset");
_Static_assert(KD_HDR_OFF(payload_length) == 0x24c, "payload_length");
_Static_assert(KD_HDR_OFF(setup_data) == 0x250, "setup_data");
_Static_assert(KD_HDR_OFF(pref_address) == 0x258, "pref_address");
_Static_assert(KD_HDR_OFF(init_size) == 0x260, "init_size");
_Static_assert(KD_HDR_OFF(handover_offset) == 0x264, "handover_offset");
_Static_assert(KD_HDR_OFF(kernel_info_offset) == 0x268, "kernel_info_offset");
_Static_assert(sizeof(struct kd_setup_header) == 0x26c - 0x1f1, "setup header size");

_Static_assert(offsetof(struct kd_boot_params, tboot_addr) == 0x058, "tboot_addr");
_Static_assert(offsetof(struct kd_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct kd_boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct kd_boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct kd_boot_params, cc_blob_address) == 0x13c, "cc_blob_address");
_Static_assert(offsetof(struct kd_boot_params, efi_info) == 0x1c0, "efi_info");
_Static_assert(offsetof(struct kd_boot_params, alt_mem_k) == 0x1e0, "alt_mem_k");
_Static_assert(offsetof(struct kd_boot_params, scratch) == 0x1e4, "scratch");
_Static_assert(offsetof(struct kd_boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct kd_boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct kd_boot_params, hdr) == 0x1f1, "hdr");
_Static_assert(offsetof(struct kd_boot_params, edd_mbr_sig_buffer) == 0x290, "edd_mbr_sig_buffer");
_Static_assert(offsetof(struct kd_boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(offsetof(struct kd_boot_params, eddbuf) == 0xd00, "eddbuf");
_Static_assert(sizeof(struct kd_e820_entry) == 20, "e820 entry");
_Static_assert(sizeof(struct kd_boot_params) == 4096, "boot_params is one page");

/* The 64-bit address of the command line and of the initrd, with their ext_ high halves. */
static inline uint64_t kd_cmdline_addr(const struct kd_boot_params *bp)
{
	return bp->hdr.cmd_line_ptr | (uint64_t)bp->ext_cmd_line_ptr << 32;
}

static inline uint64_t kd_initrd_addr(const struct kd_boot_params *bp)
{
	return bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
}

/* The EFI memory map efi_info names, when a 64-bit EFI loader filled it (else 0). */
static inline uint64_t kd_efi_memmap_addr(const struct kd_boot_params *bp)
{
	if (bp->efi_info.loader_signature != KD_EFI64_SIGNATURE)
		return 0;
	return bp->efi_info.memmap | (uint64_t)bp->efi_info.memmap_hi << 32;
}

static inline uint64_t kd_efi_memmap_size(const struct kd_boot_params *bp)
{
	return bp->efi_info.memmap_size;
}

static inline uint64_t kd_initrd_size(const struct kd_boot_params *bp)
{
	return bp->hdr.ramdisk_size | (uint64_t)bp->ext_ramdisk_size << 32;
}
#endif
