// SPDX-License-Identifier: MIT
/*
 * XXH64, zstd's content checksum, from the xxHash specification: four lanes
 * over 32-byte stripes, then the tail and the final avalanche; streaming,
 * since zstd hashes its output block by block.
 */
#include "kd.h"
#include "xxhash.h"

#define P64_1 0x9E3779B185EBCA87ull
#define P64_2 0xC2B2AE3D27D4EB4Full
#define P64_3 0x165667B19E3779F9ull
#define P64_4 0x85EBCA77C2B2AE63ull
#define P64_5 0x27D4EB2F165667C5ull

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t round64(uint64_t acc, uint64_t lane)
{
	return rotl64(acc + lane * P64_2, 31) * P64_1;
}

static inline uint64_t merge64(uint64_t h, uint64_t v)
{
	return (h ^ round64(0, v)) * P64_1 + P64_4;
}

static uint64_t xxh64_tail(uint64_t h, const uint8_t *p, const uint8_t *end)
{
	for (; end - p >= 8; p += 8)
		h = rotl64(h ^ round64(0, kd_get_le64(p)), 27) * P64_1 + P64_4;
	if (end - p >= 4) {
		h = rotl64(h ^ (kd_get_le32(p) * P64_1), 23) * P64_2 + P64_3;
		p += 4;
	}
	for (; p < end; p++)
		h = rotl64(h ^ (*p * P64_5), 11) * P64_1;
	h ^= h >> 33;
	h *= P64_2;
	h ^= h >> 29;
	h *= P64_3;
	return h ^ (h >> 32);
}

void kd_xxh64_init(struct kd_xxh64 *s, uint64_t seed)
{
	kd_memset(s, 0, sizeof(*s));
	s->v[0] = seed + P64_1 + P64_2;
	s->v[1] = seed + P64_2;
	s->v[2] = seed;
	s->v[3] = seed - P64_1;
	s->seed = seed;
}

static const uint8_t *xxh64_stripes(struct kd_xxh64 *s, const uint8_t *p, const uint8_t *end)
{
	/* the lanes in locals: byte loads from p may alias s, which would keep them in memory */
	uint64_t v0 = s->v[0], v1 = s->v[1], v2 = s->v[2], v3 = s->v[3];

	for (; end - p >= 32; p += 32) {
		v0 = round64(v0, kd_get_le64(p));
		v1 = round64(v1, kd_get_le64(p + 8));
		v2 = round64(v2, kd_get_le64(p + 16));
		v3 = round64(v3, kd_get_le64(p + 24));
	}
	s->v[0] = v0, s->v[1] = v1, s->v[2] = v2, s->v[3] = v3;
	return p;
}

/* Streaming, because zstd checks its content hash over output produced block by block. */
void kd_xxh64_update(struct kd_xxh64 *s, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	s->total += len;
	if (s->buffered) {
		size_t take = 32 - s->buffered < len ? 32 - s->buffered : len;

		kd_memcpy(s->buf + s->buffered, p, take);
		s->buffered += take;
		p += take;
		if (s->buffered < 32)
			return;
		xxh64_stripes(s, s->buf, s->buf + 32);
		s->buffered = 0;
	}
	p = xxh64_stripes(s, p, end);
	kd_memcpy(s->buf, p, end - p);
	s->buffered = end - p;
}

uint64_t kd_xxh64_digest(const struct kd_xxh64 *s)
{
	uint64_t h;

	if (s->total >= 32) {
		h = rotl64(s->v[0], 1) + rotl64(s->v[1], 7) + rotl64(s->v[2], 12) + rotl64(s->v[3], 18);
		for (int i = 0; i < 4; i++)
			h = merge64(h, s->v[i]);
	} else {
		h = s->seed + P64_5;
	}
	return xxh64_tail(h + s->total, s->buf, s->buf + s->buffered);
}
