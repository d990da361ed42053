// SPDX-License-Identifier: MIT
/*
 * The EFI entries: what the stub does while the firmware's boot services
 * still run, up to the point where it joins the 64-bit path every other
 * loader takes (startup_64 with %rsi = boot_params).
 *
 *   efi_pe_entry (native: the firmware started us as an EFI application)
 *       boot_params allocated and filled from our setup header
 *       the command line from the loaded image's load options
 *   efi_handover_entry (a loader that filled boot_params itself: GRUB's
 *       linuxefi) joins here
 *       the initrd, unless the loader gave one            efi_initrd.c
 *       Secure Boot state; the GOP framebuffer             efi_video.c
 *       the decompression buffer: init_size bytes of loader memory at
 *           kernel_alignment, at or above LOAD_PHYSICAL_ADDR
 *       the final memory map -> ExitBootServices -> efi_info, e820
 *       the protected-mode part copied to the buffer; startup_64 there
 *
 * Both run in place, wherever the loader put the image, in the firmware's
 * long mode, identity map and stack; main_64.S cleared main's .bss first.
 * Every failure before ExitBootServices prints on the firmware console
 * (which also reaches the serial port on the machines we boot) and
 * returns an EFI status to the loader.
 */
#include "boot.h"
#include "efi.h"
#include "efi_boot.h"

#define TYPE_OF_LOADER_UNDEFINED 0xff
#define BELOW_4G		 0xffffffffull

extern const uint8_t main_entry[], efi_handover_entry[];

static const efi_guid loaded_image_guid = EFI_LOADED_IMAGE_GUID;
static const efi_guid global_variable_guid = EFI_GLOBAL_VARIABLE_GUID;

/* Text on the firmware console: ASCII widened to UCS-2 a piece at a time, "\n" as "\r\n". */
void efi_puts(const struct efi_boot *eb, const char *s)
{
	efi_char16 buf[64];
	size_t n = 0;

	if (!eb->st->con_out)
		return;
	for (;; s++) {
		if (n >= sizeof(buf) / sizeof(buf[0]) - 3 || !*s) {
			buf[n] = 0;
			eb->st->con_out->output_string(eb->st->con_out, buf);
			n = 0;
		}
		if (!*s)
			break;
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (uint8_t)*s;
	}
}

efi_status efi_fail(const struct efi_boot *eb, const char *what, efi_status s)
{
	char hex[19];

	format_hex(hex, s);
	efi_puts(eb, "kdecomp: EFI: ");
	efi_puts(eb, what);
	efi_puts(eb, " (status ");
	efi_puts(eb, hex);
	efi_puts(eb, ")\n");
	return EFI_IS_ERROR(s) ? s : EFI_LOAD_ERROR;
}

static uint64_t efi_pages(uint64_t bytes)
{
	return (bytes + (1u << KD_EFI_PAGE_SHIFT) - 1) >> KD_EFI_PAGE_SHIFT;
}

efi_status efi_alloc_pages(const struct efi_boot *eb, uint32_t mem_type, uint64_t size, uint64_t max, uint64_t *addr)
{
	*addr = max;
	return eb->bs->allocate_pages(max == UINT64_MAX ? EFI_ALLOCATE_ANY_PAGES : EFI_ALLOCATE_MAX_ADDRESS, mem_type,
				      efi_pages(size), addr);
}

/* The image as the loader placed it: our protected-mode part, checked against the code now running. */
static efi_status find_head(struct efi_boot *eb, const struct kd_boot_params *loader_bp)
{
	const uint8_t *head;

	if (loader_bp) {
		/* handover: the entry is at startup_32 + handover_offset + 0x200 (boot protocol) */
		head = efi_handover_entry - STARTUP_64 - loader_bp->hdr.handover_offset;
	} else {
		const uint8_t *image = eb->li->image_base;

		head = image + (image[KD_SETUP_HEADER_OFFSET] + 1) * KD_SECTOR;
	}
	if (kd_memcmp(head_info(head)->magic, "KDHEAD01", 8) != 0 || head + head_info(head)->main_off != main_entry)
		return efi_fail(eb, "the image is not where the loader says it is", EFI_LOAD_ERROR);
	eb->head = head;
	return EFI_SUCCESS;
}

