/* SPDX-License-Identifier: MIT */
/*
 * The UEFI firmware's own tables (specification 2.10): status codes, the
 * system table, boot and runtime services, laid out as the spec prints
 * them.  Members nobody here calls are plain pointers, kept so the ones
 * called sit at their offsets (asserted below).  Every firmware function
 * uses the Microsoft x64 calling convention, so the host can stand in for
 * the firmware (tests, kdecomp simulate) with ms_abi functions of its own.
 * The protocols only the stub opens are in boot/efi.h.
 */
#ifndef KD_EFI_FIRMWARE_H
#define KD_EFI_FIRMWARE_H
#include "kd.h"

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
#endif
