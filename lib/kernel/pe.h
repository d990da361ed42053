/* SPDX-License-Identifier: MIT */
/*
 * The PE/COFF header a kdecomp image carries so UEFI firmware and EFI boot
 * loaders take it as an EFI application, while it stays a bzImage (PE
 * Format: "MS-DOS Stub", "Signature", "COFF File Header", "Optional Header
 * (Image Only)", "Section Table"; UEFI 2.10 section 2.1.1 for the EFI
 * subsystem).
 *
 * The image, as both formats read it:
 *
 *   0x000  MZ header: e_magic "MZ", e_lfanew at 0x3c -> KD_PE_OFFSET
 *   0x040  "PE\0\0", COFF header, PE32+ optional header, section table
 *          (all of it before the setup header at 0x1f1)
 *   0x1f1  the setup header (bootparam.h)
 *   0x1000 the protected-mode part (head | payload | main): section .text,
 *          RVA = file offset, so a PE loader places every byte of it where
 *          the bzImage layout puts it; its virtual size adds main's .bss
 *
 * kdecomp pack writes every field (tools/pack.c); `inspect` reads them.
 */
#ifndef KD_PE_H
#define KD_PE_H
#include "kd.h"

#define KD_MZ_MAGIC		0x5a4d		/* "MZ" */
#define KD_MZ_LFANEW		0x3c		/* where the PE header's offset is */
#define KD_PE_OFFSET		0x40		/* where ours is: right after the MZ header */
#define KD_PE_MAGIC		0x00004550	/* "PE\0\0" */
#define KD_PE_MACHINE_X86_64	0x8664
#define KD_PE_OPT_MAGIC_PE32P	0x020b

/* COFF Characteristics */
#define KD_PE_EXECUTABLE_IMAGE	0x0002
#define KD_PE_LINE_NUMS_STRIPPED 0x0004
#define KD_PE_LARGE_ADDRESS_AWARE 0x0020
#define KD_PE_DEBUG_STRIPPED	0x0200
/* not set: RELOCS_STRIPPED (0x0001) would forbid the firmware to load us anywhere but ImageBase */

#define KD_PE_SUBSYSTEM_EFI_APPLICATION 10
/* DllCharacteristics stays 0: not NX_COMPAT, our one section is written (main's .bss) and run */

/* Section Characteristics */
#define KD_PE_SCN_CNT_CODE	0x00000020
#define KD_PE_SCN_MEM_EXECUTE	0x20000000
#define KD_PE_SCN_MEM_READ	0x40000000
#define KD_PE_SCN_MEM_WRITE	0x80000000

/*
 * MajorImageVersion 1 is how Linux's EFI stub says "take my native entry
 * and hand me the initrd through LoadFile2" (systemd-stub, GRUB 2.12 read
 * it); a 0 sends such loaders to the handover entry.
 */
#define KD_PE_IMAGE_VERSION_MAJOR 1

#define KD_PE_SECTION_ALIGN	4096
#define KD_PE_FILE_ALIGN	512
/* The image base the header names; the firmware relocates us anywhere and we need no fixups. */
#define KD_PE_IMAGE_BASE	0x100000ull

/* Data directories: through the certificate table (4), which signing tools fill, and base relocations (5). */
#define KD_PE_DIR_SECURITY	4
#define KD_PE_DIR_BASERELOC	5
#define KD_PE_NUM_DIRS		6
#define KD_PE_NUM_SECTIONS	1

struct kd_coff_header {
	uint16_t machine;
	uint16_t number_of_sections;
	uint32_t time_date_stamp;
	uint32_t pointer_to_symbol_table;
	uint32_t number_of_symbols;
	uint16_t size_of_optional_header;
	uint16_t characteristics;
} __attribute__((packed));

struct kd_pe_data_dir {
	uint32_t rva;
	uint32_t size;
} __attribute__((packed));

