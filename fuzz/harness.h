/* SPDX-License-Identifier: MIT */
/*
 * What every decoder target checks, in one place: run one decoder with its
 * input, its output room and its heap each between guard pages (guard.h),
 * and hold it to the decoder contract in lib/kd.h: sizes reported within
 * the buffers, every error with a reason, the heap within what
 * kd_<fmt>_heap_size() promises, no access behind what a drain call gave
 * back and no change to what it called done.  Any breach aborts, which libFuzzer
 * reports as a crash.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H
#include "guard.h"
#include "kd.h"

#define FUZZ_OUT_MAX ((255u << 12) + 1)	/* output room: 1 byte to ~1 MiB, from one input byte */

/* Output room from one steering byte: 1 byte to FUZZ_OUT_MAX. */
static inline size_t fuzz_out_room(uint8_t steer)
{
	return ((size_t)steer << 12) + 1;
}

/* What a decoder gave, for targets that compare it: `data` has the call's cap bytes of room. */
struct fuzz_output {
	uint8_t *data;
	size_t len;
	const char *why;
};

/*
 * Decode in[0..in_len) with fmt's decoder into cap bytes, the buffers
 * against the guard pages on `side`; if `out` is not NULL, the output, its
 * length and the reason for an error are copied there.
 */
enum kd_err fuzz_decode(enum kd_format fmt, const uint8_t *in, size_t in_len, size_t cap, enum guard_side side,
			struct fuzz_output *out);
#endif
