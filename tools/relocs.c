// SPDX-License-Identifier: MIT
/*
 * kdecomp relocs VMLINUX -o FILE [-q]: the relocation table Linux appends
 * after vmlinux.bin, generated from a vmlinux linked with --emit-relocs.
 *
 * --emit-relocs keeps every relocation the linker resolved: one KD_ELF_SHT_RELA
 * section per section it patched (sh_info names that section, sh_link the
 * symbol table), each entry the spot's link-time virtual address
 * (r_offset), a symbol and a type.  When the kernel runs `delta` bytes
 * away from where it was linked, a value must change exactly when it
 * depends on where the kernel is and not on where the spot is:
 *
 *   KD_R_X86_64_64             S + A, 64 bits    moves with S: the 64-bit list
 *   KD_R_X86_64_32, _32S       S + A, 32 bits    moves with S: the 32-bit list
 *   KD_R_X86_64_PC32, _PLT32,
 *   _PC64                   S + A - P         S and P move together: nothing
 *
 * Any other type (GOT-relative ones among them: a GOT slot holds an
 * address that no relocation names) is refused rather than guessed at.
 *
 * Per-cpu variables break that pattern.  On SMP kernels .data..percpu is
 * linked at address 0, so a per-cpu symbol is an offset into each CPU's
 * area (reached through %gs), not an address, while the section's initial
 * contents sit inside the image at __per_cpu_load.  Hence:
 *
 *   - an absolute reference to a per-cpu symbol is an offset that never
 *     moves: left alone;
 *   - a PC-relative reference from the image to a per-cpu symbol is
 *     S - P where only P moves: it must shrink by delta, the inverse
 *     32-bit list;
 *   - a spot inside .data..percpu has an r_offset counted from 0: it is
 *     at r_offset + __per_cpu_load in the image.
 *
 * Symbols the linker made absolute (KD_ELF_SHN_ABS) are constants unless their
 * value is an address inside the kernel's image (the linker script defines
 * some image addresses as sums, e.g. init_per_cpu__* = a per-cpu offset +
 * __per_cpu_load); references through undefined symbols (weak, resolved
 * to 0) are constants too.  Relocations applying to sections the loader
 * does not load (debug information) are ignored, and so are those in
 * notes (KD_ELF_SHT_NOTE: .notes, with Xen's entry point): a note is read from
 * the file by whoever loads the kernel, never by the kernel itself.
 *
 * The table is written in the layout the kernel's own build writes (elf.h
 * has both), which the kernel's version decides: Linux 6.15 dropped the
 * inverse list together with the zero-based per-cpu section.  The version
 * comes from the banner in the vmlinux ("Linux version 6.1.0-..."); the
 * per-cpu section must agree with it (linked at 0 only before 6.15).  A
 * vmlinux with no banner gets the layout its per-cpu section calls for:
 * three lists if it is linked at 0 (nothing else can express the inverse
 * references), else two, and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf64.h"
#include "tools.h"

struct sym {
	uint32_t name;
	uint16_t shndx;
	uint64_t value;
};

/* A growing list of table entries. */
struct list {
	uint32_t *v;
	size_t n, cap;
};

struct vmlinux {
	const char *path;
	const uint8_t *data;
	size_t len;
	uint64_t shoff;
	unsigned shnum, shstrndx;
	uint64_t image_start, image_end;	/* the loaded sections' virtual span */
	unsigned percpu;		/* index of .data..percpu when linked at 0, else 0 */
	uint64_t percpu_size;
	uint64_t percpu_load;		/* __per_cpu_load: its contents' address in the image */
};

struct table {
	struct list l64, l32inv, l32;
	size_t seen, rela_sections;
};

static struct kd_elf_shdr section(const struct vmlinux *v, unsigned i)
{
	return kd_elf_get_shdr(v->data + v->shoff + (size_t)i * KD_ELF_SHDR_SIZE);
}

/* The section's bytes, which must lie in the file. */
static const uint8_t *section_data(const struct vmlinux *v, const struct kd_elf_shdr *s, const char *what)
{
	if (s->offset > v->len || s->size > v->len - s->offset)
		die("relocs: %s: %s lies outside the file (offset 0x%llx, size 0x%llx)", v->path, what,
		    (unsigned long long)s->offset, (unsigned long long)s->size);
	return v->data + s->offset;
}

