// SPDX-License-Identifier: MIT
/*
 * kdecomp inspect IMAGE [--json]: every setup-header field under the name
 * the boot protocol gives it (Documentation/arch/x86/boot.rst), the PE
 * header that makes the image an EFI application (pe.h), then the
 * payload, and, when the payload decodes, the kernel ELF inside it and its
 * relocation table.  Given a vmlinux ELF, just the ELF part.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "elf64.h"
#include "pe.h"
#include "tools.h"

static const char *const loadflag_names[8] = {
	[0] = "LOADED_HIGH", [1] = "KASLR_FLAG", [5] = "QUIET_FLAG", [6] = "KEEP_SEGMENTS", [7] = "CAN_USE_HEAP",
};

static const char *const xloadflag_names[7] = {
	"XLF_KERNEL_64", "XLF_CAN_BE_LOADED_ABOVE_4G", "XLF_EFI_HANDOVER_32", "XLF_EFI_HANDOVER_64",
	"XLF_EFI_KEXEC", "XLF_5LEVEL", "XLF_5LEVEL_ENABLED",
};

static const char *segment_type_name(uint32_t type)
{
	switch (type) {
	case 0: return "NULL";
	case 1: return "LOAD";
	case 2: return "DYNAMIC";
	case 3: return "INTERP";
	case 4: return "NOTE";
	case 6: return "PHDR";
	case 7: return "TLS";
	case 0x6474e550: return "GNU_EH_FRAME";
	case 0x6474e551: return "GNU_STACK";
	case 0x6474e552: return "GNU_RELRO";
	case 0x6474e553: return "GNU_PROPERTY";
	default: return "OTHER";
	}
}

static void segment_flags(uint32_t flags, char out[4])
{
	out[0] = flags & KD_ELF_PF_R ? 'R' : '-';
	out[1] = flags & KD_ELF_PF_W ? 'W' : '-';
	out[2] = flags & KD_ELF_PF_X ? 'X' : '-';
	out[3] = 0;
}

/* Every program header, not only the PT_LOADs kd_elf_read keeps (it has checked the table's bounds). */
static void emit_program_headers(struct emit *e, const uint8_t *elf)
{
	uint64_t phoff = kd_get_le64(elf + KD_ELF_E_PHOFF);
	unsigned phnum = kd_get_le16(elf + KD_ELF_E_PHNUM);

	emit_array(e, "program_headers");
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = elf + phoff + (size_t)i * KD_ELF_PHDR_SIZE;
		char flags[4];

		segment_flags(kd_get_le32(ph + KD_ELF_P_FLAGS), flags);
		emit_item(e);
		emit_cstr(e, "type", segment_type_name(kd_get_le32(ph + KD_ELF_P_TYPE)));
		emit_cstr(e, "flags", flags);
		emit_num(e, "offset", kd_get_le64(ph + KD_ELF_P_OFFSET), true);
		emit_num(e, "vaddr", kd_get_le64(ph + KD_ELF_P_VADDR), true);
		emit_num(e, "paddr", kd_get_le64(ph + KD_ELF_P_PADDR), true);
		emit_num(e, "filesz", kd_get_le64(ph + KD_ELF_P_FILESZ), true);
		emit_num(e, "memsz", kd_get_le64(ph + KD_ELF_P_MEMSZ), true);
		emit_num(e, "align", kd_get_le64(ph + KD_ELF_P_ALIGN), true);
		emit_item_end(e);
	}
	emit_close(e);
}

static void emit_kernel(struct emit *e, const struct kernel *k)
{
	emit_object(e, "elf");
	emit_num(e, "entry", k->elf.entry, true);
	emit_num(e, "size", k->elf.file_end, false);
	emit_num(e, "mem_start", k->elf.mem_start, true);
	emit_num(e, "mem_end", k->elf.mem_end, true);
	emit_program_headers(e, k->data.data);
	emit_close(e);

	emit_object(e, "relocs");
	if (k->relocs_error[0])
		emit_cstr(e, "error", k->relocs_error);
	else
		emit_cstr(e, "layout", kd_relocs_layout_name(k->relocs.layout));
	emit_num(e, "offset", k->relocs.start, true);
	emit_num(e, "size", k->relocs.end - k->relocs.start, false);
	emit_num(e, "count_32", k->relocs.n32, false);
	emit_num(e, "count_32_inverse", k->relocs.n32inv, false);
	emit_num(e, "count_64", k->relocs.n64, false);
	emit_close(e);
}

#define FIELD(name) emit_num(e, #name, h->name, true)
#define FIELD_DEC(name) emit_num(e, #name, h->name, false)

static void emit_setup_header(struct emit *e, const struct kd_bzimage *img)
{
	const struct kd_setup_header *h = &img->hdr;
	char version[16];

	FIELD_DEC(setup_sects);
	FIELD(root_flags);
	FIELD(syssize);
	FIELD(ram_size);
	FIELD(vid_mode);
	FIELD(root_dev);
	FIELD(boot_flag);
	FIELD(jump);
	FIELD(header);
	snprintf(version, sizeof(version), "%u.%02u", h->version >> 8, h->version & 0xff);
	emit_num_noted(e, "version", h->version, "string", version);
	FIELD(realmode_swtch);
	FIELD(start_sys_seg);
	if (img->version)
		emit_num_noted(e, "kernel_version", h->kernel_version, "string", img->version);
	else
		FIELD(kernel_version);
	FIELD(type_of_loader);
	emit_flags(e, "loadflags", h->loadflags, loadflag_names, KD_ARRAY_SIZE(loadflag_names));
	FIELD(setup_move_size);
	FIELD(code32_start);
	FIELD(ramdisk_image);
	FIELD(ramdisk_size);
	FIELD(bootsect_kludge);
	FIELD(heap_end_ptr);
	FIELD(ext_loader_ver);
	FIELD(ext_loader_type);
	FIELD(cmd_line_ptr);
	FIELD(initrd_addr_max);
	FIELD(kernel_alignment);
	FIELD(relocatable_kernel);
	FIELD(min_alignment);
	emit_flags(e, "xloadflags", h->xloadflags, xloadflag_names, KD_ARRAY_SIZE(xloadflag_names));
	FIELD_DEC(cmdline_size);
	FIELD(hardware_subarch);
	FIELD(hardware_subarch_data);
	FIELD(payload_offset);
	FIELD_DEC(payload_length);
	FIELD(setup_data);
	FIELD(pref_address);
	FIELD(init_size);
	FIELD(handover_offset);
	FIELD(kernel_info_offset);
}

