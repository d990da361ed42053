/* SPDX-License-Identifier: MIT */
/*
 * The decisions of the EFI entry (boot/efi.c) that do not need the
 * firmware's protocols, here so the host can test them and `kdecomp
 * simulate --efi` can narrate them with the stub's own code:
 *
 *   where the decompression buffer goes      kd_efi_buffer_addr
 *   the final memory map, ExitBootServices   kd_efi_exit_boot_services
 *       (and once more when the key went stale)
 *   efi_info and the e820 table from the map kd_efi_describe_memory
 *       (entries beyond 128 in a SETUP_E820_EXT node)
 */
#ifndef KD_EFI_BOOT_H
#define KD_EFI_BOOT_H
#include "bootparam.h"
#include "efi_firmware.h"
#include "efi_map.h"
#include "kaslr.h"
#include "plan.h"

/* A memory map buffer and what GetMemoryMap said about its contents. */
struct kd_efi_mmap {
	uint8_t *map;
	uint64_t capacity, size;	/* bytes allocated, bytes in the map */
	uint64_t key, desc_size;
	uint32_t desc_version;
	unsigned exit_calls;		/* ExitBootServices calls made: after one, boot services may be gone */
};

/*
 * Size m for the final map, told by GetMemoryMap that the map is `size`
 * bytes of `desc_size`-byte descriptors now: m->capacity leaves room for
 * the descriptors the caller's own allocations (the map buffer, the e820
 * node) may add before the final call.  m->map is the caller's to allocate.
 */
void kd_efi_map_reserve(struct kd_efi_mmap *m, uint64_t size, uint64_t desc_size);

/* The e820 entries the final map can need: one per descriptor it can hold. */
unsigned kd_efi_e820_cap(const struct kd_efi_mmap *m);

/*
 * Where the decompression buffer of init_size bytes goes, by the map m:
 * the lowest address at or above the kernel's link address, at its
 * kernel_alignment, inside conventional memory (the link address itself
 * when free: the kernel's preferred place); exactly the link address for
 * a kernel that is not relocatable.  r->why is the stub's message when
 * there is none.
 */
enum kd_err kd_efi_buffer_addr(const struct kd_efi_mmap *m, const struct kd_plan_kernel *k, uint64_t init_size,
			       uint64_t *addr, struct kd_report *r);

/*
 * The final memory map into m (m->map of m->capacity bytes), checked
 * (kd_efi_map_check), then ExitBootServices with its key.  When the map
 * changed between the two (an event handler allocated), the key is stale
 * and the call fails with EFI_INVALID_PARAMETER; only GetMemoryMap and
 * ExitBootServices may be called then: fetch the map into the same buffer
 * and try once more.  The firmware's status; on failure r->why says what
 * failed, and m->exit_calls whether boot services may already be gone.
 */
efi_status kd_efi_exit_boot_services(const struct efi_boot_services *bs, efi_handle image, struct kd_efi_mmap *m,
				     struct kd_report *r);

/*
 * Where things lie in physical memory when the stub hands over: the stub
 * passes its pointers as addresses, simulate its simulated memory's.
 */
struct kd_efi_handoff {
	uint64_t systab;	/* the EFI system table */
	uint64_t bp_addr;	/* boot_params */
	uint64_t map_addr;	/* the final memory map (m->map's contents) */
	uint64_t ext_addr;	/* the SETUP_E820_EXT node */
	uint64_t buffer;	/* the decompression buffer, init_size bytes */
	uint64_t init_size;
};

/*
 * What the kernel learns of the firmware, from the final map: efi_info
 * ("EL64", the system table, the map, its descriptor size and version)
 * and the e820 table.  The e820 entries are converted into ext's data
 * (room for `cap`); the first 128 go to boot_params, the rest stay in ext,
 * which is linked into setup_data as a SETUP_E820_EXT node only then.
 *
 * With more than 128, the entries holding what the stub placed (the
 * buffer, boot_params, the command line, the initrd, ext itself) go
 * first, so they are among the 128: the head and the handover checks
 * read only boot_params' table.  The kernel sorts the whole table itself.
 *
 * Returns how many entries the map gave (at most cap).
 */
unsigned kd_efi_describe_memory(struct kd_boot_params *bp, const struct kd_efi_mmap *m,
				const struct kd_efi_handoff *at, struct kd_setup_data *ext, unsigned cap);
#endif