/* A NUL-terminated string at `off` in string table section `strtab`, or "" if there is none. */
static const char *string_at(const struct vmlinux *v, unsigned strtab, uint32_t off)
{
	if (strtab == 0 || strtab >= v->shnum)
		return "";
	struct kd_elf_shdr s = section(v, strtab);
	const uint8_t *p = section_data(v, &s, "string table");

	if (off >= s.size || !memchr(p + off, 0, s.size - off))
		return "";
	return (const char *)p + off;
}

static struct sym symbol(const struct vmlinux *v, const struct kd_elf_shdr *symtab, const uint8_t *syms, uint32_t i)
{
	if ((uint64_t)i * KD_ELF_SYM_SIZE + KD_ELF_SYM_SIZE > symtab->size)
		die("relocs: %s: relocation names symbol %u of %llu", v->path, i,
		    (unsigned long long)(symtab->size / KD_ELF_SYM_SIZE));
	const uint8_t *p = syms + (size_t)i * KD_ELF_SYM_SIZE;
	return (struct sym){ .name = kd_get_le32(p + KD_ELF_ST_NAME), .shndx = kd_get_le16(p + KD_ELF_ST_SHNDX),
			     .value = kd_get_le64(p + KD_ELF_ST_VALUE) };
}

static void read_header(struct vmlinux *v)
{
	const uint8_t *h = v->data;

	if (v->len < KD_ELF_EHDR_SIZE || !kd_elf_has_magic(h, v->len) ||
	    h[KD_ELF_EI_CLASS] != KD_ELF_CLASS64 || h[KD_ELF_EI_DATA] != KD_ELF_DATA_LSB ||
	    kd_get_le16(h + KD_ELF_E_MACHINE) != KD_ELF_EM_X86_64)
		die("relocs: %s: not a little-endian x86-64 ELF64 file", v->path);
	v->shoff = kd_get_le64(h + KD_ELF_E_SHOFF);
	v->shnum = kd_get_le16(h + KD_ELF_E_SHNUM);
	v->shstrndx = kd_get_le16(h + KD_ELF_E_SHSTRNDX);
	if (v->shnum == 0 || !kd_elf_sections_in_file(h, v->len))
		die("relocs: %s: no usable section headers (a stripped vmlinux has no relocations left)", v->path);
}

/* Where the loaded sections are, and where the per-cpu section is linked and loaded. */
static void find_sections(struct vmlinux *v)
{
	v->image_start = UINT64_MAX;
	for (unsigned i = 1; i < v->shnum; i++) {
		struct kd_elf_shdr s = section(v, i);

		if (!(s.flags & KD_ELF_SHF_ALLOC))
			continue;
		if (s.addr == 0 && strcmp(string_at(v, v->shstrndx, s.name), ".data..percpu") == 0) {
			v->percpu = i;
			v->percpu_size = s.size;
			continue;
		}
		if (s.addr < v->image_start)
			v->image_start = s.addr;
		if (s.addr + s.size > v->image_end)
			v->image_end = s.addr + s.size;
	}
}

/* The value of the symbol `name` in symbol table `symtab`, or false if it has none. */
static bool lookup(const struct vmlinux *v, unsigned symtab, const char *name, uint64_t *value)
{
	struct kd_elf_shdr s = section(v, symtab);
	const uint8_t *syms = section_data(v, &s, "symbol table");

	for (uint32_t i = 1; i < s.size / KD_ELF_SYM_SIZE; i++) {
		struct sym sym = symbol(v, &s, syms, i);

		if (strcmp(string_at(v, s.link, sym.name), name) == 0) {
			*value = sym.value;
			return true;
		}
	}
	return false;
}

static void find_percpu_load(struct vmlinux *v)
{
	if (!v->percpu)
		return;
	for (unsigned i = 1; i < v->shnum; i++)
		if (section(v, i).type == KD_ELF_SHT_SYMTAB && lookup(v, i, "__per_cpu_load", &v->percpu_load))
			return;
	die("relocs: %s: .data..percpu is linked at 0 but there is no __per_cpu_load symbol", v->path);
}

