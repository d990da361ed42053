/* SPDX-License-Identifier: MIT */
/*
 * ELF-64 as an x86-64 vmlinux uses it: the one place its layout is written
 * down, for the stub's reader (elf.c) and the tools that read or rewrite a
 * vmlinux (relocs, inspect, pack, extract --symbols).  Facts from the
 * System V gABI ("ELF-64 Object File Format": the header, program and
 * section headers, symbols, RELA entries) and the x86-64 psABI (machine
 * number, relocation types).  Every field is little-endian (the only data
 * encoding x86-64 uses); each struct below is given as the byte offset of
 * each field we touch.
 */
#ifndef KD_ELF64_H
#define KD_ELF64_H
#include "kd.h"

/* e_ident: the magic, then the class and data encoding bytes */
#define KD_ELF_MAGIC		"\x7f" "ELF"
#define KD_ELF_MAGIC_BE32	0x7f454c46	/* the magic read as a big-endian word, for messages */
#define KD_ELF_MAGIC_LEN	4
#define KD_ELF_EI_CLASS		4
#define KD_ELF_CLASS64		2
#define KD_ELF_EI_DATA		5
#define KD_ELF_DATA_LSB		1
#define KD_ELF_EI_VERSION	6
#define KD_ELF_VERSION_CURRENT	1	/* EI_VERSION and e_version */

/* Elf64_Ehdr: the file header, at offset 0 */
#define KD_ELF_EHDR_SIZE	64
#define KD_ELF_E_TYPE		16	/* le16: ET_* */
#define KD_ELF_E_MACHINE	18	/* le16: EM_* */
#define KD_ELF_E_VERSION	20	/* le32 */
#define KD_ELF_E_ENTRY		24	/* le64 */
#define KD_ELF_E_PHOFF		32	/* le64: where the program headers are */
#define KD_ELF_E_SHOFF		40	/* le64: where the section headers are; 0 when there are none */
#define KD_ELF_E_EHSIZE		52	/* le16 */
#define KD_ELF_E_PHENTSIZE	54	/* le16 */
#define KD_ELF_E_PHNUM		56	/* le16 */
#define KD_ELF_E_SHENTSIZE	58	/* le16 */
#define KD_ELF_E_SHNUM		60	/* le16 */
#define KD_ELF_E_SHSTRNDX	62	/* le16: the section of section names */

#define KD_ELF_ET_EXEC		2	/* a vmlinux */
#define KD_ELF_ET_DYN		3
#define KD_ELF_EM_X86_64	62

/* Elf64_Phdr: one program header */
#define KD_ELF_PHDR_SIZE	56
#define KD_ELF_P_TYPE		0	/* le32: PT_* */
#define KD_ELF_P_FLAGS		4	/* le32: PF_* */
#define KD_ELF_P_OFFSET		8	/* le64 */
#define KD_ELF_P_VADDR		16	/* le64 */
#define KD_ELF_P_PADDR		24	/* le64 */
#define KD_ELF_P_FILESZ		32	/* le64 */
#define KD_ELF_P_MEMSZ		40	/* le64 */
#define KD_ELF_P_ALIGN		48	/* le64 */

#define KD_ELF_PT_LOAD		1
#define KD_ELF_PF_X		1
#define KD_ELF_PF_W		2
#define KD_ELF_PF_R		4

/* Elf64_Shdr: one section header */
#define KD_ELF_SHDR_SIZE	64
#define KD_ELF_SH_NAME		0	/* le32: offset in the section-name table */
#define KD_ELF_SH_TYPE		4	/* le32: SHT_* */
#define KD_ELF_SH_FLAGS		8	/* le64: SHF_* */
#define KD_ELF_SH_ADDR		16	/* le64 */
#define KD_ELF_SH_OFFSET	24	/* le64 */
#define KD_ELF_SH_SIZE		32	/* le64 */
#define KD_ELF_SH_LINK		40	/* le32: the symbol or string table it uses */
#define KD_ELF_SH_INFO		44	/* le32: RELA: the section it patches; SYMTAB: the first non-local */
#define KD_ELF_SH_ADDRALIGN	48	/* le64 */
#define KD_ELF_SH_ENTSIZE	56	/* le64 */

#define KD_ELF_SHT_SYMTAB	2
#define KD_ELF_SHT_STRTAB	3
#define KD_ELF_SHT_RELA		4
#define KD_ELF_SHT_NOTE		7
#define KD_ELF_SHT_NOBITS	8
#define KD_ELF_SHF_ALLOC	0x2
#define KD_ELF_SHF_EXECINSTR	0x4
/* Section indices from SHN_LORESERVE up are not sections; SHN_ABS marks an absolute symbol. */
#define KD_ELF_SHN_UNDEF	0
#define KD_ELF_SHN_LORESERVE	0xff00
#define KD_ELF_SHN_ABS		0xfff1