/* UCS-2 load options to an ASCII command line: characters beyond ASCII become '?'. */
static efi_status make_cmdline(struct efi_boot *eb)
{
	const efi_char16 *opt = eb->li->load_options;
	size_t n = opt ? eb->li->load_options_size / sizeof(*opt) : 0;
	uint64_t addr;
	char *cmd;
	efi_status s;

	if (n > COMMAND_LINE_SIZE - 1)
		n = COMMAND_LINE_SIZE - 1;
	s = efi_alloc_pages(eb, KD_EFI_LOADER_DATA, COMMAND_LINE_SIZE, BELOW_4G, &addr);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "no memory for the command line", s);
	cmd = (char *)(uintptr_t)addr;
	for (size_t i = 0; i < n && opt[i]; i++)
		*cmd++ = opt[i] < 0x80 ? (char)opt[i] : '?';
	*cmd = 0;
	eb->bp->hdr.cmd_line_ptr = (uint32_t)addr;
	return EFI_SUCCESS;
}

/* Native entry: a zeroed boot_params with our setup header, as a BIOS loader would build it. */
static efi_status make_boot_params(struct efi_boot *eb)
{
	const uint8_t *image = eb->li->image_base;
	uint64_t addr;
	efi_status s;

	s = efi_alloc_pages(eb, KD_EFI_LOADER_DATA, sizeof(*eb->bp), BELOW_4G, &addr);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "no memory for boot_params", s);
	eb->bp = (struct kd_boot_params *)(uintptr_t)addr;
	kd_memset(eb->bp, 0, sizeof(*eb->bp));
	kd_memcpy(&eb->bp->hdr, image + KD_SETUP_HEADER_OFFSET, sizeof(eb->bp->hdr));
	/*
	 * What a BIOS-style loader wrote into the header is not ours: QEMU
	 * patches the initrd and setup_data of its legacy layout into the file
	 * it hands OVMF, addresses that mean nothing here.
	 */
	eb->bp->hdr.ramdisk_image = 0;
	eb->bp->hdr.ramdisk_size = 0;
	eb->bp->hdr.setup_data = 0;
	eb->bp->hdr.type_of_loader = TYPE_OF_LOADER_UNDEFINED;
	return make_cmdline(eb);
}

/*
 * boot_params.secure_boot as Linux defines it: 2 disabled (also in setup
 * mode, where anyone may enrol keys), 3 enabled, 1 unknown (the variable
 * could not be read).
 */
static void read_secure_boot(struct efi_boot *eb)
{
	static const efi_char16 secure_boot[] = u"SecureBoot", setup_mode[] = u"SetupMode";
	uint8_t sb = 0, setup = 0;
	uint64_t size = 1;
	efi_status s;

	s = eb->st->runtime_services->get_variable(secure_boot, &global_variable_guid, NULL, &size, &sb);
	if (s == EFI_NOT_FOUND) {
		eb->bp->secure_boot = KD_SECURE_BOOT_DISABLED;
		return;
	}
	if (EFI_IS_ERROR(s)) {
		eb->bp->secure_boot = KD_SECURE_BOOT_UNKNOWN;
		return;
	}
	size = 1;
	s = eb->st->runtime_services->get_variable(setup_mode, &global_variable_guid, NULL, &size, &setup);
	eb->bp->secure_boot = sb && !(s == EFI_SUCCESS && setup) ? KD_SECURE_BOOT_ENABLED : KD_SECURE_BOOT_DISABLED;
}

/* A buffer for the memory map, sized by what the firmware says the map is now (kd_efi_map_reserve). */
static efi_status alloc_memory_map(const struct efi_boot *eb, struct kd_efi_mmap *m)
{
	uint64_t size = 0, key, desc_size = 0;
	uint32_t version;
	efi_status s = eb->bs->get_memory_map(&size, NULL, &key, &desc_size, &version);

	if (s != EFI_BUFFER_TOO_SMALL)
		return efi_fail(eb, "GetMemoryMap does not say how large the map is", s);
	kd_efi_map_reserve(m, size, desc_size);
	s = eb->bs->allocate_pool(KD_EFI_LOADER_DATA, m->capacity, (void **)&m->map);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "no memory for the memory map", s);
	return EFI_SUCCESS;
}

/*
 * The buffer startup_64 decompresses in, where the memory map shows room
 * (kd_efi_buffer_addr).  Loader code, not data: the stub runs there, and
 * firmware may map data pages non-executable.
 */
