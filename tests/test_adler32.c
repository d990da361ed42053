// SPDX-License-Identifier: MIT
/*
 * Adler-32: ours against zlib's adler32 on random bytes of every length up
 * to a few runs of words, at every alignment and from several running
 * values, and on long stretches of 0xff (the largest sums, where a lane or
 * a sum would overflow first), whole and split at odd places.
 */
#include <stdlib.h>
#include <zlib.h>

#include "adler32.h"
#include "t.h"

#define MAX_LEN		(3 * 2048 + 64)	/* a few of the code's 2 KiB runs, and a tail */
#define ALL_ONES_LEN	(1 << 20)

TEST(adler32_matches_zlib_random)
{
	static const uint32_t starts[] = { 1, 0, 0xfff0fff0, 0x12345678 % 65521 << 16 | 4321 };
	uint8_t *buf = malloc(MAX_LEN + 8);

	srand(16);
	for (size_t i = 0; i < MAX_LEN + 8; i++)
		buf[i] = (uint8_t)rand();
	for (size_t s = 0; s < KD_ARRAY_SIZE(starts); s++)
		for (size_t off = 0; off < 8; off++)
			for (size_t len = 0; len <= MAX_LEN; len += len < 100 ? 1 : 37) {
				uint32_t want = (uint32_t)adler32(starts[s], buf + off, (uInt)len);

				CHECKF(kd_adler32(starts[s], buf + off, len) == want,
				       "start 0x%x offset %zu length %zu", starts[s], off, len);
			}
	free(buf);
}

TEST(adler32_matches_zlib_all_ones)
{
	uint8_t *buf = malloc(ALL_ONES_LEN);

	memset(buf, 0xff, ALL_ONES_LEN);
	uint32_t want = (uint32_t)adler32(1, buf, ALL_ONES_LEN);

	CHECK_EQ(kd_adler32(1, buf, ALL_ONES_LEN), want);
	/* from the largest valid running value, and continued across a split */
	CHECK_EQ(kd_adler32(0xfff0fff0, buf, ALL_ONES_LEN), (uint32_t)adler32(0xfff0fff0, buf, ALL_ONES_LEN));
	CHECK_EQ(kd_adler32(kd_adler32(1, buf, 12345), buf + 12345, ALL_ONES_LEN - 12345), want);
	free(buf);
}
