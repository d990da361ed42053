// SPDX-License-Identifier: MIT
/*
 * kdecomp pack INPUT -c FORMAT -o IMAGE [--relocs FILE] [--level N]
 *
 * Build a bzImage of our own around a kernel: our setup sectors, our head,
 * the kernel compressed as Linux compresses it, and our main with the one
 * decoder of that format.
 *
 *   image = setup (8 sectors, PE header in the first) | head | payload | pad | main | pad to 512
 *
 * init_size, the memory the image needs from its load address up, is the
 * larger of the kernel's own footprint and what in-place decompression
 * needs.  In place, the image sits at the top of the buffer and the kernel
 * is written from the bottom; the output must never reach input not yet
 * read.  With the payload ending at `payload_end` and the output growing
 * towards it, it is enough that
 *
 *     payload_end - target >= out_len + margin
 *
 * where margin covers the decoder's worst lag between output written and
 * input read (one block of incompressible data, at most the input's
 * expansion: out_len/256 + 128 KiB is above the worst case of every format
 * here, Linux uses out_len/256 + 64 KiB).  So
 *
 *     init_size >= out_len + margin + mem_len - payload_off - payload_len
 *
 * and pack does not take the formula on trust: it decodes the payload on
 * the host laid out exactly so and compares the result.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../boot/layout.h"
#include "elf64.h"
#include "pe.h"
#include "tools.h"

/* The stub pieces, linked in from build/boot/blobs.o. */
#define BLOB(name)                                                            \
	extern const uint8_t _binary_##name##_bin_start[], _binary_##name##_bin_end[]
BLOB(setup);
BLOB(head);
BLOB(main_gzip);
BLOB(main_bzip2);
BLOB(main_lzma);
BLOB(main_xz);
BLOB(main_lzo);
BLOB(main_lz4);
BLOB(main_zstd);

struct blob {
	const uint8_t *data;
	size_t len;
};
#define BLOB_OF(name) ((struct blob){ _binary_##name##_bin_start, _binary_##name##_bin_end - _binary_##name##_bin_start })

