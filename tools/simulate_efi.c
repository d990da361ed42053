// SPDX-License-Identifier: MIT
/*
 * kdecomp simulate --efi: the boot through the native EFI entry (boot/efi.c),
 * in the loader step's place, on the firmware of simulate_efi_fw.c.  The
 * firmware loads the PE image, efi_main allocates boot_params, the command
 * line, the initrd and the decompression buffer, reads the final memory
 * map, exits boot services and describes memory to the kernel, then jumps
 * to startup_64 in the buffer: from there on the 64-bit path every loader
 * shares.  The decisions are the stub's own, from lib/kernel/efi_boot.c:
 * where the buffer goes, the ExitBootServices sequence, efi_info and the
 * e820 table (with a SETUP_E820_EXT node past 128 entries).
 *
 * The simulated firmware has no SecureBoot variable (secure_boot = 2,
 * disabled) and no graphics output (screen_info stays empty); an initrd
 * (--initrd) comes through Linux's LoadFile2 device path, as QEMU's
 * -initrd does under OVMF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "simulate.h"

#define BELOW_4G		 0xffffffffull

static void trace_fw_map(struct sim *s, const char *when)
{
	say(s, "  the firmware's memory map %s, %u descriptors of %d bytes:", when, s->fw.n, EFI_FW_DESC_SIZE);
	for (unsigned i = 0; i < s->fw.n; i++) {
		const struct kd_efi_mem_desc *d = &s->fw.d[i];

		say(s, "           [mem 0x%016llx-0x%016llx] %-12s attr 0x%llx", X(d->phys_start),
		    X(d->phys_start + (d->num_pages << KD_EFI_PAGE_SHIFT) - 1), efi_type_name(d->type), X(d->attribute));
	}
}

/* An allocation the stub makes: the firmware's answer, or the stub's failure ("no memory for WHAT"). */
static bool allocate(struct sim *s, enum efi_allocate_type how, uint32_t type, uint64_t bytes, uint64_t *addr,
		     const char *what)
{
	static const char *const modes[] = { "anywhere", "at most 0x%llx", "at 0x%llx" };
	char where[40];

	snprintf(where, sizeof(where), modes[how], X(*addr));
	if (!efi_fw_allocate(&s->fw, how, type, bytes, addr))
		return halt(s, "efi_main", "no memory for %s", what);
	say(s, "  %s: AllocatePages(%s, %s, 0x%llx bytes) -> [0x%llx, 0x%llx)", what, where, efi_type_name(type),
	    X(bytes), X(*addr), X(*addr + KD_ALIGN_UP(bytes, 1ull << KD_EFI_PAGE_SHIFT)));
	return true;
}

/* The firmware's LoadImage: the PE image (SizeOfImage bytes) in loader code memory, the file at its start. */
static bool load_image(struct sim *s)
{
	struct kd_pe_view v;

	if (!kd_pe_read(s->img.data, s->img.setup_size + s->img.pm_len, &v))
		die("simulate: the image has no PE header: no UEFI firmware would start it");
	if (!allocate(s, EFI_ALLOCATE_ANY_PAGES, KD_EFI_LOADER_CODE, v.opt->size_of_image, &s->image_base,
		      "the image (LoadImage, SizeOfImage)"))
		return false;
	memcpy(phys(&s->mem, s->image_base, s->img.setup_size + s->img.pm_len), s->img.data,
	       s->img.setup_size + s->img.pm_len);
	say(s, "  StartImage: efi_pe_entry at ImageBase + AddressOfEntryPoint = 0x%llx, MS ABI: image handle, system "
	    "table 0x%llx; efi_main finds our protected-mode part at ImageBase + setup = 0x%llx",
	    X(s->image_base + v.opt->address_of_entry_point), X(s->fw.systab), X(s->image_base + s->img.setup_size));
	return true;
}

