/* SPDX-License-Identifier: MIT */
/* CRC-64 as xz stores it (crc64.c). */
#ifndef KD_CRC64_H
#define KD_CRC64_H
#include "kd.h"

/* ECMA-182 polynomial, reflected (0xC96C5795D7870F42), initial and final value all ones. */
uint64_t kd_crc64(uint64_t crc, const uint8_t *buf, size_t len);
#endif
