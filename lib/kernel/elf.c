// SPDX-License-Identifier: MIT
/* The kernel's ELF: read it, place its segments (ELF-64 and x86-64 psABI facts). */
#include "bootparam.h"
#include "elf.h"
#include "elf64.h"

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static enum kd_err read_segment(const uint8_t *ph, size_t len, struct kd_elf_segment *s, struct kd_report *r)
{
	s->flags = kd_get_le32(ph + KD_ELF_P_FLAGS);
	s->offset = kd_get_le64(ph + KD_ELF_P_OFFSET);
	s->vaddr = kd_get_le64(ph + KD_ELF_P_VADDR);
	s->paddr = kd_get_le64(ph + KD_ELF_P_PADDR);
	s->filesz = kd_get_le64(ph + KD_ELF_P_FILESZ);
	s->memsz = kd_get_le64(ph + KD_ELF_P_MEMSZ);
	if (s->offset > len || s->filesz > len - s->offset)
		return kd_reject(r, KD_ERR_ELF, "segment lies outside the file", "p_offset + p_filesz",
				 s->offset + s->filesz, len);
	if (s->filesz > s->memsz)
		return kd_reject(r, KD_ERR_ELF, "segment's file size exceeds its memory size", "p_filesz",
				 s->filesz, s->memsz);
	if (s->paddr > UINT64_MAX - s->memsz)
		return kd_reject(r, KD_ERR_ELF, "segment wraps around the address space", "p_paddr",
				 s->paddr, s->memsz);
	return KD_OK;
}

/*
 * Two segments whose memory [p_paddr, p_paddr + p_memsz) overlaps cannot
 * both be placed: the later one would overwrite the earlier.
 */
static enum kd_err check_no_overlap(const struct kd_elf_info *info, const struct kd_elf_segment *s,
				    struct kd_report *r)
{
	for (unsigned i = 0; i < info->n_load; i++) {
		const struct kd_elf_segment *o = &info->load[i];

		if (s->memsz && o->memsz && s->paddr < o->paddr + o->memsz && o->paddr < s->paddr + s->memsz)
			return kd_reject(r, KD_ERR_ELF, "segments overlap in memory", "p_paddr", s->paddr,
					 o->paddr + o->memsz);
	}
	return KD_OK;
}

enum kd_err kd_elf_read(const uint8_t *buf, size_t len, struct kd_elf_info *info, struct kd_report *r)
{
	enum kd_err err;

	kd_memset(info, 0, sizeof(*info));
	if (len < KD_ELF_EHDR_SIZE || !kd_elf_has_magic(buf, len))
		return kd_reject(r, KD_ERR_ELF, "no ELF magic", "e_ident", len >= KD_ELF_MAGIC_LEN ? kd_get_be32(buf) : 0,
				 KD_ELF_MAGIC_BE32);
	if (buf[KD_ELF_EI_CLASS] != KD_ELF_CLASS64)
		return kd_reject(r, KD_ERR_ELF, "not a 64-bit ELF", "EI_CLASS", buf[KD_ELF_EI_CLASS], KD_ELF_CLASS64);
	if (buf[KD_ELF_EI_DATA] != KD_ELF_DATA_LSB)
		return kd_reject(r, KD_ERR_ELF, "not little-endian", "EI_DATA", buf[KD_ELF_EI_DATA],
				 KD_ELF_DATA_LSB);
	if (kd_get_le16(buf + KD_ELF_E_MACHINE) != KD_ELF_EM_X86_64)
		return kd_reject(r, KD_ERR_ELF, "not an x86-64 ELF", "e_machine", kd_get_le16(buf + KD_ELF_E_MACHINE),
				 KD_ELF_EM_X86_64);
	uint16_t type = kd_get_le16(buf + KD_ELF_E_TYPE);
	if (type != KD_ELF_ET_EXEC && type != KD_ELF_ET_DYN)
		return kd_reject(r, KD_ERR_ELF, "not an executable", "e_type", type, KD_ELF_ET_EXEC);