/* make_boot_params and make_cmdline: a zeroed page below 4 GiB with our setup header, the load options as ASCII. */
static bool make_boot_params(struct sim *s)
{
	struct kd_setup_header *h = &s->bp.hdr;

	s->bp_addr = BELOW_4G;
	if (!allocate(s, EFI_ALLOCATE_MAX_ADDRESS, KD_EFI_LOADER_DATA, sizeof(s->bp), &s->bp_addr, "boot_params"))
		return false;
	*h = s->img.hdr;
	h->ramdisk_image = h->ramdisk_size = 0;
	h->setup_data = 0;
	h->type_of_loader = TYPE_OF_LOADER_UNDEFINED;
	if (strlen(s->o.cmdline) > COMMAND_LINE_SIZE - 1)
		die("simulate: the command line is %zu bytes, the EFI entry takes %d", strlen(s->o.cmdline),
		    COMMAND_LINE_SIZE - 1);
	s->cmdline_len = strlen(s->o.cmdline);
	s->cmdline_addr = BELOW_4G;
	if (!allocate(s, EFI_ALLOCATE_MAX_ADDRESS, KD_EFI_LOADER_DATA, COMMAND_LINE_SIZE, &s->cmdline_addr,
		      "the command line"))
		return false;
	memcpy(phys(&s->mem, s->cmdline_addr, s->cmdline_len + 1), s->o.cmdline, s->cmdline_len + 1);
	h->cmd_line_ptr = (uint32_t)s->cmdline_addr;
	say(s, "  boot_params: our setup header, the initrd and setup_data QEMU may have patched in cleared, "
	    "type_of_loader=0x%x; the load options (%zu characters) as ASCII: cmd_line_ptr=0x%llx",
	    TYPE_OF_LOADER_UNDEFINED, s->cmdline_len, X(s->cmdline_addr));
	return true;
}

/* efi_initrd.c's LoadFile2 path: below initrd_addr_max when there is room, else anywhere. */
static bool load_initrd(struct sim *s)
{
	uint64_t size = s->o.initrd_size, addr = s->bp.hdr.initrd_addr_max;

	if (!size) {
		say(s, "  no initrd: no LoadFile2 on Linux's initrd device path, no initrd= option");
		return true;
	}
	if (!efi_fw_allocate(&s->fw, EFI_ALLOCATE_MAX_ADDRESS, KD_EFI_LOADER_DATA, size, &addr) &&
	    !allocate(s, EFI_ALLOCATE_ANY_PAGES, KD_EFI_LOADER_DATA, size, &addr, "the initrd"))
		return false;
	s->bp.hdr.ramdisk_image = (uint32_t)addr;
	s->bp.ext_ramdisk_image = (uint32_t)(addr >> 32);
	s->bp.hdr.ramdisk_size = (uint32_t)size;
	s->bp.ext_ramdisk_size = (uint32_t)(size >> 32);
	say(s, "  the initrd (%llu bytes) through LoadFile2 on Linux's initrd device path, below initrd_addr_max "
	    "0x%x if there is room: [0x%llx, 0x%llx)", X(size), s->bp.hdr.initrd_addr_max, X(addr), X(addr + size));
	return true;
}

/* A pool allocation (AllocatePool of loader data): pages of their own in this firmware. */
static bool allocate_pool(struct sim *s, uint64_t bytes, uint64_t *addr, const char *what)
{
	return allocate(s, EFI_ALLOCATE_ANY_PAGES, KD_EFI_LOADER_DATA, bytes, addr, what);
}

/* alloc_buffer: the map as it is now, where kd_efi_buffer_addr puts the buffer, AllocatePages there. */
static bool alloc_buffer(struct sim *s)
{
	struct kd_plan_kernel *k = &s->kernel;
	struct kd_efi_mmap m = { 0 };
	struct kd_report r = { 0 };
	uint64_t pool;
	enum kd_err err;

	kd_efi_map_reserve(&m, efi_fw_map_size(&s->fw), EFI_FW_DESC_SIZE);
	if (!allocate_pool(s, m.capacity, &pool, "a memory map to choose the buffer by"))
		return false;
	m.size = efi_fw_map_size(&s->fw);
	m.map = xmalloc(m.size);
	efi_fw_write_map(&s->fw, m.map);
	err = kd_efi_buffer_addr(&m, k, s->info.init_size, &s->buffer, &r);
	free(m.map);
	efi_fw_free(&s->fw, pool, m.capacity);
	if (err)
		return halt(s, "efi_main", "%s", r.why);
	say(s, "  the decompression buffer (kd_efi_buffer_addr): init_size 0x%x bytes, the lowest free %s at or "
	    "above the link address 0x%llx: 0x%llx", s->info.init_size,
	    k->relocatable ? "kernel_alignment slot" : "place (not relocatable: only the link address)", X(k->link),
	    X(s->buffer));
	return allocate(s, EFI_ALLOCATE_ADDRESS, KD_EFI_LOADER_CODE, s->info.init_size, &s->buffer,
			"the decompression buffer");
}

