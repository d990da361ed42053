// SPDX-License-Identifier: MIT
/*
 * Adler-32 (RFC 1950): two sums modulo 65521, a of the bytes (from 1) and
 * b of the successive values of a, stored as b << 16 | a.  The modulo is
 * taken only every CHUNK bytes: 5552 is the most bytes after which b
 * cannot yet overflow 32 bits, even when every byte is 255 and a and b
 * start just below 65521.
 */
#include "adler32.h"

#define ADLER_MOD	65521u
#define CHUNK		5552

uint32_t kd_adler32(uint32_t adler, const uint8_t *p, size_t len)
{
	uint32_t a = adler & 0xffff, b = adler >> 16;

	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;

		len -= n;
		for (; n >= 8; n -= 8, p += 8) {
			/* b gains 8a plus the bytes weighted by how many sums they enter */
			b += 8 * a + 8 * p[0] + 7 * p[1] + 6 * p[2] + 5 * p[3] + 4 * p[4] + 3 * p[5] + 2 * p[6] + p[7];
			a += p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7];
		}
		while (n--) {
			a += *p++;
			b += a;
		}
		a %= ADLER_MOD;
		b %= ADLER_MOD;
	}
	return b << 16 | a;
}
