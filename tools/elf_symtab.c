// SPDX-License-Identifier: MIT
/*
 * A vmlinux with the kernel's own symbols as an ELF symbol table, so gdb,
 * objdump and nm see every kallsyms name.  The input stays byte for byte
 * but for its ELF header; appended after it, as a separate piece (the
 * input is tens of MiB, and is written out, never copied):
 *
 *   [input ELF][.symtab][.strtab][.shstrtab: the old names + two][section headers]
 *
 * and the ELF header points at the new section header table (the old one,
 * plus .symtab and .strtab, with .shstrtab moved to its longer copy).
 *
 * ELF-64 layout is in elf64.h; the rules used here: locals come first in
 * .symtab and its sh_info is the index of the first non-local.
 */
#include <stdlib.h>
#include <string.h>

#include "elf64.h"
#include "tools.h"

/* What the output is built from: the input's sections and the symbols placed in them. */
struct build {
	const uint8_t *elf;	/* the input, len bytes */
	size_t len;
	struct kd_elf_shdr *sec;	/* the input's section headers */
	unsigned nsec;
	unsigned shstrndx;
	uint16_t *shndx;	/* per symbol: its section, or KD_ELF_SHN_ABS */
};

/* Does section s take up memory at addr? */
static bool holds(const struct kd_elf_shdr *s, uint64_t addr)
{
	return (s->flags & KD_ELF_SHF_ALLOC) && addr >= s->addr && addr - s->addr < s->size;
}

/* The allocated section holding addr; one ending at addr if none does (_etext and the like); else KD_ELF_SHN_ABS. */
static uint16_t section_of(const struct build *b, uint64_t addr)
{
	unsigned end_match = KD_ELF_SHN_ABS;

	for (unsigned i = 1; i < b->nsec; i++) {
		const struct kd_elf_shdr *s = &b->sec[i];

		if (holds(s, addr))
			return (uint16_t)i;
		if ((s->flags & KD_ELF_SHF_ALLOC) && s->size && addr >= s->addr && addr - s->addr == s->size &&
		    end_match == KD_ELF_SHN_ABS)
			end_match = i;
	}
	return (uint16_t)end_match;
}

/* Do no two allocated sections share an address?  Then a section holding an address is the only one. */
static bool sections_disjoint(const struct build *b)
{
	for (unsigned i = 1; i < b->nsec; i++)
		for (unsigned j = i + 1; j < b->nsec; j++)
			if ((b->sec[i].flags & b->sec[j].flags & KD_ELF_SHF_ALLOC) && b->sec[i].size && b->sec[j].size &&
			    (holds(&b->sec[i], b->sec[j].addr) || holds(&b->sec[j], b->sec[i].addr)))
				return false;
	return true;
}

/*
 * Every symbol's section.  Symbols come in address order, so most lie in
 * the section of the one before: where sections do not overlap, that one
 * is tried first.
 */
static void place_symbols(struct build *b, const struct ksyms *t)
{
	bool disjoint = sections_disjoint(b);
	uint16_t last = KD_ELF_SHN_ABS;

	b->shndx = xmalloc(sizeof(*b->shndx) * (t->n + 1));
	for (size_t i = 0; i < t->n; i++) {
		if (!(disjoint && last != KD_ELF_SHN_ABS && holds(&b->sec[last], t->sym[i].addr)))
			last = section_of(b, t->sym[i].addr);
		b->shndx[i] = last;
	}
}

/* nm's letter as ELF binding: upper case global, lower case local; W and V weak. */
static unsigned binding_of(char type)
{
	if (type == 'W' || type == 'w' || type == 'V' || type == 'v')
		return KD_ELF_STB_WEAK;
	return type >= 'A' && type <= 'Z' ? KD_ELF_STB_GLOBAL : KD_ELF_STB_LOCAL;
}

/*
 * Code letters in an executable section are functions; data, read-only
 * and bss letters objects.  kallsyms keeps absolute symbols only for
 * per-cpu variables (their letter forced to 'A' by the absolute-per-cpu
 * encoding): in a data section, they are objects too.
 */