static efi_status alloc_buffer(const struct efi_boot *eb, uint64_t *dest)
{
	const struct kd_head_info *info = head_info(eb->head);
	struct kd_plan_kernel k = head_plan_kernel(info);
	struct kd_efi_mmap m;
	struct kd_report r;
	efi_status s;

	if (EFI_IS_ERROR(s = alloc_memory_map(eb, &m)))
		return s;
	m.size = m.capacity;
	s = eb->bs->get_memory_map(&m.size, m.map, &m.key, &m.desc_size, &m.desc_version);
	if (EFI_IS_ERROR(s)) {
		eb->bs->free_pool(m.map);
		return efi_fail(eb, "GetMemoryMap failed", s);
	}
	if (kd_efi_buffer_addr(&m, &k, info->init_size, dest, &r) != KD_OK)
		s = EFI_OUT_OF_RESOURCES;
	eb->bs->free_pool(m.map);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, r.why, s);
	s = eb->bs->allocate_pages(EFI_ALLOCATE_ADDRESS, KD_EFI_LOADER_CODE, efi_pages(info->init_size), dest);
	return EFI_IS_ERROR(s) ? efi_fail(eb, "AllocatePages refused the free range the memory map showed", s)
			       : EFI_SUCCESS;
}

/*
 * A SETUP_E820_EXT node for the e820 entries beyond boot_params' 128, sized
 * for every descriptor the final map can have; linked only if needed.
 */
static efi_status alloc_e820_ext(const struct efi_boot *eb, const struct kd_efi_mmap *m, struct kd_setup_data **ext,
				 unsigned *cap)
{
	efi_status s;

	*cap = kd_efi_e820_cap(m);
	s = eb->bs->allocate_pool(KD_EFI_LOADER_DATA, sizeof(**ext) + *cap * sizeof(struct kd_e820_entry),
				  (void **)ext);
	return EFI_IS_ERROR(s) ? efi_fail(eb, "no memory for the e820 table", s) : EFI_SUCCESS;
}

/*
 * The final memory map and ExitBootServices (kd_efi_exit_boot_services).
 * A failure before the first call is said on the firmware console; after
 * it the console may be gone, so on the serial port.
 */
static efi_status exit_boot_services(const struct efi_boot *eb, struct kd_efi_mmap *m)
{
	struct kd_report r;
	efi_status s = kd_efi_exit_boot_services(eb->bs, eb->image, m, &r);

	if (!EFI_IS_ERROR(s))
		return EFI_SUCCESS;
	if (!m->exit_calls)
		return efi_fail(eb, r.why, s);
	warn_value(r.why, s);
	return s;
}

/* Into the path every loader shares: the protected-mode part at the buffer's start, startup_64 there. */
static __attribute__((noreturn)) void enter_startup_64(const uint8_t *head, uint64_t dest, struct kd_boot_params *bp)
{
	kd_memcpy((void *)(uintptr_t)dest, head, head_info(head)->file_len);
	__asm__ volatile("cli; jmp *%0" : : "r"(dest + STARTUP_64), "S"(bp) : "memory");
	__builtin_unreachable();
}

efi_status efi_main(efi_handle image, struct efi_system_table *st, struct kd_boot_params *loader_bp)
{
	struct efi_boot eb = { .image = image, .st = st, .bs = st->boot_services, .bp = loader_bp };
	struct kd_setup_data *ext;
	struct kd_efi_mmap m;
	uint64_t dest;
	unsigned cap;
	efi_status s;

	s = eb.bs->handle_protocol(image, &loaded_image_guid, (void **)&eb.li);
	if (EFI_IS_ERROR(s))
		return efi_fail(&eb, "no loaded image protocol on our handle", s);
	if (EFI_IS_ERROR(s = find_head(&eb, loader_bp)))
		return s;

	if (!loader_bp && EFI_IS_ERROR(s = make_boot_params(&eb)))
		return s;
	if (console_port(eb.bp))	/* progress, as the serial console shows it later */
		efi_puts(&eb, loader_bp ? "kdecomp: EFI handover entry\n" : "kdecomp: EFI native entry\n");
	if (!kd_initrd_size(eb.bp) && EFI_IS_ERROR(s = efi_load_initrd(&eb)))
		return s;
	read_secure_boot(&eb);
	efi_setup_graphics(&eb);
	if (EFI_IS_ERROR(s = alloc_buffer(&eb, &dest)))
		return s;
	if (EFI_IS_ERROR(s = alloc_memory_map(&eb, &m)) || EFI_IS_ERROR(s = alloc_e820_ext(&eb, &m, &ext, &cap)))
		return s;
	if (EFI_IS_ERROR(s = exit_boot_services(&eb, &m)))
		return s;
	kd_efi_describe_memory(eb.bp, &m, &(struct kd_efi_handoff){ .systab = (uintptr_t)st, .bp_addr = (uintptr_t)eb.bp,
			       .map_addr = (uintptr_t)m.map, .ext_addr = (uintptr_t)ext, .buffer = dest,
			       .init_size = head_info(eb.head)->init_size }, ext, cap);
	enter_startup_64(eb.head, dest, eb.bp);
}
