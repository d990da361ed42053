/* SPDX-License-Identifier: MIT */
#ifndef KD_ADLER32_H
#define KD_ADLER32_H

#include "kd.h"

/* Adler-32 (RFC 1950) continued from `adler`; a new checksum starts at 1. */
uint32_t kd_adler32(uint32_t adler, const uint8_t *p, size_t len);

#endif
