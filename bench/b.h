/* SPDX-License-Identifier: MIT */
/*
 * The benchmark harness.  BENCH(name) registers a benchmark; b_time() times
 * a function (median of several runs, after a warm-up); b_report() prints
 * one line: ours and the reference in MB/s of output, and the ratio, both
 * measured in the same run.  `build/bench/run [SUBSTRING...]` runs some.
 */
#ifndef B_H
#define B_H
#include "../tests/t.h"

struct b_case {
	const char *name;
	void (*fn)(void);
	struct b_case *next;
};
void b_register(struct b_case *c);

#define BENCH(name)                                                           \
	static void name(void);                                               \
	static struct b_case name##_case = { #name, name, NULL };             \
	__attribute__((constructor)) static void name##_register(void)        \
	{                                                                     \
		b_register(&name##_case);                                     \
	}                                                                     \
	static void name(void)

/* Median wall time in seconds of `runs` calls of fn(arg), after one warm-up call. */
double b_time(void (*fn)(void *), void *arg, int runs);

/* "what: ours X MB/s, ref Y MB/s, ratio Z" for `bytes` of output per call. */
void b_report(const char *what, const char *ref_name, size_t bytes, double ours_s, double ref_s);

/* Abort the benchmark run: a decoder that gets the wrong answer has no speed. */
void b_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#endif