static unsigned type_of(char type, const struct kd_elf_shdr *sec)
{
	bool code = sec && (sec->flags & KD_ELF_SHF_EXECINSTR);

	switch (type) {
	case 'T': case 't': case 'W': case 'w':
		return code ? KD_ELF_STT_FUNC : KD_ELF_STT_NOTYPE;
	case 'A': case 'a':
		return sec && !code ? KD_ELF_STT_OBJECT : KD_ELF_STT_NOTYPE;
	case 'D': case 'd': case 'B': case 'b': case 'R': case 'r': case 'V': case 'v':
	case 'G': case 'g': case 'S': case 's':
		return KD_ELF_STT_OBJECT;
	default:
		return KD_ELF_STT_NOTYPE;
	}
}

static bool read_sections(const uint8_t *elf, size_t len, struct build *b, char *msg, size_t msg_size)
{
	uint64_t shoff = kd_get_le64(elf + KD_ELF_E_SHOFF);

	b->nsec = kd_get_le16(elf + KD_ELF_E_SHNUM);
	b->shstrndx = kd_get_le16(elf + KD_ELF_E_SHSTRNDX);
	if (b->nsec == 0 || b->nsec >= KD_ELF_SHN_LORESERVE - 2 || !kd_elf_sections_in_file(elf, len) ||
	    b->shstrndx >= b->nsec) {
		snprintf(msg, msg_size, "the vmlinux has no usable section headers to add a symbol table to");
		return false;
	}
	b->sec = xmalloc(sizeof(*b->sec) * b->nsec);
	for (unsigned i = 0; i < b->nsec; i++)
		b->sec[i] = kd_elf_get_shdr(elf + shoff + (uint64_t)i * KD_ELF_SHDR_SIZE);
	const struct kd_elf_shdr *str = &b->sec[b->shstrndx];
	if (str->type != KD_ELF_SHT_STRTAB || str->offset > len || str->size > len - str->offset) {
		snprintf(msg, msg_size, "the vmlinux's section name table lies outside the file");
		free(b->sec);
		return false;
	}
	return true;
}

/*
 * Compilers pad code up to the next function's alignment (16 bytes on
 * x86-64) with int3 (0xcc) or NOPs in the forms assemblers emit: any
 * number of 0x66 prefixes and an optional 0x2e, then 0x90, or 0x0f 0x1f
 * with one of the ModRM forms below and a zero displacement.
 */
#define CODE_ALIGN	16
#define INT3		0xcc
#define NOP1		0x90

/* The length of the padding instruction at p[0..avail), or 0 if it is none. */
static size_t padding_insn(const uint8_t *p, size_t avail)
{
	/* ModRM byte -> its length with SIB and displacement: [eax], [eax+d8], [eax+eax+d8], +d32, SIB+d32 */
	static const struct { uint8_t modrm, len; } forms[] = {
		{ 0x00, 1 }, { 0x40, 2 }, { 0x44, 3 }, { 0x80, 5 }, { 0x84, 6 },
	};
	size_t i = 0;

	if (avail && p[0] == INT3)
		return 1;
	while (i < avail && p[i] == 0x66)
		i++;
	if (i < avail && p[i] == 0x2e)
		i++;
	if (i < avail && p[i] == NOP1)
		return i + 1;
	if (avail - i < 3 || p[i] != 0x0f || p[i + 1] != 0x1f)
		return 0;
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		if (p[i + 2] != forms[f].modrm || avail - i - 2 < forms[f].len)
			continue;
		for (size_t k = 3; k < 2u + forms[f].len; k++)
			if (p[i + k] != 0)
				return 0;
		return i + 2 + forms[f].len;
	}
	return 0;
}

/* Can a padding instruction end with byte c?  Each ends with int3, nop, or a zero ModRM or displacement byte. */
static bool ends_padding(uint8_t c)
{
	return c == INT3 || c == NOP1 || c == 0;
}

/* How many int3 start p[0..len): runs of them fill the gaps between functions, some of them pages long. */
static size_t int3_run(const uint8_t *p, size_t len)
{
	size_t n = 0;

	while (n + 8 <= len && kd_get_le64(p + n) == INT3 * 0x0101010101010101ull)
		n += 8;
	while (n < len && p[n] == INT3)
		n++;
	return n;
}

