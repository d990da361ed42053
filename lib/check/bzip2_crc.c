// SPDX-License-Identifier: MIT
/*
 * bzip2's CRC-32: the same polynomial as gzip's (0x04C11DB7) but not
 * reflected, so the register shifts left and bytes enter at the top.  It
 * starts at ~0 and is complemented at the end.  Slice-by-8 as in crc32.c,
 * with tables built on first use (KD_TABLE_BUILDER).
 */
#include "bzip2_crc.h"

static uint32_t bz_crc_table[8][256];
static bool bz_crc_ready;

KD_TABLE_BUILDER bz_crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int k = 0; k < 8; k++)
			c = (c << 1) ^ (0x04C11DB7u & -(c >> 31));
		bz_crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			bz_crc_table[t][i] = (bz_crc_table[t - 1][i] << 8) ^
					     bz_crc_table[0][bz_crc_table[t - 1][i] >> 24];
	bz_crc_ready = true;
}

uint32_t kd_bzip2_crc(uint32_t crc, const uint8_t *p, size_t len)
{
	const uint32_t (*t)[256] = bz_crc_table;

	if (!bz_crc_ready)
		bz_crc_init();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t hi = kd_get_be32(p) ^ crc, lo = kd_get_be32(p + 4);

		crc = t[7][hi >> 24] ^ t[6][(hi >> 16) & 0xff] ^ t[5][(hi >> 8) & 0xff] ^ t[4][hi & 0xff] ^
		      t[3][lo >> 24] ^ t[2][(lo >> 16) & 0xff] ^ t[1][(lo >> 8) & 0xff] ^ t[0][lo & 0xff];
	}
	while (len--)
		crc = (crc << 8) ^ t[0][(crc >> 24) ^ *p++];
	return ~crc;
}
