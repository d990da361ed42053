// SPDX-License-Identifier: MIT
/*
 * `kdecomp pack` refuses what it cannot make bootable, run as a program
 * (build/kdecomp): a small vmlinux built here packs; another machine's
 * ELF, a shared object, overlapping segments, a kernel larger than its
 * mapping, another kernel's relocations, a table cut short, and outputs it
 * cannot write each give exit status 1, one line naming the fault, and
 * neither an image nor a temporary file.
 */
#include <unistd.h>

#include "kd.h"
#include "elf64.h"
#include "t.h"

#define SYN_ELF_LEN 0x2010

/*
 * A minimal vmlinux the stub can boot: an x86-64 ET_EXEC with two PT_LOAD
 * segments at 16 MiB (text at file 0x1000, data and bss at 0x2000), entered
 * at its start; with an empty relocation table it packs.
 */
static void syn_vmlinux(uint8_t *f)
{
	static const uint64_t paddr[2] = { 0x1000000, 0x1001000 }, off[2] = { 0x1000, 0x2000 };
	static const uint64_t filesz[2] = { 0x100, 0x10 }, memsz[2] = { 0x100, 0x1000 };

	memset(f, 0, SYN_ELF_LEN);
	t_elf_header(f, paddr[0], 2, 0, 0);
	for (int i = 0; i < 2; i++)
		t_elf_load(f + KD_ELF_EHDR_SIZE + KD_ELF_PHDR_SIZE * i,
			   KD_ELF_PF_R | (i ? KD_ELF_PF_W : KD_ELF_PF_X), off[i], paddr[i],
			   0xffffffff80000000ull + paddr[i], filesz[i], memsz[i]);
	memset(f + 0x1000, 0xf4, 0x100);			/* hlt */
}

/* pack ELF with TABLE (LEN bytes) into pk.img: exit 1, one line naming WANT, no image, no temporary file. */
static void check_pack_refuses(const char *what, const uint8_t *elf, const uint8_t *table, size_t len,
			       const char *out, const char *want)
{
	t_write_file(t_tmp("pk.elf"), elf, SYN_ELF_LEN);
	t_write_file(t_tmp("pk.relocs"), table, len);
	CHECKF(t_run("%s pack '%s' --relocs '%s' -c lz4 -o '%s'", KDECOMP, t_tmp("pk.elf"), t_tmp("pk.relocs"), out) == 1,
	       "%s: pack did not exit 1", what);
	t_check_error_line(what, want);
	CHECKF(!t_exists(t_tmp("pk.img")), "%s: an image was written", what);
	CHECKF(t_run("ls -a '%s' | grep -q '^pk\\.img'", t_tmp("")) == 1, "%s: a temporary file was left", what);
}

TEST(cli_pack_refuses_what_cannot_boot)
{
	static uint8_t elf[SYN_ELF_LEN], bad[SYN_ELF_LEN];
	uint8_t empty[12] = { 0 }, outside[16] = { 0 };
	const char *out = t_tmp("pk.img");

	if (!t_have_kdecomp())
		return;
	syn_vmlinux(elf);
	t_write_file(t_tmp("pk.elf"), elf, sizeof(elf));
	t_write_file(t_tmp("pk.relocs"), empty, sizeof(empty));
	CHECK_EQ(t_run("%s pack -q '%s' --relocs '%s' -c lz4 -o '%s'", KDECOMP, t_tmp("pk.elf"), t_tmp("pk.relocs"), out),
		 0);
	CHECK(t_exists(out));
	unlink(out);

	memcpy(bad, elf, sizeof(bad));
	kd_put_le32(bad + 16, 2 | 0xb7 << 16);			/* aarch64 */
	check_pack_refuses("another machine's ELF", bad, empty, sizeof(empty), out, "not an x86-64 ELF");
	memcpy(bad, elf, sizeof(bad));
	bad[16] = 3;						/* ET_DYN: a program, not a kernel */
	check_pack_refuses("a shared object", bad, empty, sizeof(empty), out, "is not a kernel");
	memcpy(bad, elf, sizeof(bad));
	kd_put_le64(bad + 64 + 56 + 24, 0x1000080);		/* data over the text */
	check_pack_refuses("overlapping segments", bad, empty, sizeof(empty), out, "segments overlap in memory");
	memcpy(bad, elf, sizeof(bad));
	kd_put_le64(bad + 64 + 56 + 40, 2ull << 30);		/* 2 GiB of bss */
	check_pack_refuses("a kernel larger than its mapping", bad, empty, sizeof(empty), out, "1 GiB kernel mapping");
	kd_put_le32(outside + 4, 0x90000000);			/* 0 | one 64-bit entry | 0 | 0 */
	check_pack_refuses("another kernel's relocations", elf, outside, sizeof(outside), out,
			   "relocation table does not match the kernel");
	check_pack_refuses("a relocation table cut short", elf, outside, 10, out, "not a whole number of 32-bit entries");

	/* outputs pack cannot write: a missing directory, a directory */
	check_pack_refuses("output in a missing directory", elf, empty, sizeof(empty), t_tmp("no-such-dir/pk.img"),
			   "cannot create a temporary file beside it");
	CHECK_EQ(t_run("mkdir -p '%s'", t_tmp("pk-dir")), 0);
	check_pack_refuses("output is a directory", elf, empty, sizeof(empty), t_tmp("pk-dir"), "Is a directory");
}
