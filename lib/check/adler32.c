// SPDX-License-Identifier: MIT
/*
 * Adler-32 (RFC 1950): two sums modulo 65521, a of the bytes (from 1) and
 * b of the successive values of a, stored as b << 16 | a.
 *
 * The stub verifies this over the whole kernel when it boots an lzo image,
 * often under an emulator (QEMU's TCG) where every guest load costs several
 * times an add.  So the bytes are read eight at a time, as one 64-bit word,
 * and summed in four 16-bit lanes of that word: the bytes at even positions
 * of each word in one lane set, those at odd positions in another.
 *
 * For one word of bytes p0..p7 (p0 first), a gains S = sum p_i and b gains
 * 8 a + sum (8 - i) p_i = 8 (a + S) - sum i p_i, i.e. 8 times a after the
 * word, less the bytes weighted by their position in the word.  Over a run
 * of words, b gains 8 times the sum of a after each word, less
 * sum i L_i, where L_i is the run's total of the bytes at position i: the
 * `even` and `odd` lanes give the L_i at the run's end.  The sum of a after
 * each word is taken a group of words at a time, also in lanes: within a
 * group, `sums` holds the byte sums so far and `cumulative` the sum of
 * those after each word, so a word costs one load and a few adds, and the
 * lanes are added up once a group.
 *
 * Lane bounds: a word adds at most 255 to an even or odd lane and 510 to a
 * lane of `sums`, so a run of 256 words keeps even and odd lanes within 16
 * bits, and a group of 8 words keeps a lane of `cumulative` at most
 * 510 * (1 + 2 + ... + 8) = 18360.
 */
#include "adler32.h"

#define ADLER_MOD	65521u
#define WORD_BYTES	8
#define GROUP_WORDS	8
#define GROUP_BYTES	(GROUP_WORDS * WORD_BYTES)
#define RUN_GROUPS	32		/* 32 groups of 8 words: 256 * 255 fits a 16-bit lane */
#define LANE_LOW_BYTES	0x00ff00ff00ff00ffull	/* the low byte of each 16-bit lane */
#define LANE_PAIR_LOW	0x0000ffff0000ffffull	/* the low lane of each 32-bit half */
#define LANE_BITS	16
#define LANE_MASK	0xffffu
#define LANES		4

/* The total of the four 16-bit lanes of v, added as 32-bit numbers (four lanes may exceed 16 bits) */
static uint64_t lanes_total(uint64_t v)
{
	v = (v & LANE_PAIR_LOW) + (v >> LANE_BITS & LANE_PAIR_LOW);
	return (v + (v >> 32)) & 0xffffffffu;
}

/* sum i L_i: even lane k holds the bytes at position 2k, odd lane k those at 2k + 1 */
static uint64_t position_weighted(uint64_t even, uint64_t odd)
{
	uint64_t sum = 0;

	for (unsigned k = 0; k < LANES; k++, even >>= LANE_BITS, odd >>= LANE_BITS)
		sum += 2 * k * (even & LANE_MASK) + (2 * k + 1) * (odd & LANE_MASK);
	return sum;
}

uint32_t kd_adler32(uint32_t adler, const uint8_t *p, size_t len)
{
	uint64_t a = adler & 0xffff, b = adler >> 16;

	while (len >= GROUP_BYTES) {
		size_t groups = len / GROUP_BYTES < RUN_GROUPS ? len / GROUP_BYTES : RUN_GROUPS;
		uint64_t even = 0, odd = 0, a_after = 0;

		len -= groups * GROUP_BYTES;
		for (; groups; groups--) {
			uint64_t sums = 0, cumulative = 0;

			for (unsigned k = 0; k < GROUP_WORDS; k++, p += WORD_BYTES) {
				uint64_t w = kd_get_le64(p), e = w & LANE_LOW_BYTES, o = w >> 8 & LANE_LOW_BYTES;

				even += e;
				odd += o;
				sums += e + o;
				cumulative += sums;
			}
			a_after += GROUP_WORDS * a + lanes_total(cumulative);
			a += lanes_total(sums);
		}
		/* 8 a after each word is at least 8 S, which is at least sum i p_i: no underflow */
		b = (b + 8 * a_after - position_weighted(even, odd)) % ADLER_MOD;
		a %= ADLER_MOD;
	}
	while (len--) {
		a += *p++;
		b += a;
	}
	return (uint32_t)(b % ADLER_MOD) << 16 | (uint32_t)(a % ADLER_MOD);
}