static bool all_padding(const uint8_t *p, size_t len)
{
	for (size_t n; len; p += n, len -= n)
		if (!(n = int3_run(p, len)) && !(n = padding_insn(p, len)))
			return false;
	return true;
}

/*
 * A symbol's size: up to the next higher address in the table, or its
 * section's end, whichever comes first (kallsyms keeps no sizes; gdb and
 * objdump use them to tell which function an address is in); in code,
 * less the alignment padding before that end: the most bytes, fewer than
 * CODE_ALIGN, that are padding instructions up to it.
 */
static uint64_t size_of(const struct ksyms *t, const struct build *b, size_t i, uint64_t next)
{
	const struct ksym *s = &t->sym[i];
	uint16_t x = b->shndx[i];
	uint64_t end = next;

	if (x == KD_ELF_SHN_ABS)
		return 0;
	const struct kd_elf_shdr *sec = &b->sec[x];
	if (sec->addr + sec->size < end)
		end = sec->addr + sec->size;
	if (end <= s->addr)
		return 0;
	if (!(sec->flags & KD_ELF_SHF_EXECINSTR) || sec->offset > b->len || sec->size > b->len - sec->offset)
		return end - s->addr;
	const uint8_t *code = b->elf + sec->offset + (s->addr - sec->addr);
	uint64_t n = end - s->addr;

	if (!ends_padding(code[n - 1]))
		return n;	/* the usual case: the code runs up to the end */
	if (all_padding(code, n))
		return n;	/* padding that is a symbol of its own: __pfx_* (CONFIG_CALL_PADDING) */
	for (uint64_t k = n > CODE_ALIGN ? n - (CODE_ALIGN - 1) : 1; k < n; k++)
		if (all_padding(code + k, n - k))
			return k;
	return n;
}

/* Write symbol i's .symtab entry at `out`; its name is at `name` in .strtab. */
static void put_symbol(uint8_t *out, const struct ksyms *t, const struct build *b, size_t i, uint32_t name,
		       uint64_t size)
{
	const struct ksym *s = &t->sym[i];
	uint16_t x = b->shndx[i];
	const struct kd_elf_shdr *sec = x == KD_ELF_SHN_ABS ? NULL : &b->sec[x];
	unsigned type = type_of(s->type, sec);

	kd_put_le32(out + KD_ELF_ST_NAME, name);
	out[KD_ELF_ST_INFO] = KD_ELF_ST_INFO_OF(binding_of(s->type), type);
	out[KD_ELF_ST_OTHER] = 0;
	kd_put_le16(out + KD_ELF_ST_SHNDX, x);
	kd_put_le64(out + KD_ELF_ST_VALUE, s->addr);
	kd_put_le64(out + KD_ELF_ST_SIZE, type == KD_ELF_STT_NOTYPE ? 0 : size);
}

/* .symtab and .strtab: entry 0 empty, then the locals, then the rest, each group in table order. */
static void put_symbols(uint8_t *symtab, uint8_t *strtab, const struct ksyms *t, const struct build *b)
{
	uint64_t *next = xmalloc(sizeof(*next) * (t->n + 1));
	uint32_t slot = 1, str = 1;

	/* next[i]: the lowest address above symbol i's, the table being in address order */
	next[t->n] = UINT64_MAX;
	for (size_t i = t->n; i-- > 0;)
		next[i] = i + 1 < t->n && t->sym[i + 1].addr > t->sym[i].addr ? t->sym[i + 1].addr : next[i + 1];
	memset(symtab, 0, KD_ELF_SYM_SIZE);
	strtab[0] = 0;
	for (int locals = 1; locals >= 0; locals--) {
		for (size_t i = 0; i < t->n; i++) {
			if ((binding_of(t->sym[i].type) == KD_ELF_STB_LOCAL) != locals)
				continue;
			memcpy(strtab + str, t->names + t->sym[i].name, (size_t)t->sym[i].name_len + 1);
			put_symbol(symtab + (size_t)slot * KD_ELF_SYM_SIZE, t, b, i, str, size_of(t, b, i, next[i]));
			str += t->sym[i].name_len + 1u;
			slot++;
		}
	}
	free(next);
}

