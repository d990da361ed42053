/* SPDX-License-Identifier: MIT */
/*
 * The UEFI protocols the stub's EFI entries open (specification 2.10): the
 * loaded image, the initrd's LoadFile2, files and graphics, laid out as the
 * spec prints them (offsets asserted); the firmware's own tables are in
 * lib/kernel/efi_firmware.h.
 */
#ifndef KD_BOOT_EFI_H
#define KD_BOOT_EFI_H
#include "bootparam.h"
#include "efi_firmware.h"

/* 9.1 EFI_LOADED_IMAGE_PROTOCOL */
struct efi_loaded_image {
	uint32_t revision;
	efi_handle parent_handle;
	struct efi_system_table *system_table;
	efi_handle device_handle;
	struct efi_device_path *file_path;
	void *reserved;
	uint32_t load_options_size;	/* bytes */
	void *load_options;		/* for an application started with options: UCS-2 text */
	void *image_base;
	uint64_t image_size;
	uint32_t image_code_type, image_data_type;
	void *unload;
};
_Static_assert(offsetof(struct efi_loaded_image, load_options_size) == 0x30, "LoadOptionsSize");
_Static_assert(offsetof(struct efi_loaded_image, image_base) == 0x40, "ImageBase");

/* 10.2 device path nodes: a header, then the node's data; a path ends with an end node. */
struct efi_device_path {
	uint8_t type, subtype;
	uint8_t length[2];
};
#define EFI_DP_TYPE_MEDIA	0x04
#define EFI_DP_MEDIA_VENDOR	0x03
#define EFI_DP_TYPE_END		0x7f
#define EFI_DP_END_ENTIRE	0xff

/* 13.2 EFI_LOAD_FILE2_PROTOCOL */
struct efi_load_file2 {
	efi_status (EFIAPI *load_file)(struct efi_load_file2 *self, struct efi_device_path *path, uint8_t boot_policy,
				       uint64_t *size, void *buf);
};

/* 13.5 EFI_FILE_PROTOCOL, up to SetPosition */
struct efi_file {
	uint64_t revision;
	efi_status (EFIAPI *open)(struct efi_file *self, struct efi_file **out, const efi_char16 *name, uint64_t mode,
				  uint64_t attributes);
	efi_status (EFIAPI *close)(struct efi_file *self);
	void *delete_file;
	efi_status (EFIAPI *read)(struct efi_file *self, uint64_t *size, void *buf);
	void *write;
	efi_status (EFIAPI *get_position)(struct efi_file *self, uint64_t *pos);
	efi_status (EFIAPI *set_position)(struct efi_file *self, uint64_t pos);
};
#define EFI_FILE_MODE_READ	1
#define EFI_FILE_POSITION_END	UINT64_MAX	/* SetPosition to this: the end of the file */

/* 13.4 EFI_SIMPLE_FILE_SYSTEM_PROTOCOL */
struct efi_simple_file_system {
	uint64_t revision;
	efi_status (EFIAPI *open_volume)(struct efi_simple_file_system *self, struct efi_file **root);
};

/* 12.9 EFI_GRAPHICS_OUTPUT_PROTOCOL */
enum efi_pixel_format { EFI_PIXEL_RGBX_8, EFI_PIXEL_BGRX_8, EFI_PIXEL_BIT_MASK, EFI_PIXEL_BLT_ONLY };
struct efi_gop_mode_info {
	uint32_t version, width, height, pixel_format;
	uint32_t red_mask, green_mask, blue_mask, reserved_mask;
	uint32_t pixels_per_scan_line;
};
struct efi_gop_mode {
	uint32_t max_mode, mode;
	struct efi_gop_mode_info *info;
	uint64_t size_of_info;
	uint64_t frame_buffer_base;
	uint64_t frame_buffer_size;
};
struct efi_gop {
	void *query_mode, *set_mode, *blt;
	struct efi_gop_mode *mode;
};

/* The GUIDs, each where the spec defines it. */
#define EFI_LOADED_IMAGE_GUID \
	{ 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }	/* 9.1 */
#define EFI_LOAD_FILE2_GUID \
	{ 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } }	/* 13.2 */
#define EFI_SIMPLE_FILE_SYSTEM_GUID \
	{ 0x964e5b22, 0x6459, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }	/* 13.4 */
#define EFI_GOP_GUID \
	{ 0x9042a9de, 0x23dc, 0x4a38, { 0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a } }	/* 12.9 */
#define EFI_GLOBAL_VARIABLE_GUID \
	{ 0x8be4df61, 0x93ca, 0x11d2, { 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c } }	/* 3.3 */
/* Linux's vendor media device path whose LoadFile2 protocol serves the initrd (Linux's EFI stub docs). */
#define LINUX_EFI_INITRD_MEDIA_GUID \
	{ 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } }

/* What the EFI steps share (efi.c). */
struct efi_boot {
	efi_handle image;
	struct efi_system_table *st;
	struct efi_boot_services *bs;
	struct efi_loaded_image *li;
	struct kd_boot_params *bp;	/* the loader's (handover) or ours */
	const uint8_t *head;		/* our protected-mode part, where the loader put it */
};

/* efi.c */
efi_status efi_main(efi_handle image, struct efi_system_table *st, struct kd_boot_params *loader_bp);
void efi_puts(const struct efi_boot *eb, const char *s);
/* Print "kdecomp: EFI: what (status ...)" on the firmware console; the status to return (an error). */
efi_status efi_fail(const struct efi_boot *eb, const char *what, efi_status s);
/* Pages of `mem_type` below `max` (UINT64_MAX: anywhere); *addr their start. */
efi_status efi_alloc_pages(const struct efi_boot *eb, uint32_t mem_type, uint64_t size, uint64_t max, uint64_t *addr);

/* efi_initrd.c: the initrd into boot_params, through LoadFile2 or initrd= */
efi_status efi_load_initrd(struct efi_boot *eb);

/* efi_video.c: the GOP framebuffer into screen_info */
void efi_setup_graphics(struct efi_boot *eb);
#endif
