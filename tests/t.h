/* SPDX-License-Identifier: MIT */
/*
 * The test harness: TEST(name) registers a test; CHECK* record failures and
 * carry on; the runner prints "N passed, N failed[, N skipped]" last.
 *
 *   build/tests/run [SUBSTRING...]   run the tests whose names contain one
 */
#ifndef T_H
#define T_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kd.h"

struct t_case {
	const char *name;
	void (*fn)(void);
	struct t_case *next;
};

void t_register(struct t_case *c);
void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void t_skip(const char *why);

#define TEST(name)                                                            \
	static void name(void);                                               \
	static struct t_case name##_case = { #name, name, NULL };             \
	__attribute__((constructor)) static void name##_register(void)        \
	{                                                                     \
		t_register(&name##_case);                                     \
	}                                                                     \
	static void name(void)

#define CHECK(cond) \
	do { if (!(cond)) t_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECKF(cond, ...) \
	do { if (!(cond)) t_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define CHECK_EQ(a, b)                                                                \
	do {                                                                          \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ != b_)                                                         \
			t_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, #b, a_, b_); \
	} while (0)

/* A byte buffer owned by the test (free with free()). */
struct t_blob {
	uint8_t *data;
	size_t len;
};

/* Read a whole file; {NULL, 0} if it cannot be read. */
struct t_blob t_read_file(const char *path);

/* t_read_file with a NUL after the bytes (not counted in len), for reading text. */
struct t_blob t_read_text(const char *path);

/*
 * The ELF-64 header of an x86-64 ET_EXEC at e[0..64): entered at `entry`,
 * phnum program headers right after it, shnum section headers at shoff.
 */
void t_elf_header(uint8_t *e, uint64_t entry, unsigned phnum, uint64_t shoff, unsigned shnum);

/* A PT_LOAD program header at ph: file [offset, + filesz) at physical paddr, virtual vaddr. */
void t_elf_load(uint8_t *ph, uint32_t flags, uint64_t offset, uint64_t paddr, uint64_t vaddr, uint64_t filesz,
		uint64_t memsz);

/*
 * A minimal x86-64 kernel ELF as Linux links vmlinux: one R-X PT_LOAD of
 * `text` at file offset 4096, physical `link`, virtual 0xffffffff80000000 +
 * link, the entry at its start; one null section header last (so no
 * relocation sections), then `tail` bytes of room for the caller (a
 * relocation table, say).  The ELF ends at len - tail.
 */
struct t_blob t_kernel_elf(uint64_t link, const uint8_t *text, size_t text_len, size_t tail);

/* Write a whole file; a failure if it cannot be written. */
void t_write_file(const char *path, const void *data, size_t len);

/* Is there a file (or anything) at path? */
bool t_exists(const char *path);

/* Does the file hold exactly data[0..len)? */
bool t_file_equals(const char *path, const uint8_t *data, size_t len);

/*
 * The shared test corpus: empty, one byte, zeros, random, text, an x86-64
 * binary, sparse data, a run-length torture, ... .  `name` is for messages.
 * The blob is owned by the corpus; do not free it.
 */
size_t t_corpus_count(void);
struct t_blob t_corpus(size_t i, const char **name);

/* The corpus item named `want` into *b; false if there is none. */
bool t_corpus_find(const char *want, struct t_blob *b);

/* Deterministic pseudo-random numbers for tests (xorshift). */
uint64_t t_rand(uint64_t *state);

/*
 * A real Debian kernel from the cache scripts/fetch-kernels.sh fills:
 * t_kernel_path("cloud") -> .../vmlinuz-cloud.  Returns NULL, after
 * t_skip(), when it is missing (a failure instead when
 * KDECOMP_REQUIRE_KERNELS=1, as CI sets).
 */
const char *t_kernel_path(const char *file);

/*
 * The decompressed payload of Debian's cloud kernel (vmlinux followed by
 * its relocation table), decoded by the reference lz4 library: the largest
 * real input the decoder tests share.  Cached; do not free.  NULL if the
 * kernel is not available (after t_skip).
 */
struct t_blob *t_kernel_payload(void);

/* The payload a bzImage carries (inside img; trailer included), by its setup header; {NULL, 0} if none. */
struct t_blob t_bzimage_payload(struct t_blob img);

/*
 * Compressed copies of a payload of `len` bytes, cached beside the real
 * kernels (slow compressors run once): `what` names the packing, e.g.
 * "xz" or "zst19".  t_cache_read gives {NULL, 0} when there is none.
 */
struct t_blob t_cache_read(const char *what, size_t len);
void t_cache_write(const char *what, size_t len, const struct t_blob *c);

/*
 * A decoder test's call of its decoder: all of `c` into `cap` bytes of
 * `out`; sets *out_len and (unless NULL) *in_used, making the checks it
 * makes on every call.
 */
typedef enum kd_err t_decode_fn(const struct t_blob *c, uint8_t *out, size_t cap, size_t *out_len, size_t *in_used);

/* `c` decodes to exactly ref[0..len), uses all of its input, and kd_out_bound holds for it. */
void t_check_roundtrip(t_decode_fn *decode, const char *what, const uint8_t *ref, size_t len, const struct t_blob *c);

/*
 * In place, as the boot stub decodes: the input at the end of one buffer
 * of len + len / 256 + 128 KiB, the output from its start.
 */
void t_check_in_place(t_decode_fn *decode, const char *what, const uint8_t *ref, size_t len, const struct t_blob *c);

/*
 * Every prefix of `c` (every byte near the start, then every len/thin-th)
 * fails with KD_ERR_TRUNCATED, or KD_ERR_MAGIC when shorter than magic_len.
 */
void t_check_truncations(t_decode_fn *decode, const struct t_blob *c, size_t out_len, size_t thin, size_t magic_len);

/*
 * Running the program: build/kdecomp beside build/tests/run (a sanitizer
 * build, B=build-san, tests its own build-san/kdecomp).
 */
const char *t_kdecomp_path(void);

/* The program as commands name it: t_run("%s inspect '%s'", KDECOMP, path). */
#define KDECOMP t_kdecomp_path()

/* Is the program there?  A failure if not. */
bool t_have_kdecomp(void);

/*
 * A file name in this run's scratch directory, removed at exit; the same
 * name gives the same string.  One directory for all tests: names a test
 * expects to be absent must not be used by another.
 */
const char *t_tmp(const char *name);

/*
 * Run a shell command with its stdout and stderr (of the whole command)
 * captured in t_tmp("stdout") and t_tmp("stderr"); its exit status, -1 if
 * it did not exit normally.
 */
int t_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* t_tmp("stdout") or t_tmp("stderr") after t_run, as t_read_text reads it. */
struct t_blob t_captured(const char *which);

/* A failure unless t_tmp("stderr") is one line "kdecomp: ..." naming `needle`. */
void t_check_error_line(const char *what, const char *needle);

/* Does t_tmp("stderr") contain `needle`? */
bool t_stderr_says(const char *needle);

/* A reference command-line compressor, as the CLI tests run it. */
struct t_reference_tool {
	const char *label;	/* for messages */
	enum kd_format fmt;
	const char *compress;	/* shell command: file -> stdout */
	bool kernel_size;	/* Linux appends the size to this format's payloads */
};

/* The file at in_path compressed by t; {NULL, 0}, after a failure, if the tool fails. */
struct t_blob t_compress_with(const struct t_reference_tool *t, const char *in_path);

/* --- json.c: reading kdecomp's --json output --- */

/* A whole document that is one valid JSON object. */
bool json_valid(const char *doc);

/* The value of member `key` of the object at `obj`, or NULL. */
const char *json_get(const char *obj, const char *key);

/* A member that is a non-negative integer; false if absent or not one. */
bool json_num(const char *obj, const char *key, uint64_t *v);

/* A string member, decoded (\uXXXX below 0x100 as one byte); false if absent. */
bool json_str(const char *obj, const char *key, char *out, size_t cap);

/* Item i of the array at `array`, or NULL past its end. */
const char *json_item(const char *array, size_t i);
#endif
