// SPDX-License-Identifier: MIT
/*
 * CRC-64 with the ECMA-182 polynomial, bit-reflected (0xC96C5795D7870F42),
 * as xz's check type 4 stores it.  Slice-by-8 like crc32.c: eight
 * 256-entry tables fold eight input bytes per step, computed on first use
 * (16 KiB that only an xz file with a CRC-64 check ever needs).
 */
#include "crc64.h"

#define CRC64_POLY 0xC96C5795D7870F42ull

static uint64_t crc64_table[8][256];
static bool crc64_table_ready;

KD_TABLE_BUILDER crc64_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint64_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC64_POLY & (0 - (c & 1)));
		crc64_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc64_table[t][i] = (crc64_table[t - 1][i] >> 8) ^ crc64_table[0][crc64_table[t - 1][i] & 0xff];
	crc64_table_ready = true;
}

uint64_t kd_crc64(uint64_t crc, const uint8_t *p, size_t len)
{
	if (!crc64_table_ready)
		crc64_init();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v = kd_get_le64(p) ^ crc;

		crc = crc64_table[7][v & 0xff] ^ crc64_table[6][(v >> 8) & 0xff] ^
		      crc64_table[5][(v >> 16) & 0xff] ^ crc64_table[4][(v >> 24) & 0xff] ^
		      crc64_table[3][(v >> 32) & 0xff] ^ crc64_table[2][(v >> 40) & 0xff] ^
		      crc64_table[1][(v >> 48) & 0xff] ^ crc64_table[0][v >> 56];
	}
	while (len--)
		crc = (crc >> 8) ^ crc64_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}
