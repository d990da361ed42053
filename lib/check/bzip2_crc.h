/* SPDX-License-Identifier: MIT */
/* bzip2's block and stream CRC (bzip2_crc.c). */
#ifndef KD_BZIP2_CRC_H
#define KD_BZIP2_CRC_H
#include "kd.h"

/* Polynomial 0x04C11DB7, most significant bit first; initial and final value all ones. */
uint32_t kd_bzip2_crc(uint32_t crc, const uint8_t *p, size_t len);
#endif
