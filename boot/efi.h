/* SPDX-License-Identifier: MIT */
/*
 * The parts of UEFI (specification 2.10) the stub's EFI entries use: the
 * system table, boot and runtime services, and the protocols for the
 * loaded image, the initrd, files and graphics.  Tables are laid out as
 * the spec prints them; members the stub never calls are plain pointers,
 * kept so the ones it calls sit at their offsets (asserted below).
 * Every firmware function uses the Microsoft x64 calling convention.
 */
#ifndef KD_BOOT_EFI_H
#define KD_BOOT_EFI_H
#include "bootparam.h"

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t efi_char16;

/* Appendix D: status codes; errors have the top bit set. */
#define EFI_ERROR_BIT		(1ull << 63)
#define EFI_SUCCESS		0
#define EFI_LOAD_ERROR		(EFI_ERROR_BIT | 1)
#define EFI_INVALID_PARAMETER	(EFI_ERROR_BIT | 2)
#define EFI_UNSUPPORTED		(EFI_ERROR_BIT | 3)
#define EFI_BUFFER_TOO_SMALL	(EFI_ERROR_BIT | 5)
#define EFI_OUT_OF_RESOURCES	(EFI_ERROR_BIT | 9)
#define EFI_NOT_FOUND		(EFI_ERROR_BIT | 14)
#define EFI_IS_ERROR(s)		(((s) & EFI_ERROR_BIT) != 0)

typedef struct {
	uint32_t a;
	uint16_t b, c;
	uint8_t d[8];
} efi_guid;

/* 4.2 EFI_TABLE_HEADER */
struct efi_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

/* 12.4 EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL */
struct efi_text_output {
	void *reset;
	efi_status (EFIAPI *output_string)(struct efi_text_output *self, const efi_char16 *s);
};

/* 7.2 AllocatePages: EFI_ALLOCATE_TYPE */
enum efi_allocate_type { EFI_ALLOCATE_ANY_PAGES, EFI_ALLOCATE_MAX_ADDRESS, EFI_ALLOCATE_ADDRESS };

struct efi_device_path;

/* 4.4 EFI_BOOT_SERVICES */
struct efi_boot_services {
	struct efi_table_header hdr;
	void *raise_tpl, *restore_tpl;
	efi_status (EFIAPI *allocate_pages)(uint32_t type, uint32_t mem_type, uint64_t pages, uint64_t *addr);
	efi_status (EFIAPI *free_pages)(uint64_t addr, uint64_t pages);
	efi_status (EFIAPI *get_memory_map)(uint64_t *size, void *map, uint64_t *key, uint64_t *desc_size,
					    uint32_t *desc_version);
	efi_status (EFIAPI *allocate_pool)(uint32_t mem_type, uint64_t size, void **buf);
	efi_status (EFIAPI *free_pool)(void *buf);
	void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
	void *install_protocol_interface, *reinstall_protocol_interface, *uninstall_protocol_interface;
	efi_status (EFIAPI *handle_protocol)(efi_handle h, const efi_guid *protocol, void **interface);
	void *reserved, *register_protocol_notify, *locate_handle;
	efi_status (EFIAPI *locate_device_path)(const efi_guid *protocol, struct efi_device_path **path,
						efi_handle *device);
	void *install_configuration_table, *load_image, *start_image, *exit, *unload_image;
	efi_status (EFIAPI *exit_boot_services)(efi_handle image, uint64_t map_key);
	void *get_next_monotonic_count, *stall, *set_watchdog_timer, *connect_controller, *disconnect_controller;
	void *open_protocol, *close_protocol, *open_protocol_information, *protocols_per_handle;
	void *locate_handle_buffer;
	efi_status (EFIAPI *locate_protocol)(const efi_guid *protocol, void *registration, void **interface);
};
_Static_assert(offsetof(struct efi_boot_services, allocate_pages) == 0x28, "AllocatePages");
_Static_assert(offsetof(struct efi_boot_services, get_memory_map) == 0x38, "GetMemoryMap");
_Static_assert(offsetof(struct efi_boot_services, handle_protocol) == 0x98, "HandleProtocol");
_Static_assert(offsetof(struct efi_boot_services, locate_device_path) == 0xb8, "LocateDevicePath");
_Static_assert(offsetof(struct efi_boot_services, exit_boot_services) == 0xe8, "ExitBootServices");
_Static_assert(offsetof(struct efi_boot_services, locate_protocol) == 0x140, "LocateProtocol");

/* 8.1 EFI_RUNTIME_SERVICES, up to GetVariable */
struct efi_runtime_services {
	struct efi_table_header hdr;
	void *get_time, *set_time, *get_wakeup_time, *set_wakeup_time;
	void *set_virtual_address_map, *convert_pointer;
	efi_status (EFIAPI *get_variable)(const efi_char16 *name, const efi_guid *vendor, uint32_t *attributes,
					  uint64_t *size, void *data);
};
_Static_assert(offsetof(struct efi_runtime_services, get_variable) == 0x48, "GetVariable");

/* 4.3 EFI_SYSTEM_TABLE */
struct efi_system_table {
	struct efi_table_header hdr;
	const efi_char16 *firmware_vendor;
	uint32_t firmware_revision;
	efi_handle console_in_handle;
	void *con_in;
	efi_handle console_out_handle;
	struct efi_text_output *con_out;
	efi_handle standard_error_handle;
	struct efi_text_output *std_err;
	struct efi_runtime_services *runtime_services;
	struct efi_boot_services *boot_services;
	uint64_t number_of_table_entries;
	void *configuration_table;
};
_Static_assert(offsetof(struct efi_system_table, con_out) == 0x40, "ConOut");
_Static_assert(offsetof(struct efi_system_table, boot_services) == 0x60, "BootServices");

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

/* A memory map buffer and what GetMemoryMap said about its contents. */
struct efi_mmap {
	uint8_t *map;
	uint64_t capacity, size;	/* bytes allocated, bytes in the map */
	uint64_t key, desc_size;
	uint32_t desc_version;
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
