/* SPDX-License-Identifier: MIT */
/*
 * The wide copies the LZ decoders' fast loops share (lz4, lzo, zstd).  Both
 * may write up to KD_COPY_OVERRUN bytes past the end of the copy: a fast
 * loop calls them only with at least that much room left, and its careful
 * tail does the rest byte by byte.
 */
#ifndef KD_COPY_H
#define KD_COPY_H
#include "kd.h"

#define KD_COPY_OVERRUN 15

static inline void kd_copy16(uint8_t *d, const uint8_t *s)
{
	kd_memcpy(d, s, 16);
}

/* Copy n bytes (s and d at least 16 apart, or d below s) in 16-byte chunks. */
static inline void kd_wild_copy(uint8_t *d, const uint8_t *s, size_t n)
{
	uint8_t *end = d + n;

	do {
		kd_copy16(d, s);
		d += 16;
		s += 16;
	} while (d < end);
}

/*
 * Copy a match of n >= 1 bytes from op - offset (offset >= 1) to op; the two
 * overlap when offset < n, and then the output repeats with period offset.
 */
static inline void kd_match_copy(uint8_t *op, size_t offset, size_t n)
{
	const uint8_t *src = op - offset;

	if (offset >= 16) {
		kd_wild_copy(op, src, n);
		return;
	}
	/* the first 16 bytes one at a time: now op[0..16) holds the pattern */
	for (int i = 0; i < 16; i++)
		op[i] = src[i];
	if (n <= 16)
		return;
	if (16 % offset == 0) {
		/*
		 * The period divides 16 (runs of one byte above all): hold the
		 * pattern in registers rather than reload what was just
		 * stored, which would wait on store forwarding every step.
		 */
		uint64_t lo = kd_get_le64(op), hi = kd_get_le64(op + 8);

		for (uint8_t *d = op + 16, *end = op + n; d < end; d += 16) {
			kd_put_le64(d, lo);
			kd_put_le64(d + 8, hi);
		}
		return;
	}
	/* otherwise copy from `step` back, the least multiple of the period that is >= 16 */
	size_t step = offset * ((16 + offset - 1) / offset);
	for (uint8_t *d = op + 16, *end = op + n; d < end; d += 16)
		kd_copy16(d, d - step);
}
#endif
