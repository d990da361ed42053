/* SPDX-License-Identifier: MIT */
#ifndef KD_XXHASH_H
#define KD_XXHASH_H
#include "kd.h"

struct kd_xxh32 {
	uint32_t v[4];		/* the four lane accumulators */
	uint32_t seed;
	uint64_t total;		/* bytes hashed so far */
	uint8_t buf[16];	/* a partial stripe */
	size_t buffered;	/* bytes in buf, 0..15 */
};

void kd_xxh32_init(struct kd_xxh32 *s, uint32_t seed);
void kd_xxh32_update(struct kd_xxh32 *s, const uint8_t *p, size_t len);
uint32_t kd_xxh32_digest(const struct kd_xxh32 *s);
uint32_t kd_xxh32(const uint8_t *p, size_t len, uint32_t seed);	/* all three at once */

struct kd_xxh64 {
	uint64_t v[4];		/* the four lane accumulators */
	uint64_t seed;
	uint64_t total;		/* bytes hashed so far */
	uint8_t buf[32];	/* a partial stripe */
	size_t buffered;	/* bytes in buf, 0..31 */
};

void kd_xxh64_init(struct kd_xxh64 *s, uint64_t seed);
void kd_xxh64_update(struct kd_xxh64 *s, const uint8_t *p, size_t len);
uint64_t kd_xxh64_digest(const struct kd_xxh64 *s);
#endif