static const char *pe_subsystem_name(uint16_t subsystem)
{
	switch (subsystem) {
	case KD_PE_SUBSYSTEM_EFI_APPLICATION: return "EFI application";
	case 11: return "EFI boot service driver";
	case 12: return "EFI runtime driver";
	default: return "not EFI";
	}
}

/*
 * The PE/COFF header that makes a bzImage an EFI application too: what a
 * UEFI loader reads (entry point, image version: 1 means the native entry
 * is preferred), its sections, and the EFI handover entry the setup header
 * names (64-bit: protected-mode start + handover_offset + 0x200).
 */
static void emit_pe(struct emit *e, const struct kd_bzimage *img)
{
	struct kd_pe_view v;
	char version[16];

	if (!kd_pe_read(img->data, img->len, &v)) {
		emit_cstr(e, "pe", "none");
		return;
	}
	emit_object(e, "pe");
	emit_num(e, "machine", v.coff->machine, true);
	emit_num_noted(e, "subsystem", v.opt->subsystem, "name", pe_subsystem_name(v.opt->subsystem));
	snprintf(version, sizeof(version), "%u.%u", v.opt->major_image_version, v.opt->minor_image_version);
	emit_cstr(e, "image_version", version);
	emit_num(e, "entry_point", v.opt->address_of_entry_point, true);
	emit_num(e, "image_base", v.opt->image_base, true);
	emit_num(e, "section_alignment", v.opt->section_alignment, true);
	emit_num(e, "file_alignment", v.opt->file_alignment, true);
	emit_num(e, "size_of_image", v.opt->size_of_image, true);
	emit_num(e, "size_of_headers", v.opt->size_of_headers, true);
	if (img->hdr.xloadflags & KD_XLF_EFI_HANDOVER_64)
		emit_num(e, "handover_entry_64", img->setup_size + img->hdr.handover_offset + KD_STARTUP_64_OFFSET, true);
	emit_array(e, "sections");
	for (unsigned i = 0; i < v.n_sections; i++) {
		const struct kd_pe_section *sec = &v.sections[i];

		emit_item(e);
		emit_str(e, "name", sec->name, strnlen(sec->name, sizeof(sec->name)));
		emit_num(e, "virtual_address", sec->virtual_address, true);
		emit_num(e, "virtual_size", sec->virtual_size, true);
		emit_num(e, "file_offset", sec->pointer_to_raw_data, true);
		emit_num(e, "file_size", sec->size_of_raw_data, true);
		emit_num(e, "characteristics", sec->characteristics, true);
		emit_item_end(e);
	}
	emit_close(e);
	emit_close(e);
}

static void inspect_bzimage(struct emit *e, const struct kd_bzimage *img)
{
	struct kernel k;
	char msg[512];

	emit_cstr(e, "type", "bzImage");
	emit_setup_header(e, img);
	emit_num(e, "setup_size", img->setup_size, true);
	emit_pe(e, img);
	emit_num(e, "payload_start", (uint64_t)(img->payload - img->data), true);
	emit_cstr(e, "compression", kd_format_name(img->format));
	emit_num(e, "decompressed_size", kd_payload_out_len(img), false);
	if (kernel_decode(img, &k, msg, sizeof(msg)))
		emit_kernel(e, &k);
	else
		emit_cstr(e, "payload_error", msg);
	file_release(&k.data);
}

/* A vmlinux: its program headers, and a relocation table if one follows the ELF. */
static void inspect_elf(struct emit *e, bool json, const char *path, const struct kd_file *f)
{
	struct kernel k = { .data = *f };
	char msg[512];

	if (!kernel_split(&k, msg, sizeof(msg)))
		die("inspect: %s: %s", path, msg);
	emit_begin(e, stdout, json);
	emit_cstr(e, "type", "elf");
	emit_kernel(e, &k);
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		if (c != 'j')
			die_usage("inspect");
		json = true;
	}
	if (optind != argc - 1)
		die_usage("inspect");

	const char *path = argv[optind];
	struct kd_file f = read_file(path);
	struct kd_bzimage img;
	struct kd_report r = { 0 };
	struct emit e;
	enum kd_err err;

	if (kd_elf_has_magic(f.data, f.len)) {
		inspect_elf(&e, json, path, &f);
	} else {
		char what[4096];

		snprintf(what, sizeof(what), "inspect: %s", path);
		if ((err = kd_bzimage_parse(&img, f.data, f.len, &r)) != KD_OK)
			die_report(what, err, &r);
		emit_begin(&e, stdout, json);
		inspect_bzimage(&e, &img);
	}
	emit_end(&e);
	free(f.data);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("inspect: cannot write to standard output");
	return 0;
}
