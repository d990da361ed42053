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
#include "efi_map.h"

#define TYPE_OF_LOADER_UNDEFINED 0xff
#define BELOW_4G		 0xffffffffull
/* GetMemoryMap's buffer: room for the descriptors our own allocations add before the final call. */
#define MAP_SLACK_DESCS		 16

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

/* The memory map into m->map (allocated by alloc_memory_map). */
static efi_status get_memory_map(const struct efi_boot *eb, struct efi_mmap *m)
{
	m->size = m->capacity;
	return eb->bs->get_memory_map(&m->size, m->map, &m->key, &m->desc_size, &m->desc_version);
}

static efi_status alloc_memory_map(const struct efi_boot *eb, struct efi_mmap *m)
{
	uint64_t size = 0, key, desc_size = 0;
	uint32_t version;
	efi_status s = eb->bs->get_memory_map(&size, NULL, &key, &desc_size, &version);

	if (s != EFI_BUFFER_TOO_SMALL)
		return efi_fail(eb, "GetMemoryMap does not say how large the map is", s);
	m->capacity = size + MAP_SLACK_DESCS * desc_size;
	s = eb->bs->allocate_pool(KD_EFI_LOADER_DATA, m->capacity, (void **)&m->map);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "no memory for the memory map", s);
	return EFI_SUCCESS;
}

/*
 * The buffer startup_64 decompresses in: init_size bytes at kernel_alignment,
 * never below the kernel's link address (kd_plan_target would round up to
 * it), and exactly there for a kernel that is not relocatable.  Loader
 * code, not data: the stub runs there, and firmware may map data pages
 * non-executable.  The kernel's preferred address first, else the lowest
 * free slot the memory map shows.
 */
static efi_status alloc_buffer(const struct efi_boot *eb, uint64_t *dest)
{
	const struct kd_head_info *info = head_info(eb->head);
	uint64_t pages = efi_pages(info->init_size);
	struct efi_mmap m;
	efi_status s;

	*dest = info->link;
	if (!EFI_IS_ERROR(eb->bs->allocate_pages(EFI_ALLOCATE_ADDRESS, KD_EFI_LOADER_CODE, pages, dest)))
		return EFI_SUCCESS;
	if (!(info->flags & HEAD_RELOCATABLE))
		return efi_fail(eb, "the kernel is not relocatable and its link address is not free memory",
				EFI_OUT_OF_RESOURCES);
	s = alloc_memory_map(eb, &m);
	if (EFI_IS_ERROR(s))
		return s;
	s = get_memory_map(eb, &m);
	*dest = EFI_IS_ERROR(s) ? 0 : kd_efi_lowest_free(m.map, m.size, m.desc_size, pages << KD_EFI_PAGE_SHIFT,
							   info->align, info->link);
	eb->bs->free_pool(m.map);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "GetMemoryMap failed", s);
	if (!*dest || EFI_IS_ERROR(s = eb->bs->allocate_pages(EFI_ALLOCATE_ADDRESS, KD_EFI_LOADER_CODE, pages, dest)))
		return efi_fail(eb, "no memory for the decompression buffer (init_size at kernel_alignment)",
				*dest ? s : EFI_OUT_OF_RESOURCES);
	return EFI_SUCCESS;
}

/*
 * A SETUP_E820_EXT node for the e820 entries beyond boot_params' 128, sized
 * for every descriptor the final map can have; linked only if needed.
 */
static efi_status alloc_e820_ext(const struct efi_boot *eb, const struct efi_mmap *m, struct kd_setup_data **ext,
				 unsigned *cap)
{
	efi_status s;

	*cap = m->capacity / m->desc_size;
	s = eb->bs->allocate_pool(KD_EFI_LOADER_DATA, sizeof(**ext) + *cap * sizeof(struct kd_e820_entry),
				  (void **)ext);
	return EFI_IS_ERROR(s) ? efi_fail(eb, "no memory for the e820 table", s) : EFI_SUCCESS;
}

/*
 * The final memory map and ExitBootServices.  If the map changed between
 * the two (an event handler allocated), the key is stale and the call fails
 * with EFI_INVALID_PARAMETER; then only GetMemoryMap and ExitBootServices
 * may be called: fetch the map into the same buffer and try once more.
 */
static efi_status exit_boot_services(const struct efi_boot *eb, struct efi_mmap *m)
{
	efi_status s = get_memory_map(eb, m);

	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "GetMemoryMap failed", s);
	s = eb->bs->exit_boot_services(eb->image, m->key);
	if (s == EFI_INVALID_PARAMETER) {
		s = get_memory_map(eb, m);
		if (!EFI_IS_ERROR(s))
			s = eb->bs->exit_boot_services(eb->image, m->key);
	}
	if (EFI_IS_ERROR(s)) {
		/* the firmware console may be gone by now: say it on the serial port */
		warn_value("EFI: ExitBootServices failed twice, status", s);
		return s;
	}
	return EFI_SUCCESS;
}

/* What the kernel learns of the firmware: efi_info and the e820 table, from the final map. */
static void describe_memory(struct kd_boot_params *bp, const struct efi_system_table *st, const struct efi_mmap *m,
			    struct kd_setup_data *ext, unsigned cap)
{
	struct kd_e820_entry *e = (struct kd_e820_entry *)ext->data;
	unsigned n = kd_efi_to_e820(m->map, m->size, m->desc_size, e, cap);

	bp->efi_info = (struct kd_efi_info){
		.loader_signature = KD_EFI64_SIGNATURE,
		.systab = (uint32_t)(uintptr_t)st, .systab_hi = (uint32_t)((uintptr_t)st >> 32),
		.memdesc_size = (uint32_t)m->desc_size, .memdesc_version = m->desc_version,
		.memmap = (uint32_t)(uintptr_t)m->map, .memmap_hi = (uint32_t)((uintptr_t)m->map >> 32),
		.memmap_size = (uint32_t)m->size,
	};
	if (n > cap)
		n = cap;
	bp->e820_entries = n < KD_E820_MAX ? n : KD_E820_MAX;
	kd_memcpy(bp->e820_table, e, bp->e820_entries * sizeof(*e));
	if (n > KD_E820_MAX) {
		kd_memmove(e, e + KD_E820_MAX, (n - KD_E820_MAX) * sizeof(*e));
		ext->type = KD_SETUP_E820_EXT;
		ext->len = (n - KD_E820_MAX) * sizeof(*e);
		ext->next = bp->hdr.setup_data;
		bp->hdr.setup_data = (uintptr_t)ext;
	}
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
	struct efi_mmap m;
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
	describe_memory(eb.bp, st, &m, ext, cap);
	enter_startup_64(eb.head, dest, eb.bp);
}