/* The final map and ExitBootServices (kd_efi_exit_boot_services), then efi_info and e820 (kd_efi_describe_memory). */
static bool exit_and_describe(struct sim *s)
{
	struct kd_efi_mmap m = { 0 };
	struct kd_report r = { 0 };
	struct kd_setup_data *ext;
	uint64_t ext_bytes;
	unsigned cap;
	efi_status st;

	kd_efi_map_reserve(&m, efi_fw_map_size(&s->fw), EFI_FW_DESC_SIZE);
	if (!allocate_pool(s, m.capacity, &s->memmap_addr, "the final memory map"))
		return false;
	cap = kd_efi_e820_cap(&m);
	ext_bytes = sizeof(*ext) + cap * sizeof(struct kd_e820_entry);
	if (!allocate_pool(s, ext_bytes, &s->ext_addr, "the e820 table beyond 128 entries (SETUP_E820_EXT)"))
		return false;
	trace_fw_map(s, "at ExitBootServices");
	m.map = xmalloc(m.capacity);
	st = kd_efi_exit_boot_services(efi_fw_boot_services(&s->fw), NULL, &m, &r);
	s->exit_calls = m.exit_calls;
	if (EFI_IS_ERROR(st)) {
		free(m.map);
		return halt(s, "efi_main", "%s", r.why);
	}
	say(s, "  GetMemoryMap into it (%llu bytes, key %llu), the map checked (kd_efi_map_check), ExitBootServices: "
	    "success after %u call%s", X(m.size), X(m.key), m.exit_calls, m.exit_calls == 1 ? "" : "s");

	ext = xmalloc(ext_bytes);
	memset(ext, 0, ext_bytes);
	s->e820_count = kd_efi_describe_memory(&s->bp, &m, &(struct kd_efi_handoff){ .systab = s->fw.systab,
			.bp_addr = s->bp_addr, .map_addr = s->memmap_addr, .ext_addr = s->ext_addr, .buffer = s->buffer,
			.init_size = s->info.init_size }, ext, cap);
	s->memmap_size = m.size;
	memcpy(phys(&s->mem, s->memmap_addr, m.size), m.map, m.size);
	memcpy(phys(&s->mem, s->ext_addr, ext_bytes), ext, ext_bytes);
	free(ext);
	free(m.map);
	say(s, "  efi_info: \"EL64\", system table 0x%llx, memory map 0x%llx (%llu bytes, descriptors of %d bytes, "
	    "version %u)", X(s->fw.systab), X(s->memmap_addr), X(s->memmap_size), EFI_FW_DESC_SIZE,
	    s->bp.efi_info.memdesc_version);
	say(s, "  e820 from the map (loader and boot services memory are RAM): %u entries%s", s->e820_count,
	    s->e820_count > KD_E820_MAX ? ", those beyond 128 in the SETUP_E820_EXT node, linked into setup_data" : "");
	trace_e820(s);
	return true;
}

bool step_efi(struct sim *s)
{
	say(s, "== firmware: UEFI (modelled on OVMF), and efi_main (boot/efi.c) while boot services run");
	if (s->o.efi_map_path)
		efi_fw_read_map(&s->fw, s->o.efi_map_path);
	else
		efi_fw_default_map(&s->fw, s->o.mem);
	trace_fw_map(s, s->o.efi_map_path ? "from --efi-map" : "for this --mem");
	if (!load_image(s) || !make_boot_params(s) || !load_initrd(s))
		return false;
	s->bp.secure_boot = KD_SECURE_BOOT_DISABLED;
	say(s, "  secure_boot=%d (no SecureBoot variable); no graphics output protocol: screen_info stays empty",
	    s->bp.secure_boot);
	if (!alloc_buffer(s) || !exit_and_describe(s))
		return false;
	memcpy(phys(&s->mem, s->bp_addr, sizeof(s->bp)), &s->bp, sizeof(s->bp));
	s->load = s->buffer;
	s->entry_64 = true;
	memcpy(phys(&s->mem, s->load, s->info.file_len), s->img.pm, s->info.file_len);
	say(s, "  enter_startup_64: the protected-mode part (file_len 0x%x bytes) copied to the buffer's start 0x%llx; "
	    "cli; jump to its startup_64 with %%rsi = boot_params 0x%llx", s->info.file_len, X(s->load), X(s->bp_addr));
	return true;
}
