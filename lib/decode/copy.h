/* SPDX-License-Identifier: MIT */
/*
 * The wide copies the LZ decoders' fast loops share (lz4, lzo, zstd).  They
 * may write up to KD_COPY_OVERRUN bytes past the end of the copy: a fast
 * loop calls them only with at least that much room left, and its careful
 * tail does the rest byte by byte.  The worst case is a match of 1 byte at
 * an offset under 8: three 8-byte words up to 7 apart, 22 bytes past it
 * (wide copies write at most 15).
 */
#ifndef KD_COPY_H
#define KD_COPY_H
#include "kd.h"

#define KD_COPY_OVERRUN 22

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

/* For an offset under 16, the smallest multiple of it that is at least 16. */
static const uint8_t kd_pattern_step[16] = { 0, 16, 16, 18, 16, 20, 18, 21, 16, 18, 20, 22, 24, 26, 28, 30 };

/* For an offset under 8, the largest multiple of it that is at most 8. */
static const uint8_t kd_pattern_stride[8] = { 0, 8, 8, 6, 8, 5, 6, 7 };

/*
 * Copy a match of n >= 1 bytes from op - offset (offset >= 1) to op.  Under
 * 16, source and destination overlap and the output repeats with period
 * `offset`.  The first 16 bytes are written first: under 8, as a word
 * holding the period repeated, stored at multiples of the period.  Then,
 * when the period divides 16 (runs of one byte above all), those 16 bytes
 * are the whole pattern and stay in registers, rather than reloading what
 * was just stored (which waits on store forwarding every step); otherwise
 * the bytes kd_pattern_step[offset] back hold the same phase, 16 at a time.
 */
static inline void kd_match_copy(uint8_t *op, size_t offset, size_t n)
{
	const uint8_t *src = op - offset;

	if (KD_LIKELY(offset >= 16)) {
		kd_wild_copy(op, src, n);
		return;
	}
	if (offset >= 8) {
		kd_memcpy(op, src, 8);
		kd_memcpy(op + 8, src + 8, 8);
	} else {
		unsigned bits = 8 * (unsigned)offset;
		uint64_t pattern = kd_get_le64(src) & (((uint64_t)1 << bits) - 1);
		size_t stride = kd_pattern_stride[offset];

		for (unsigned have = bits; have < 64; have *= 2)
			pattern |= pattern << have;
		kd_put_le64(op, pattern);
		kd_put_le64(op + stride, pattern);
		kd_put_le64(op + 2 * stride, pattern);
	}
	if (n <= 16)
		return;
	if (16 % offset == 0) {
		uint64_t lo = kd_get_le64(op), hi = kd_get_le64(op + 8);

		for (uint8_t *d = op + 16, *end = op + n; d < end; d += 16) {
			kd_put_le64(d, lo);
			kd_put_le64(d + 8, hi);
		}
		return;
	}
	size_t step = kd_pattern_step[offset];
	for (uint8_t *d = op + 16, *end = op + n; d < end; d += 16)
		kd_copy16(d, d - step);
}
#endif