/* sh_info of .symtab: the index of the first non-local symbol. */
static uint32_t first_nonlocal(const struct ksyms *t)
{
	uint32_t n = 1;

	for (size_t i = 0; i < t->n; i++)
		n += binding_of(t->sym[i].type) == KD_ELF_STB_LOCAL;
	return n;
}

/* Where the output file's byte at `offset` (at least len, the input's size) lies in the tail. */
static uint8_t *tail_at(const struct symtab_elf *o, size_t len, size_t offset)
{
	return o->tail.data + (offset - len);
}

bool elf_add_symtab(const uint8_t *elf, size_t len, const struct ksyms *t, struct symtab_elf *out, char *msg,
		    size_t msg_size)
{
	struct build b;

	if (len < KD_ELF_EHDR_SIZE || !read_sections(elf, len, &b, msg, msg_size))
		return false;
	b.elf = elf;
	b.len = len;
	place_symbols(&b, t);

	/* offsets in the output file; the tail starts at len */
	const struct kd_elf_shdr *old_str = &b.sec[b.shstrndx];
	size_t symtab_at = KD_ALIGN_UP(len, (size_t)8);
	size_t symtab_size = (t->n + 1) * KD_ELF_SYM_SIZE;
	size_t strtab_at = symtab_at + symtab_size, strtab_size = t->names_len + 1;
	size_t shstr_at = strtab_at + strtab_size;
	size_t shstr_size = old_str->size + sizeof(".symtab") + sizeof(".strtab");
	size_t shdr_at = KD_ALIGN_UP(shstr_at + shstr_size, (size_t)8);
	unsigned nsec = b.nsec + 2;

	out->tail.len = shdr_at + (size_t)nsec * KD_ELF_SHDR_SIZE - len;
	out->tail.data = xmalloc(out->tail.len);
	memset(out->tail.data, 0, out->tail.len);
	put_symbols(tail_at(out, len, symtab_at), tail_at(out, len, strtab_at), t, &b);

	/* the section names: the old ones, then ".symtab" and ".strtab" */
	uint8_t *names = tail_at(out, len, shstr_at);
	uint32_t symtab_name = (uint32_t)old_str->size, strtab_name = symtab_name + sizeof(".symtab");
	memcpy(names, elf + old_str->offset, old_str->size);
	memcpy(names + symtab_name, ".symtab", sizeof(".symtab"));
	memcpy(names + strtab_name, ".strtab", sizeof(".strtab"));

	struct kd_elf_shdr symtab = {
		.name = symtab_name, .type = KD_ELF_SHT_SYMTAB, .offset = symtab_at, .size = symtab_size,
		.link = b.nsec + 1, .info = first_nonlocal(t), .addralign = 8, .entsize = KD_ELF_SYM_SIZE,
	};
	struct kd_elf_shdr strtab = {
		.name = strtab_name, .type = KD_ELF_SHT_STRTAB, .offset = strtab_at, .size = strtab_size, .addralign = 1,
	};
	b.sec[b.shstrndx].offset = shstr_at;
	b.sec[b.shstrndx].size = shstr_size;
	uint8_t *shdrs = tail_at(out, len, shdr_at);
	for (unsigned i = 0; i < b.nsec; i++)
		kd_elf_put_shdr(shdrs + (size_t)i * KD_ELF_SHDR_SIZE, &b.sec[i]);
	kd_elf_put_shdr(shdrs + (size_t)b.nsec * KD_ELF_SHDR_SIZE, &symtab);
	kd_elf_put_shdr(shdrs + (size_t)(b.nsec + 1) * KD_ELF_SHDR_SIZE, &strtab);

	/* the ELF header: e_shoff, e_shnum */
	memcpy(out->ehdr, elf, KD_ELF_EHDR_SIZE);
	kd_put_le64(out->ehdr + KD_ELF_E_SHOFF, shdr_at);
	kd_put_le16(out->ehdr + KD_ELF_E_SHNUM, (uint16_t)nsec);
	free(b.shndx);
	free(b.sec);
	return true;
}