/* Elf64_Sym: one symbol */
#define KD_ELF_SYM_SIZE		24
#define KD_ELF_ST_NAME		0	/* le32: offset in the symbol table's string table (sh_link) */
#define KD_ELF_ST_INFO		4	/* u8: binding << 4 | type */
#define KD_ELF_ST_OTHER		5	/* u8: visibility */
#define KD_ELF_ST_SHNDX		6	/* le16: its section, or SHN_* */
#define KD_ELF_ST_VALUE		8	/* le64 */
#define KD_ELF_ST_SIZE		16	/* le64 */

#define KD_ELF_STB_LOCAL	0
#define KD_ELF_STB_GLOBAL	1
#define KD_ELF_STB_WEAK		2
#define KD_ELF_STT_NOTYPE	0
#define KD_ELF_STT_OBJECT	1
#define KD_ELF_STT_FUNC		2
#define KD_ELF_ST_INFO_OF(bind, type) ((uint8_t)((bind) << 4 | (type)))

/* Elf64_Rela: one relocation with addend; r_info is symbol << 32 | type */
#define KD_ELF_RELA_SIZE	24
#define KD_ELF_R_OFFSET		0	/* le64: the spot, as an address in the patched section */
#define KD_ELF_R_INFO		8	/* le64 */
#define KD_ELF_R_SYM(info)	((uint32_t)((info) >> 32))
#define KD_ELF_R_TYPE(info)	((uint32_t)(info))

/* x86-64 psABI relocation types that occur in a kernel */
#define KD_R_X86_64_NONE	0
#define KD_R_X86_64_64		1
#define KD_R_X86_64_PC32	2
#define KD_R_X86_64_PLT32	4
#define KD_R_X86_64_32		10
#define KD_R_X86_64_32S		11
#define KD_R_X86_64_PC64	24

/* Does buf[0..len) start with the ELF magic (a vmlinux, where a bzImage starts with its boot sector)? */
static inline bool kd_elf_has_magic(const uint8_t *buf, size_t len)
{
	return len >= KD_ELF_MAGIC_LEN && kd_memcmp(buf, KD_ELF_MAGIC, KD_ELF_MAGIC_LEN) == 0;
}

/* A section header, whole, for the tools that read and rewrite section tables. */
struct kd_elf_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};

static inline struct kd_elf_shdr kd_elf_get_shdr(const uint8_t *p)
{
	return (struct kd_elf_shdr){
		.name = kd_get_le32(p + KD_ELF_SH_NAME), .type = kd_get_le32(p + KD_ELF_SH_TYPE),
		.flags = kd_get_le64(p + KD_ELF_SH_FLAGS), .addr = kd_get_le64(p + KD_ELF_SH_ADDR),
		.offset = kd_get_le64(p + KD_ELF_SH_OFFSET), .size = kd_get_le64(p + KD_ELF_SH_SIZE),
		.link = kd_get_le32(p + KD_ELF_SH_LINK), .info = kd_get_le32(p + KD_ELF_SH_INFO),
		.addralign = kd_get_le64(p + KD_ELF_SH_ADDRALIGN), .entsize = kd_get_le64(p + KD_ELF_SH_ENTSIZE),
	};
}

static inline void kd_elf_put_shdr(uint8_t *p, const struct kd_elf_shdr *s)
{
	kd_put_le32(p + KD_ELF_SH_NAME, s->name);
	kd_put_le32(p + KD_ELF_SH_TYPE, s->type);
	kd_put_le64(p + KD_ELF_SH_FLAGS, s->flags);
	kd_put_le64(p + KD_ELF_SH_ADDR, s->addr);
	kd_put_le64(p + KD_ELF_SH_OFFSET, s->offset);
	kd_put_le64(p + KD_ELF_SH_SIZE, s->size);
	kd_put_le32(p + KD_ELF_SH_LINK, s->link);
	kd_put_le32(p + KD_ELF_SH_INFO, s->info);
	kd_put_le64(p + KD_ELF_SH_ADDRALIGN, s->addralign);
	kd_put_le64(p + KD_ELF_SH_ENTSIZE, s->entsize);
}

/* Does a table of n entries of `size` bytes at file offset `off` lie inside a file of len bytes? */
static inline bool kd_elf_table_in_file(uint64_t off, uint64_t n, uint64_t size, size_t len)
{
	return off <= len && n * size <= len - off;
}

/* Are the file's section headers, as its ELF header gives them, whole and inside buf[0..len)? */
static inline bool kd_elf_sections_in_file(const uint8_t *buf, size_t len)
{
	return kd_get_le16(buf + KD_ELF_E_SHENTSIZE) == KD_ELF_SHDR_SIZE &&
	       kd_elf_table_in_file(kd_get_le64(buf + KD_ELF_E_SHOFF), kd_get_le16(buf + KD_ELF_E_SHNUM),
				    KD_ELF_SHDR_SIZE, len);
}
#endif
