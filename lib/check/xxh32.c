// SPDX-License-Identifier: MIT
/*
 * XXH32, the LZ4 frame's checks, from the xxHash specification: four lanes
 * over 16-byte stripes, then the tail and the final avalanche; streaming,
 * like XXH64 (xxh64.c, apart so that each stub links only the hash its
 * format uses).
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

void kd_xxh32_init(struct kd_xxh32 *s, uint32_t seed)
{
	kd_memset(s, 0, sizeof(*s));
	s->v[0] = seed + P32_1 + P32_2;
	s->v[1] = seed + P32_2;
	s->v[2] = seed;
	s->v[3] = seed - P32_1;
	s->seed = seed;
}

static const uint8_t *xxh32_stripes(struct kd_xxh32 *s, const uint8_t *p, const uint8_t *end)
{
	/* the lanes in locals: byte loads from p may alias s, which would keep them in memory */
	uint32_t v0 = s->v[0], v1 = s->v[1], v2 = s->v[2], v3 = s->v[3];

	for (; end - p >= 16; p += 16) {
		v0 = round32(v0, kd_get_le32(p));
		v1 = round32(v1, kd_get_le32(p + 4));
		v2 = round32(v2, kd_get_le32(p + 8));
		v3 = round32(v3, kd_get_le32(p + 12));
	}
	s->v[0] = v0, s->v[1] = v1, s->v[2] = v2, s->v[3] = v3;
	return p;
}

/* Streaming, so that an lz4 frame's content check is hashed block by block, while the block is fresh. */
void kd_xxh32_update(struct kd_xxh32 *s, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	s->total += len;
	if (s->buffered) {
		size_t take = 16 - s->buffered < len ? 16 - s->buffered : len;

		kd_memcpy(s->buf + s->buffered, p, take);
		s->buffered += take;
		p += take;
		if (s->buffered < 16)
			return;
		xxh32_stripes(s, s->buf, s->buf + 16);
		s->buffered = 0;
	}
	p = xxh32_stripes(s, p, end);
	kd_memcpy(s->buf, p, end - p);
	s->buffered = end - p;
}

uint32_t kd_xxh32_digest(const struct kd_xxh32 *s)
{
	const uint8_t *p = s->buf, *end = s->buf + s->buffered;
	uint32_t h;

	if (s->total >= 16)
		h = rotl32(s->v[0], 1) + rotl32(s->v[1], 7) + rotl32(s->v[2], 12) + rotl32(s->v[3], 18);
	else
		h = s->seed + P32_5;
	h += (uint32_t)s->total;	/* the length modulo 2^32 */
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

uint32_t kd_xxh32(const uint8_t *p, size_t len, uint32_t seed)
{
	struct kd_xxh32 s;

	kd_xxh32_init(&s, seed);
	kd_xxh32_update(&s, p, len);
	return kd_xxh32_digest(&s);
}