static void add(struct list *l, uint64_t vaddr, const struct vmlinux *v)
{
	if ((uint64_t)(int64_t)(int32_t)vaddr != vaddr)
		die("relocs: %s: relocation at 0x%llx does not sign-extend from 32 bits", v->path,
		    (unsigned long long)vaddr);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		if (!(l->v = realloc(l->v, l->cap * sizeof(*l->v))))
			die("out of memory (%zu relocations)", l->cap);
	}
	l->v[l->n++] = (uint32_t)vaddr;
}

/* A per-cpu symbol: in .data..percpu with a value that is an offset into it, not an image address. */
static bool is_percpu(const struct vmlinux *v, const struct sym *s)
{
	return v->percpu && s->shndx == v->percpu && s->value <= v->percpu_size;
}

/* Does the symbol's value move with the kernel? */
static bool moves(const struct vmlinux *v, const struct sym *s)
{
	if (s->shndx == KD_ELF_SHN_UNDEF || is_percpu(v, s))
		return false;
	if (s->shndx == KD_ELF_SHN_ABS)
		return s->value >= v->image_start && s->value <= v->image_end;
	return true;
}

/* Put one relocation (spot at `vaddr` in the image) in the list its type and symbol call for. */
static void classify(struct table *t, const struct vmlinux *v, uint32_t type, uint64_t vaddr, const struct sym *s,
		     const char *name)
{
	switch (type) {
	case KD_R_X86_64_NONE:
		return;
	case KD_R_X86_64_64:
		if (moves(v, s))
			add(&t->l64, vaddr, v);
		return;
	case KD_R_X86_64_32:
	case KD_R_X86_64_32S:
		if (moves(v, s))
			add(&t->l32, vaddr, v);
		return;
	case KD_R_X86_64_PC32:
	case KD_R_X86_64_PLT32:
		if (is_percpu(v, s))
			add(&t->l32inv, vaddr, v);
		return;
	case KD_R_X86_64_PC64:
		/* there is no 64-bit inverse list */
		if (is_percpu(v, s))
			die("relocs: %s: relocation type %u at 0x%llx against per-cpu symbol %s has no list",
			    v->path, type, (unsigned long long)vaddr, name);
		return;
	default:
		die("relocs: %s: unsupported relocation type %u at 0x%llx (symbol %s)", v->path, type,
		    (unsigned long long)vaddr, name);
	}
}

static void walk_rela(struct table *t, const struct vmlinux *v, const struct kd_elf_shdr *rela)
{
	if (rela->info == 0 || rela->info >= v->shnum || rela->link == 0 || rela->link >= v->shnum)
		die("relocs: %s: relocation section names section %u / symbol table %u of %u", v->path,
		    rela->info, rela->link, v->shnum);
	struct kd_elf_shdr target = section(v, rela->info), symtab = section(v, rela->link);

	if (!(target.flags & KD_ELF_SHF_ALLOC) || target.type == KD_ELF_SHT_NOTE)
		return;
	const uint8_t *p = section_data(v, rela, "relocation section");
	const uint8_t *syms = section_data(v, &symtab, "symbol table");
	/* spots in .data..percpu are counted from its link address, 0 */
	uint64_t bias = rela->info == v->percpu ? v->percpu_load : 0;

	t->rela_sections++;
	for (uint64_t i = 0; i < rela->size / KD_ELF_RELA_SIZE; i++, p += KD_ELF_RELA_SIZE) {
		uint64_t info = kd_get_le64(p + KD_ELF_R_INFO);
		struct sym s = symbol(v, &symtab, syms, KD_ELF_R_SYM(info));

		classify(t, v, KD_ELF_R_TYPE(info), kd_get_le64(p + KD_ELF_R_OFFSET) + bias, &s,
			 string_at(v, symtab.link, s.name));
		t->seen++;
	}
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Append a zero, then the list sorted ascending. */
static uint8_t *put_list(uint8_t *out, struct list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), compare_u32);
	kd_put_le32(out, 0);
	out += 4;
	for (size_t i = 0; i < l->n; i++, out += 4)
		kd_put_le32(out, l->v[i]);
	return out;
}

