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

/*
 * The shared test corpus: empty, one byte, zeros, random, text, an x86-64
 * binary, sparse data, a run-length torture, ... .  `name` is for messages.
 * The blob is owned by the corpus; do not free it.
 */
size_t t_corpus_count(void);
struct t_blob t_corpus(size_t i, const char **name);

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
#endif
