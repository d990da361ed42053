// SPDX-License-Identifier: MIT
/*
 * XXH32, the LZ4 frame's checks, from the xxHash specification: four lanes
 * over 16-byte stripes, then the tail and the final avalanche.  XXH64 is in
 * xxh64.c, so each stub links only the hash its format uses.
 */
#include "kd.h"
#include "xxhash.h"

#define P32_1 0x9E3779B1u
#define P32_2 0x85EBCA77u
#define P32_3 0xC2B2AE3Du
#define P32_4 0x27D4EB2Fu
#define P32_5 0x165667B1u

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static inline uint32_t round32(uint32_t acc, uint32_t lane)
{
	return rotl32(acc + lane * P32_2, 13) * P32_1;
}

uint32_t kd_xxh32(const uint8_t *p, size_t len, uint32_t seed)
{
	const uint8_t *end = p + len;
	uint32_t h;

	if (len >= 16) {
		uint32_t v1 = seed + P32_1 + P32_2, v2 = seed + P32_2, v3 = seed, v4 = seed - P32_1;

		for (; end - p >= 16; p += 16) {
			v1 = round32(v1, kd_get_le32(p));
			v2 = round32(v2, kd_get_le32(p + 4));
			v3 = round32(v3, kd_get_le32(p + 8));
			v4 = round32(v4, kd_get_le32(p + 12));
		}
		h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
	} else {
		h = seed + P32_5;
	}
	h += (uint32_t)len;
	for (; end - p >= 4; p += 4)
		h = rotl32(h + kd_get_le32(p) * P32_3, 17) * P32_4;
	for (; p < end; p++)
		h = rotl32(h + *p * P32_5, 11) * P32_1;
	h ^= h >> 15;
	h *= P32_2;
	h ^= h >> 13;
	h *= P32_3;
	return h ^ (h >> 16);
}