/* Map the file read-only (vmlinux with debug information runs to hundreds of MB). */
static struct vmlinux map_vmlinux(const char *path)
{
	struct vmlinux v = { .path = path };
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0)
		die("%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		die("%s: not a regular, non-empty file", path);
	v.len = (size_t)st.st_size;
	v.data = mmap(NULL, v.len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (v.data == MAP_FAILED)
		die("%s: %s", path, strerror(errno));
	close(fd);
	return v;
}

/* The first kernel version whose table has two lists (see elf.h). */
#define TWO_LISTS_MAJOR 6
#define TWO_LISTS_MINOR 15

/* The version's major and minor numbers from the banner in the loaded sections; false if there is none. */
static bool banner_version(const struct vmlinux *v, unsigned *major, unsigned *minor)
{
	char version[128];

	for (unsigned i = 1; i < v->shnum; i++) {
		struct kd_elf_shdr s = section(v, i);

		if (!(s.flags & KD_ELF_SHF_ALLOC) || s.type == KD_ELF_SHT_NOBITS)
			continue;
		kernel_version(section_data(v, &s, "section"), s.size, version, sizeof(version));
		if (version[0] && sscanf(version, "%u.%u", major, minor) == 2)
			return true;
	}
	return false;
}

/* The layout this kernel's build appends (see the comment at the top). */
static enum kd_relocs_layout table_layout(const struct vmlinux *v, bool quiet)
{
	unsigned major, minor;

	if (!banner_version(v, &major, &minor)) {
		if (!quiet)
			fprintf(stderr, "%s: no \"Linux version\" banner: the layout follows the per-cpu section\n",
				v->path);
		return v->percpu ? KD_RELOCS_THREE_LISTS : KD_RELOCS_TWO_LISTS;
	}
	if (major < TWO_LISTS_MAJOR || (major == TWO_LISTS_MAJOR && minor < TWO_LISTS_MINOR))
		return KD_RELOCS_THREE_LISTS;
	if (v->percpu)
		die("relocs: %s: Linux %u.%u has no inverse relocation list, yet its .data..percpu is linked at 0",
		    v->path, major, minor);
	return KD_RELOCS_TWO_LISTS;
}

struct kd_file relocs_generate(const char *path, const uint8_t *data, size_t len, bool quiet)
{
	struct vmlinux v = { .path = path, .data = data, .len = len };
	struct table t = { 0 };

	read_header(&v);
	find_sections(&v);
	find_percpu_load(&v);
	for (unsigned i = 1; i < v.shnum; i++) {
		struct kd_elf_shdr s = section(&v, i);

		if (s.type == KD_ELF_SHT_RELA)
			walk_rela(&t, &v, &s);
	}
	if (t.rela_sections == 0)
		return (struct kd_file){ NULL, 0, false };

	enum kd_relocs_layout layout = table_layout(&v, quiet);
	unsigned lists = layout == KD_RELOCS_THREE_LISTS ? 3 : 2;
	struct kd_file out = { NULL, (lists + t.l64.n + t.l32inv.n + t.l32.n) * 4, false };
	uint8_t *p;

	out.data = xmalloc(out.len);
	p = put_list(out.data, &t.l64);
	if (layout == KD_RELOCS_THREE_LISTS)
		p = put_list(p, &t.l32inv);
	put_list(p, &t.l32);
	if (!quiet)
		fprintf(stderr, "%s: %zu relocations in %zu sections -> table %zu bytes, layout %s (%zu 32-bit, "
			"%zu inverse 32-bit, %zu 64-bit)\n", v.path, t.seen, t.rela_sections, out.len,
			kd_relocs_layout_name(layout), t.l32.n, t.l32inv.n, t.l64.n);
	free(t.l64.v);
	free(t.l32inv.v);
	free(t.l32.v);
	return out;
}

int cmd_relocs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL;
	bool quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, "o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'q': quiet = true; break;
		default: die_usage("relocs");
		}
	}
	if (!out_path || optind != argc - 1)
		die_usage("relocs");

	struct vmlinux v = map_vmlinux(argv[optind]);
	struct kd_file table = relocs_generate(v.path, v.data, v.len, quiet);

	if (!table.len)
		die("relocs: %s: no relocation sections for loaded sections (not linked with --emit-relocs?)",
		    v.path);

	write_file(out_path, table.data, table.len);
	free(table.data);
	munmap((void *)v.data, v.len);
	return 0;
}