	uint64_t phoff = kd_get_le64(buf + KD_ELF_E_PHOFF);
	uint16_t phnum = kd_get_le16(buf + KD_ELF_E_PHNUM), shnum = kd_get_le16(buf + KD_ELF_E_SHNUM);
	if (phnum == 0 || phnum > KD_ELF_MAX_PHDRS)
		return kd_reject(r, KD_ERR_ELF, "program header count out of range", "e_phnum", phnum, KD_ELF_MAX_PHDRS);
	if (kd_get_le16(buf + KD_ELF_E_PHENTSIZE) != KD_ELF_PHDR_SIZE)
		return kd_reject(r, KD_ERR_ELF, "unexpected program header size", "e_phentsize",
				 kd_get_le16(buf + KD_ELF_E_PHENTSIZE), KD_ELF_PHDR_SIZE);
	if (phoff > len || (uint64_t)phnum * KD_ELF_PHDR_SIZE > len - phoff)
		return kd_reject(r, KD_ERR_ELF, "program headers lie outside the file", "e_phoff", phoff, len);
	info->file_end = max_u64(KD_ELF_EHDR_SIZE, phoff + (uint64_t)phnum * KD_ELF_PHDR_SIZE);
	if (shnum) {
		uint64_t shoff = kd_get_le64(buf + KD_ELF_E_SHOFF);

		if (kd_get_le16(buf + KD_ELF_E_SHENTSIZE) != KD_ELF_SHDR_SIZE || shoff > len ||
		    (uint64_t)shnum * KD_ELF_SHDR_SIZE > len - shoff)
			return kd_reject(r, KD_ERR_ELF, "section headers lie outside the file", "e_shoff", shoff, len);
		info->file_end = max_u64(info->file_end, shoff + (uint64_t)shnum * KD_ELF_SHDR_SIZE);
	}
	info->entry = kd_get_le64(buf + KD_ELF_E_ENTRY);
	info->mem_start = UINT64_MAX;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = buf + phoff + (size_t)i * KD_ELF_PHDR_SIZE;
		struct kd_elf_segment *s = &info->load[info->n_load];

		if (kd_get_le32(ph + KD_ELF_P_TYPE) != KD_ELF_PT_LOAD)
			continue;
		if ((err = read_segment(ph, len, s, r)) != KD_OK)
			return err;
		if (info->n_load && s->offset < info->load[info->n_load - 1].offset +
						 info->load[info->n_load - 1].filesz)
			return kd_reject(r, KD_ERR_ELF, "segments out of order or overlapping in the file",
					 "p_offset", s->offset, 0);
		if ((err = check_no_overlap(info, s, r)) != KD_OK)
			return err;
		info->mem_start = s->paddr < info->mem_start ? s->paddr : info->mem_start;
		info->mem_end = max_u64(info->mem_end, s->paddr + s->memsz);
		info->file_end = max_u64(info->file_end, s->offset + s->filesz);
		info->n_load++;
	}
	if (info->n_load == 0)
		return kd_reject(r, KD_ERR_ELF, "no loadable segment", "PT_LOAD count", 0, 1);
	return KD_OK;
}

enum kd_err kd_elf_place(uint8_t *buf, size_t cap, const struct kd_elf_info *info, uint64_t load_base,
			 struct kd_report *r)
{
	for (unsigned i = 0; i < info->n_load; i++) {
		const struct kd_elf_segment *s = &info->load[i];

		if (s->paddr < load_base)
			return kd_reject(r, KD_ERR_ELF, "segment is linked below the load address", "p_paddr",
					 s->paddr, load_base);
		uint64_t dest = s->paddr - load_base;
		if (dest > cap || s->memsz > cap - dest)
			return kd_reject(r, KD_ERR_ELF, "segment does not fit in the kernel's memory", "p_paddr + p_memsz",
					 s->paddr + s->memsz, load_base + cap);
		/* moving down in file order is what keeps the in-place move safe */
		if (dest > s->offset)
			return kd_reject(r, KD_ERR_ELF, "segment would move up over data not yet placed",
					 "p_paddr - load address", dest, s->offset);
		kd_memmove(buf + dest, buf + s->offset, s->filesz);
	}
	return KD_OK;
}
