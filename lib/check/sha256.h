/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), as xz's check type 10 stores it (lib/check/sha256.c). */
#ifndef KD_SHA256_H
#define KD_SHA256_H
#include "kd.h"

#define KD_SHA256_SIZE 32

/* The digest of buf[0 .. len) in one call: the decoders hash whole buffers. */
void kd_sha256(const uint8_t *buf, size_t len, uint8_t digest[KD_SHA256_SIZE]);
#endif
