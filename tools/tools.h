/* SPDX-License-Identifier: MIT */
/* The kdecomp CLI: one function per subcommand, and the helpers they share. */
#ifndef KD_TOOLS_H
#define KD_TOOLS_H
#include <stdio.h>

#include "bootparam.h"
#include "bzimage.h"
#include "elf.h"
#include "kallsyms.h"
#include "kd.h"

struct kd_file {
	uint8_t *data;
	size_t len;
	bool mapped;	/* mmap'd (map_file, reserve_output), not malloc'd */
};

/* Subcommands: each gets argv from its own name on and returns the exit status. */
int cmd_inspect(int argc, char **argv);
int cmd_decompress(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_symbols(int argc, char **argv);
int cmd_relocs(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_formats(int argc, char **argv);

/* Die with `command`'s synopsis from main.c's table (exit status 1). */
void die_usage(const char *command) __attribute__((noreturn));

/* Print "kdecomp: <message>" on stderr and exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Read a whole file ("-" is stdin), or die with the reason. */
struct kd_file read_file(const char *path);

/*
 * A whole file to read, not to change: a regular file is mapped read-only
 * (populated at once, so there are no page faults to take and nothing is
 * copied); anything else is read as read_file does.
 */
struct kd_file map_file(const char *path);

/* Give back a file from read_file or map_file (or memory moved out of one). */
void file_release(struct kd_file *f);

/*
 * An output written piece by piece and atomically: to a temporary file
 * beside it, renamed into place by out_commit, removed by out_abort (and by
 * out_write when it fails), so a failure never leaves a partial output.
 * "-" is stdout; it and any path that exists and is not a regular file (a
 * device, a pipe) are written in place, without that guard.
 */
struct out_file {
	const char *path;	/* for messages */
	char *tmp;		/* the temporary file's name; NULL where written in place */
	int fd;
};

struct out_file out_open(const char *path);
void out_write(struct out_file *o, const uint8_t *data, size_t len);	/* or remove it and die */
void out_commit(struct out_file *o);	/* or remove it and die */
void out_abort(struct out_file *o);

/* A whole file at once: out_open, out_write, out_commit. */
void write_file(const char *path, const uint8_t *data, size_t len);

/* Print a struct kd_report as one line after `what` and exit(1). */
void die_report(const char *what, enum kd_err err, const struct kd_report *r) __attribute__((noreturn));

/* A report in words: "<why> (<field> = 0x.., limit 0x..)". */
void report_message(char *buf, size_t size, enum kd_err err, const struct kd_report *r);

/* malloc that dies instead of returning NULL. */
void *xmalloc(size_t size);

/*
 * A buffer about to be filled whole (decoder output): ask the kernel to back
 * its 2 MiB-aligned part with huge pages, which takes 512 times fewer page
 * faults and TLB entries.  A hint: the kernel may decline.
 */
#define HUGE_PAGE_SIZE ((uintptr_t)2 << 20)
void advise_huge_pages(void *p, size_t len);

/*
 * `want` bytes of address space for decoded output, or as much of it as
 * the system grants (strict overcommit or an address-space limit refuse
 * large reservations; below 64 MiB it dies): *got says how much.  Pages
 * are backed only when written, as huge pages where the kernel allows.
 * A struct kd_file over it is `mapped`: file_release gives it back.
 */
uint8_t *reserve_output(uint64_t want, size_t *got);

/* A monotonic clock in nanoseconds, for timing steps. */
uint64_t now_ns(void);

/* --- payload.c: decoding whole streams and kernel payloads --- */

/*
 * Decode a whole stream of `fmt` into out[0 .. cap) in one pass; job tells
 * what happened.  drain, if not NULL, streams the output (kd_job's drain).
 */
enum kd_err decode_stream(enum kd_format fmt, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			  void (*drain)(struct kd_job *, size_t, size_t), void *drain_ctx, struct kd_job *job);

/*
 * What may follow a stream: nothing, or the 4-byte little-endian output
 * length Linux appends to its payloads.  True if the tail is one of those.
 */
bool tail_is_allowed(const uint8_t *in, size_t len, size_t in_used, size_t out_len);

/*
 * A bzImage's payload, decoded and split into the vmlinux ELF and its
 * relocation table.  The ELF alone makes a kernel: a table that is
 * unreadable leaves relocs_error set, for the commands that need the table
 * (pack, extract --relocs) to refuse, while the others (symbols) go on.
 */
struct kernel {
	struct kd_file data;		/* the decompressed payload: ELF, then the table */
	enum kd_format format;		/* the payload's compression; KD_FMT_UNKNOWN for a vmlinux or raw dump */
	size_t payload_len;		/* its compressed size */
	struct kd_elf_info elf;		/* elf.file_end is where the table starts */
	struct kd_relocs relocs;	/* layout KD_RELOCS_NONE, start == end, when there is none */
	char relocs_error[256];		/* why the table is unreadable; "" when it is fine */
};

/* Decode and check img's payload; on failure false, with the reason in msg. */
bool kernel_decode(const struct kd_bzimage *img, struct kernel *k, char *msg, size_t msg_size);

/* Check a decompressed payload (or a vmlinux) and split it: ELF (false, msg on error), then relocations. */
bool kernel_split(struct kernel *k, char *msg, size_t msg_size);

/*
 * What kernel_load accepts besides a vmlinux ELF and a bzImage: a raw
 * dump of the kernel's loaded bytes, as `objcopy -O binary vmlinux` writes
 * them (from the lowest load address up, without .bss).  A raw dump says
 * nothing of where it runs: `raw_base` is the virtual address of its first
 * byte.
 */
/* A raw dump says nothing of its address: assume distributions' CONFIG_PHYSICAL_START (16 MiB); --base to change */
#define RAW_BASE_DEFAULT (KD_START_KERNEL_MAP + 0x1000000ull)

/*
 * The kernel in file f (its data moves into k): f itself when it is an ELF,
 * the decoded payload when it is a bzImage, else (raw_base != 0) a raw dump
 * starting at virtual address raw_base.  Dies with `what` and the reason.
 */
void kernel_load(const char *what, const char *path, struct kd_file *f, uint64_t raw_base, struct kernel *k);

/* The relocation table as kernel_split found it; dies naming `what` if it is unreadable. */
void kernel_need_relocs(const struct kernel *k, const char *what);

/*
 * The kernel's version as its banner says it ("Linux version 7.2.13+deb14-...",
 * up to the newline) if data[0..limit) holds the banner; "" if not.
 */
void kernel_version(const uint8_t *data, size_t limit, char *out, size_t out_size);

/* --- relocs.c --- */

/*
 * The relocation table Linux appends, generated from a vmlinux linked with
 * --emit-relocs (dies on error); empty (len 0) when it has no relocation
 * sections, as Linux links a kernel that needs no table.
 */
struct kd_file relocs_generate(const char *path, const uint8_t *data, size_t len, bool quiet);

/* --- pack.c: a bzImage of kdecomp's own around a kernel --- */

struct input;	/* the kernel to pack: its vmlinux, relocations, version string and alignment */

/* Read a bzImage or vmlinux (with its relocation table, if given) to pack; dies if the stub cannot boot it. */
struct input *pack_read(const char *path, const char *relocs_path);
void pack_free(struct input *in);

/* What the image decompresses to: the vmlinux the stub boots, then its relocation table (owned by in). */
struct kd_file pack_kernel(const struct input *in);

struct packed {
	struct kd_file image;	/* malloc'd */
	size_t payload_len;	/* the compressed kernel, with its 4-byte size */
	uint64_t out_len;	/* the kernel decompressed */
	uint64_t init_size;
	uint64_t margin;	/* the in-place margin the host decode confirmed */
};

/* The bootable image of `in` in `fmt` at `level` (0: Linux's), in memory; dies on error. */
struct packed pack_image(const struct input *in, enum kd_format fmt, int level);

/* --- compress.c: the reference compressors at Linux's settings, for pack --- */

/* Linux's level for the format (xz 6 with a 32 MiB dictionary, zstd 22, the rest 9). */
int default_level(enum kd_format fmt);

/* The payload as Linux builds it: the compressed stream, then the 4-byte size (gzip: ISIZE). */
struct kd_file compress_payload(enum kd_format fmt, const uint8_t *in, size_t len, int level);

/* --- symbols.c: the kernel's own symbol table (kallsyms) --- */
struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset of the NUL-terminated name in ksyms.names */
	uint16_t name_len;
	char type;		/* nm's type letter */
};

struct ksyms {
	struct kd_kallsyms where;	/* the tables in the vmlinux */
	struct ksym *sym;		/* in table (address) order */
	size_t n;
	char *names;
	size_t names_len;
};

/* Find and decode the kallsyms table of vmlinux[0..len); on failure false, with the reason in msg. */
bool ksyms_read(const uint8_t *vmlinux, size_t len, const struct kd_elf_info *elf, struct ksyms *t, char *msg,
		size_t msg_size);
void ksyms_free(struct ksyms *t);

/* --- elf_symtab.c: a vmlinux with .symtab and .strtab added from kallsyms --- */

/*
 * The vmlinux elf[0..len) with the symbols of t as an ELF symbol table, in
 * three pieces, so that the (large) input is written out, not copied:
 * ehdr (its ELF header, changed), elf[KD_ELF_EHDR_SIZE .. len) as it is, then
 * tail (malloc'd).  False with msg on failure.
 */
#define KD_ELF_EHDR_SIZE 64
struct symtab_elf {
	uint8_t ehdr[KD_ELF_EHDR_SIZE];
	struct kd_file tail;
};
bool elf_add_symtab(const uint8_t *elf, size_t len, const struct ksyms *t, struct symtab_elf *out, char *msg,
		    size_t msg_size);

/* --- emit.c: one description printed as aligned text or as one JSON object --- */

/*
 * Every JSON object kdecomp prints starts with "json_version": this.  It
 * goes up when a field changes meaning or goes away (new fields do not
 * raise it); docs/kdecomp.1 lists the fields.
 */
#define JSON_VERSION 1

struct emit {
	FILE *f;
	bool json;
	bool first;	/* no member yet at this level: JSON needs no comma */
	bool in_item;	/* inside an array item: members go on one line */
	int depth;	/* objects and arrays open */
	char close[8];	/* the closing bracket of each open level */
};

void emit_begin(struct emit *e, FILE *f, bool json);	/* JSON: with its json_version */
void emit_end(struct emit *e);
void emit_num(struct emit *e, const char *key, uint64_t v, bool hex);	/* hex: in text; JSON is decimal */
void emit_str(struct emit *e, const char *key, const char *s, size_t len);
void emit_cstr(struct emit *e, const char *key, const char *s);
void emit_num_noted(struct emit *e, const char *key, uint64_t v, const char *suffix, const char *note);
void emit_flags(struct emit *e, const char *key, uint64_t v, const char *const *names, unsigned n);
void emit_object(struct emit *e, const char *key);
void emit_array(struct emit *e, const char *key);
void emit_item(struct emit *e);
void emit_item_end(struct emit *e);
void emit_close(struct emit *e);	/* ends the innermost object or array */
#endif
