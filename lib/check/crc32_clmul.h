/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 by carry-less multiplication, for builds that may use SSE (the
 * host library; never the boot stub, which runs with no FPU/SSE state).
 * kd_crc32() hands it long buffers when the CPU has PCLMULQDQ.
 */
#ifndef KD_CRC32_CLMUL_H
#define KD_CRC32_CLMUL_H

#include "kd.h"

#if defined(__x86_64__) && defined(__SSE2__)
#define KD_CRC32_CLMUL 1
#define KD_CRC32_CLMUL_MIN 256	/* below this the tables win */
bool kd_crc32_clmul_usable(void);
uint32_t kd_crc32_clmul(uint32_t crc, const uint8_t *p, size_t len);	/* len >= 64 */
#else
#define KD_CRC32_CLMUL 0
#endif

#endif