/* The PE32+ optional header: standard fields, Windows-specific fields, data directories. */
struct kd_pe_opt_header {
	uint16_t magic;
	uint8_t  major_linker_version, minor_linker_version;
	uint32_t size_of_code;
	uint32_t size_of_initialized_data;
	uint32_t size_of_uninitialized_data;
	uint32_t address_of_entry_point;
	uint32_t base_of_code;
	uint64_t image_base;
	uint32_t section_alignment;
	uint32_t file_alignment;
	uint16_t major_os_version, minor_os_version;
	uint16_t major_image_version, minor_image_version;
	uint16_t major_subsystem_version, minor_subsystem_version;
	uint32_t win32_version_value;
	uint32_t size_of_image;
	uint32_t size_of_headers;
	uint32_t checksum;
	uint16_t subsystem;
	uint16_t dll_characteristics;
	uint64_t size_of_stack_reserve, size_of_stack_commit;
	uint64_t size_of_heap_reserve, size_of_heap_commit;
	uint32_t loader_flags;
	uint32_t number_of_rva_and_sizes;
	struct kd_pe_data_dir dir[KD_PE_NUM_DIRS];
} __attribute__((packed));

struct kd_pe_section {
	char     name[8];
	uint32_t virtual_size;
	uint32_t virtual_address;
	uint32_t size_of_raw_data;
	uint32_t pointer_to_raw_data;
	uint32_t pointer_to_relocations;
	uint32_t pointer_to_linenumbers;
	uint16_t number_of_relocations;
	uint16_t number_of_linenumbers;
	uint32_t characteristics;
} __attribute__((packed));

/* Everything from the signature on, as it sits at KD_PE_OFFSET. */
struct kd_pe_header {
	uint32_t signature;
	struct kd_coff_header coff;
	struct kd_pe_opt_header opt;
	struct kd_pe_section section[KD_PE_NUM_SECTIONS];
} __attribute__((packed));

_Static_assert(sizeof(struct kd_coff_header) == 20, "COFF header");
_Static_assert(offsetof(struct kd_pe_opt_header, image_base) == 24, "PE32+ standard fields");
_Static_assert(offsetof(struct kd_pe_opt_header, size_of_image) == 56, "SizeOfImage");
_Static_assert(offsetof(struct kd_pe_opt_header, subsystem) == 68, "Subsystem");
_Static_assert(offsetof(struct kd_pe_opt_header, dir) == 112, "data directories");
_Static_assert(sizeof(struct kd_pe_section) == 40, "section header");
/* The PE header must end before the setup header, which loaders read at a fixed offset. */
_Static_assert(KD_PE_OFFSET + sizeof(struct kd_pe_header) <= 0x1f1, "PE header overlaps the setup header");
_Static_assert(KD_PE_OFFSET >= KD_MZ_LFANEW + 4, "PE header overlaps the MZ header");

/*
 * Reading any image's PE header (ours or Linux's, which may carry more
 * directories and sections): the header up to the data directories, and
 * the section table where SizeOfOptionalHeader puts it, both inside the
 * file; NULL / 0 sections when not.
 */
struct kd_pe_view {
	const struct kd_coff_header *coff;
	const struct kd_pe_opt_header *opt;	/* fields up to the directories; dir[] only if the size says so */
	const struct kd_pe_section *sections;
	unsigned n_sections;
};

static inline bool kd_pe_read(const uint8_t *image, size_t len, struct kd_pe_view *v)
{
	size_t off, opt_off, sec_off;

	if (len < KD_MZ_LFANEW + 4 || kd_get_le16(image) != KD_MZ_MAGIC)
		return false;
	off = kd_get_le32(image + KD_MZ_LFANEW);
	opt_off = off + 4 + sizeof(struct kd_coff_header);
	if (off > len || len - off < 4 + sizeof(struct kd_coff_header) + offsetof(struct kd_pe_opt_header, dir) ||
	    kd_get_le32(image + off) != KD_PE_MAGIC)
		return false;
	v->coff = (const struct kd_coff_header *)(image + off + 4);
	v->opt = (const struct kd_pe_opt_header *)(image + opt_off);
	if (v->opt->magic != KD_PE_OPT_MAGIC_PE32P)
		return false;
	sec_off = opt_off + v->coff->size_of_optional_header;
	v->sections = (const struct kd_pe_section *)(image + sec_off);
	v->n_sections = sec_off <= len ? v->coff->number_of_sections : 0;
	if (v->n_sections > (len - sec_off) / sizeof(struct kd_pe_section))
		v->n_sections = 0;
	return true;
}
#endif