static struct blob main_blob(enum kd_format fmt)
{
	switch (fmt) {
	case KD_FMT_GZIP:  return BLOB_OF(main_gzip);
	case KD_FMT_BZIP2: return BLOB_OF(main_bzip2);
	case KD_FMT_LZMA:  return BLOB_OF(main_lzma);
	case KD_FMT_XZ:    return BLOB_OF(main_xz);
	case KD_FMT_LZO:   return BLOB_OF(main_lzo);
	case KD_FMT_LZ4:   return BLOB_OF(main_lz4);
	case KD_FMT_ZSTD:  return BLOB_OF(main_zstd);
	default:           die("pack: no stub for this format");
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * The kernel to pack: its vmlinux ELF and relocation table, a version
 * string, and what it says of itself (lib/kernel/plan.h): from its original
 * bzImage's header when there is one, else from the ELF alone.
 */
struct input {
	struct kernel k;
	char version[VERSION_MAX];
	uint64_t kernel_alignment;
	uint32_t head_flags;	/* HEAD_* */
};

/*
 * An ELF the stub can boot: an x86-64 executable (kd_elf_read checks the
 * machine), entered inside itself, ending inside the kernel mapping.  Checked before anything else is read
 * from it, so that a program that is no kernel is named as such.
 */
static void check_kernel_elf(const char *path, const uint8_t *ehdr, const struct kd_elf_info *e)
{
	uint16_t type = kd_get_le16(ehdr + KD_ELF_E_TYPE);

	if (type != KD_ELF_ET_EXEC)
		die("pack: %s is not a kernel: ELF type %u, a vmlinux is ET_EXEC (%u)", path, type, KD_ELF_ET_EXEC);
	if (e->entry < e->mem_start || e->entry >= e->mem_end)
		die("pack: %s: the entry point 0x%llx is not a physical address inside the kernel", path,
		    (unsigned long long)e->entry);
	if (e->mem_end > KD_KERNEL_IMAGE_SIZE)
		die("pack: %s: the kernel ends at 0x%llx, beyond the 1 GiB kernel mapping", path,
		    (unsigned long long)e->mem_end);
}

/*
 * A vmlinux as the stub needs it: the ELF header, the program headers and
 * the loadable bytes at their file offsets; no sections (a vmlinux with
 * debug information is ten times the size of what boots).
 */
static struct kd_file strip_to_segments(const char *path, const struct kd_file *f)
{
	struct kd_elf_info elf;
	struct kd_report r = { 0 };
	enum kd_err err = kd_elf_read(f->data, f->len, &elf, &r);

	if (err)
		die_report(path, err, &r);
	check_kernel_elf(path, f->data, &elf);
	uint64_t phoff = kd_get_le64(f->data + KD_ELF_E_PHOFF), phnum = kd_get_le16(f->data + KD_ELF_E_PHNUM);
	size_t headers_end = phoff + phnum * KD_ELF_PHDR_SIZE, len = headers_end;
	for (unsigned i = 0; i < elf.n_load; i++)
		if (elf.load[i].offset + elf.load[i].filesz > len)
			len = elf.load[i].offset + elf.load[i].filesz;

	struct kd_file out = { xmalloc(len), len, false };
	memset(out.data, 0, len);
	memcpy(out.data, f->data, headers_end);
	for (unsigned i = 0; i < elf.n_load; i++)
		memcpy(out.data + elf.load[i].offset, f->data + elf.load[i].offset, elf.load[i].filesz);
	kd_put_le64(out.data + KD_ELF_E_SHOFF, 0);
	kd_put_le16(out.data + KD_ELF_E_SHNUM, 0);
	kd_put_le16(out.data + KD_ELF_E_SHSTRNDX, 0);
	return out;
}

/*
 * What an original bzImage's header says of its kernel: relocatable_kernel,
 * kernel_alignment, XLF_5LEVEL_ENABLED (built for 5-level paging; bit 5,
 * XLF_5LEVEL, only says its decompressor may be entered so).  pref_address
 * must name the ELF's link address: a header that disagrees with its own
 * kernel is not guessed about.
 */
#define PREF_ADDRESS_VERSION 0x20a	/* the boot protocol that added pref_address */
static void read_header_facts(const char *path, const struct kd_setup_header *h, struct input *in)
{
	uint64_t align = h->kernel_alignment;

	if (h->relocatable_kernel)
		in->head_flags |= HEAD_RELOCATABLE;
	if (h->xloadflags & KD_XLF_5LEVEL_ENABLED)
		in->head_flags |= HEAD_5LEVEL;
	if (align & (align - 1))
		die("pack: %s: kernel_alignment 0x%llx is not a power of two", path, (unsigned long long)align);
	if (align > in->kernel_alignment)
		in->kernel_alignment = align;
	if (h->version >= PREF_ADDRESS_VERSION && h->pref_address != in->k.elf.mem_start)
		die("pack: %s: the header's pref_address 0x%llx is not the ELF's link address 0x%llx", path,
		    (unsigned long long)h->pref_address, (unsigned long long)in->k.elf.mem_start);
}

/* A relocation table follows the ELF (kernel_split leaves start == end when there is none). */
static bool has_relocs(const struct kernel *k)
{
	return k->relocs.end > k->relocs.start;
}

static void read_input(const char *path, const char *relocs_path, struct input *in)
{
	struct kd_file f = read_file(path);
	struct kd_bzimage img;
	struct kd_report r = { 0 };
	char msg[512];

	memset(in, 0, sizeof(*in));
	in->kernel_alignment = KD_PLAN_MIN_ALIGN;
	if (kd_elf_has_magic(f.data, f.len)) {
		struct kd_file stripped = strip_to_segments(path, &f);
		struct kd_file rel = relocs_path ? read_file(relocs_path) : relocs_generate(path, f.data, f.len, true);

		in->k.data.data = xmalloc(stripped.len + rel.len);
		memcpy(in->k.data.data, stripped.data, stripped.len);
		if (rel.len)
			memcpy(in->k.data.data + stripped.len, rel.data, rel.len);
		in->k.data.len = stripped.len + rel.len;
		free(stripped.data);
		free(rel.data);
		if (!kernel_split(&in->k, msg, sizeof(msg)))
			die("pack: %s: %s", path, msg);
		kernel_need_relocs(&in->k, "pack");
		kernel_version(in->k.data.data, in->k.elf.file_end, in->version, sizeof(in->version));
		/*
		 * A vmlinux says nothing of itself in a header.  Linux links it
		 * with relocations (--emit-relocs) only when it needs a table,
		 * for KASLR, which implies CONFIG_RELOCATABLE: with them it is
		 * relocatable; without, it may not be, so it runs at its link
		 * address.  Whether it was built for 5-level paging no field
		 * says: it is entered in 4-level paging, which every x86-64
		 * kernel runs in.
		 */
		if (has_relocs(&in->k))
			in->head_flags |= HEAD_RELOCATABLE;
	} else {
		enum kd_err err = kd_bzimage_parse(&img, f.data, f.len, &r);

		if (err)
			die_report(path, err, &r);
		if (!kernel_decode(&img, &in->k, msg, sizeof(msg)))
			die("pack: %s: %s", path, msg);
		kernel_need_relocs(&in->k, "pack");
		if (img.version)
			snprintf(in->version, sizeof(in->version), "%.*s", (int)img.version_len, img.version);
		read_header_facts(path, &img.hdr, in);
		if (relocs_path)
			die("pack: --relocs is for a vmlinux input; %s carries its own table", path);
	}
	if (has_relocs(&in->k))
		in->head_flags |= HEAD_RELOCS;
	free(f.data);
}

/*
 * The relocation table must be this kernel's: placed as the stub places
 * it and relocated for an offset, every entry must land inside it (the
 * stub would find out only at boot).
 */
static void check_relocs_fit(const char *path, const struct kernel *k)
{
	uint64_t link = k->elf.mem_start, kernel_mem = k->elf.mem_end - link;
	size_t cap = kernel_mem > k->data.len ? kernel_mem : k->data.len;
	uint8_t *image = xmalloc(cap);
	struct kd_report r = { 0 };
	enum kd_err err;
	char msg[256];

	memcpy(image, k->data.data, k->data.len);
	err = kd_elf_place(image, cap, &k->elf, link, &r);
	if (!err)
		err = kd_relocs_apply(image, kernel_mem, link, k->data.data, &k->relocs, link + KD_PLAN_MIN_ALIGN, &r);
	free(image);
	if (err) {
		report_message(msg, sizeof(msg), err, &r);
		die("pack: %s: the relocation table does not match the kernel: %s", path, msg);
	}
}

/* What the stub cannot boot, refused with the reason. */
static void check_bootable(const char *path, const struct input *in)
{
	const struct kd_elf_info *e = &in->k.elf;

	check_kernel_elf(path, in->k.data.data, e);
	if (e->mem_start % KD_PLAN_MIN_ALIGN || e->mem_start % in->kernel_alignment)
		die("pack: the kernel is linked at 0x%llx, not a multiple of its alignment 0x%llx (and of 2 MiB)",
		    (unsigned long long)e->mem_start, (unsigned long long)in->kernel_alignment);
	if (e->mem_start > UINT32_MAX)
		die("pack: the kernel is linked at 0x%llx, above 4 GiB", (unsigned long long)e->mem_start);
	if (has_relocs(&in->k))
		check_relocs_fit(path, &in->k);
	if (in->k.data.len > UINT32_MAX / 2)
		die("pack: the decompressed kernel is too large for the boot protocol's 32-bit fields");
}

/*
 * Decode the payload from the top of a buffer of init_size into its bottom,
 * as the stub will, with the stub's own heap: KD_OK only if the kernel comes
 * out whole.
 */
static enum kd_err in_place_decode(enum kd_format fmt, const struct kd_file *payload, const struct kd_file *ref,
				   size_t init_size, size_t payload_at, size_t heap_size)
{
	uint8_t *buf = xmalloc(init_size);
	void *heap_mem = xmalloc(heap_size);
	struct kd_heap heap;
	enum kd_err err;

	memset(buf, 0xcc, init_size);
	memcpy(buf + payload_at, payload->data, payload->len);
	kd_heap_init(&heap, heap_mem, heap_size);
	struct kd_job job = { .in = buf + payload_at, .in_len = payload->len, .out = buf,
			      .out_cap = ref->len, .heap = &heap };
	err = kd_decode(fmt, &job);
	if (err == KD_OK && (job.out_len != ref->len || memcmp(buf, ref->data, ref->len) != 0))
		err = KD_ERR_CORRUPT;
	free(heap_mem);
	free(buf);
	return err;
}

static void put_hdr32(uint8_t *setup, size_t off, uint32_t v)
{
	kd_put_le32(setup + off, v);
}

/*
 * What the header tells loaders about placement, the truth for this
 * kernel: where it is linked (pref_address), its alignment, whether it may
 * move, and the 5-level flags: XLF_5LEVEL, "may be entered in 5-level
 * paging", and XLF_EFI_HANDOVER_64 are the stub's (it takes either
 * mode, and has the handover entry), XLF_5LEVEL_ENABLED the kernel's.  Linux sets XLF_KERNEL_64 and XLF_CAN_BE_LOADED_ABOVE_4G only
 * for relocatable kernels, whose decompressor runs where it was loaded;
 * ours copies itself to the kernel's buffer whatever the kernel, so they
 * hold for every kernel.
 */
static void write_placement_fields(uint8_t *image, const struct input *in)
{
	uint16_t xlf = KD_XLF_KERNEL_64 | KD_XLF_CAN_BE_LOADED_ABOVE_4G | KD_XLF_5LEVEL | KD_XLF_EFI_HANDOVER_64;

	if (in->head_flags & HEAD_5LEVEL)
		xlf |= KD_XLF_5LEVEL_ENABLED;
	put_hdr32(image, KD_HDR_OFF(kernel_alignment), (uint32_t)in->kernel_alignment);
	image[KD_HDR_OFF(relocatable_kernel)] = !!(in->head_flags & HEAD_RELOCATABLE);
	kd_put_le16(image + KD_HDR_OFF(xloadflags), xlf);
	kd_put_le64(image + KD_HDR_OFF(pref_address), in->k.elf.mem_start);
}

/*
 * The MZ and PE headers (lib/kernel/pe.h): one section, the protected-mode
 * part, at RVA = file offset = the setup's size; in memory it also holds
 * main's .bss and page-table area (mem_len), which the EFI entries use in
 * place.  `raw_len` is the part's length in the file, padded to FileAlignment.
 */
static void put_pe_header(uint8_t *image, size_t setup_len, size_t raw_len, size_t mem_len, uint32_t entry)
{
	struct kd_pe_header pe = {
		.signature = KD_PE_MAGIC,
		.coff = {
			.machine = KD_PE_MACHINE_X86_64,
			.number_of_sections = KD_PE_NUM_SECTIONS,
			.size_of_optional_header = sizeof(struct kd_pe_opt_header),
			.characteristics = KD_PE_EXECUTABLE_IMAGE | KD_PE_LINE_NUMS_STRIPPED | KD_PE_LARGE_ADDRESS_AWARE |
					   KD_PE_DEBUG_STRIPPED,
		},
		.opt = {
			.magic = KD_PE_OPT_MAGIC_PE32P,
			.size_of_code = raw_len,
			.address_of_entry_point = entry,
			.base_of_code = setup_len,
			.image_base = KD_PE_IMAGE_BASE,
			.section_alignment = KD_PE_SECTION_ALIGN,
			.file_alignment = KD_PE_FILE_ALIGN,
			.major_image_version = KD_PE_IMAGE_VERSION_MAJOR,
			.size_of_image = setup_len + mem_len,
			.size_of_headers = setup_len,
			.subsystem = KD_PE_SUBSYSTEM_EFI_APPLICATION,
			.number_of_rva_and_sizes = KD_PE_NUM_DIRS,
		},
		.section = { {
			.name = ".text",
			.virtual_size = mem_len,
			.virtual_address = setup_len,
			.size_of_raw_data = raw_len,
			.pointer_to_raw_data = setup_len,
			.characteristics = KD_PE_SCN_CNT_CODE | KD_PE_SCN_MEM_EXECUTE | KD_PE_SCN_MEM_READ |
					   KD_PE_SCN_MEM_WRITE,
		} },
	};

	_Static_assert(SETUP_SIZE % KD_PE_SECTION_ALIGN == 0, "the section must start page-aligned");
	if (setup_len != SETUP_SIZE || mem_len % KD_PE_SECTION_ALIGN || raw_len % KD_PE_FILE_ALIGN)
		die("pack: the built-in stub does not lay out as a PE image");
	memcpy(image, "MZ", 2);
	kd_put_le32(image + KD_MZ_LFANEW, KD_PE_OFFSET);
	memcpy(image + KD_PE_OFFSET, &pe, sizeof(pe));
}

struct input *pack_read(const char *path, const char *relocs_path)
{
	struct input *in = xmalloc(sizeof(*in));

	read_input(path, relocs_path, in);
	check_bootable(path, in);
	return in;
}

struct kd_file pack_kernel(const struct input *in)
{
	return in->k.data;
}

void pack_free(struct input *in)
{
	file_release(&in->k.data);
	free(in);
}

struct packed pack_image(const struct input *in, enum kd_format fmt, int level)
{
	struct kd_file payload = compress_payload(fmt, in->k.data.data, in->k.data.len, level ? level : default_level(fmt));
	struct blob setup = BLOB_OF(setup), head = BLOB_OF(head), main = main_blob(fmt);
	const struct kd_main_info *mi = (const void *)(main.data + MAIN_INFO);
	if (memcmp(mi->magic, "KDMAIN01", 8) != 0 || mi->file_end != main.len)
		die("pack: the built-in stub is damaged (main header)");

	/* The protected-mode part: head | payload | pad | main (page-aligned), then main's bss and page tables. */
	size_t payload_off = align_up(head.len, 64);
	size_t main_off = align_up(payload_off + payload.len, 4096);
	size_t file_len = main_off + main.len;
	size_t mem_len = align_up(main_off + mi->mem_end, 4096);
	uint64_t out_len = in->k.data.len, kernel_mem = in->k.elf.mem_end - in->k.elf.mem_start;
	uint64_t margin = out_len / 256 + (128u << 10), init_size = 0;

	for (int attempt = 0;; attempt++) {
		uint64_t need = out_len + margin + mem_len - payload_off - payload.len;

		/* the 32-bit entry's first page tables and stack follow the image as loaded; the copy must not reach them */
		uint64_t early = mem_len + align_up(file_len, 4096) + (EARLY_STACK_PAGE + 1) * 4096;

		need = need > early ? need : early;
		init_size = align_up(need > kernel_mem ? need : kernel_mem, 4096);
		if (init_size > UINT32_MAX)
			die("pack: the image would need init_size 0x%llx, beyond 32 bits", (unsigned long long)init_size);
		enum kd_err err = in_place_decode(fmt, &payload, &in->k.data, init_size,
						  init_size - mem_len + payload_off, mi->heap_size);
		if (err == KD_ERR_HEAP)
			die("pack: this %s payload needs more than the stub's %u bytes of heap",
			    kd_format_name(fmt), mi->heap_size);
		if (err == KD_OK)
			break;
		if (attempt == 4)
			die("pack: %s does not decode in place even with a margin of %llu bytes",
			    kd_format_name(fmt), (unsigned long long)margin);
		margin *= 2;
	}

	struct kd_head_info info = {
		.magic = "KDHEAD01",
		.payload_off = payload_off, .payload_len = payload.len, .main_off = main_off,
		.file_len = file_len, .mem_len = mem_len, .init_size = init_size,
		.pgt_off = main_off + mi->pgt, .align = in->kernel_alignment,
		.out_len = out_len, .kernel_mem = kernel_mem, .flags = in->head_flags, .link = in->k.elf.mem_start,
	};
	size_t raw_len = align_up(file_len, KD_PE_FILE_ALIGN);
	size_t image_len = setup.len + raw_len;
	uint8_t *image = xmalloc(image_len), *pm = image + setup.len;

	memset(image, 0, image_len);
	memcpy(image, setup.data, setup.len);
	memcpy(pm, head.data, head.len);
	if (memcmp(pm + HEAD_INFO, "KDHEAD01", 8) != 0)
		die("pack: the built-in stub is damaged (head header)");
	memcpy(pm + HEAD_INFO, &info, sizeof(info));
	memcpy(pm + payload_off, payload.data, payload.len);
	memcpy(pm + main_off, main.data, main.len);

	/* The setup header: what boot loaders read. */
	put_hdr32(image, KD_HDR_OFF(syssize), (uint32_t)((file_len + 15) / 16));
	put_hdr32(image, KD_HDR_OFF(payload_offset), (uint32_t)payload_off);
	put_hdr32(image, KD_HDR_OFF(payload_length), (uint32_t)payload.len);
	put_hdr32(image, KD_HDR_OFF(init_size), (uint32_t)init_size);
	write_placement_fields(image, in);
	put_hdr32(image, KD_HDR_OFF(handover_offset), (uint32_t)(main_off + mi->efi_handover - STARTUP_64));
	put_pe_header(image, setup.len, raw_len, mem_len, (uint32_t)(setup.len + main_off + mi->efi_pe_entry));
	uint16_t vofs = kd_get_le16(image + KD_HDR_OFF(kernel_version)) + 0x200;
	snprintf((char *)image + vofs, VERSION_MAX, "%s", in->version);

	free(payload.data);
	return (struct packed){ .image = { image, image_len }, .payload_len = payload.len, .out_len = out_len,
				.init_size = init_size, .margin = margin };
}

int cmd_pack(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "compress", required_argument, NULL, 'c' }, { "output", required_argument, NULL, 'o' },
		{ "relocs", required_argument, NULL, 'r' },   { "level", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },          { NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *relocs_path = NULL;
	enum kd_format fmt = KD_FMT_UNKNOWN;
	int level = 0, c;
	bool quiet = false;

	while ((c = getopt_long(argc, argv, "c:o:r:l:q", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if ((fmt = kd_format_by_name(optarg)) == KD_FMT_UNKNOWN)
				die("pack: unknown format '%s' (gzip, bzip2, lzma, xz, lzo, lz4, zstd)", optarg);
			break;
		case 'o': out_path = optarg; break;
		case 'r': relocs_path = optarg; break;
		case 'l': level = atoi(optarg); break;
		case 'q': quiet = true; break;
		default: die_usage("pack");
		}
	}
	if (optind + 1 != argc || !out_path || fmt == KD_FMT_UNKNOWN)
		die_usage("pack");

	struct input *in = pack_read(argv[optind], relocs_path);
	struct packed p = pack_image(in, fmt, level);

	write_file(out_path, p.image.data, p.image.len);
	if (!quiet)
		fprintf(stderr, "kdecomp: packed %s: %s, kernel %llu bytes -> payload %zu bytes, image %zu bytes, "
			"init_size 0x%llx (in-place margin %llu)\n", out_path, kd_format_name(fmt),
			(unsigned long long)p.out_len, p.payload_len, p.image.len, (unsigned long long)p.init_size,
			(unsigned long long)p.margin);
	free(p.image.data);
	pack_free(in);
	return 0;
}
