// SPDX-License-Identifier: MIT
/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as gzip, xz and lzop
 * store it.  Slice-by-8: eight tables let the loop fold eight input bytes per
 * step.  The tables are computed on first use rather than stored, which keeps
 * 8 KiB out of every image whose format needs no CRC-32 (KD_TABLE_BUILDER).
 */
#include "kd.h"
#include "crc32_clmul.h"

static uint32_t crc_table[8][256];
static bool crc_table_ready;

KD_TABLE_BUILDER crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
	crc_table_ready = true;
}

uint32_t kd_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
#if KD_CRC32_CLMUL
	if (len >= KD_CRC32_CLMUL_MIN && kd_crc32_clmul_usable())
		return kd_crc32_clmul(crc, p, len);
#endif
	if (!crc_table_ready)
		crc32_init();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = kd_get_le32(p) ^ crc, hi = kd_get_le32(p + 4);

		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (len--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}
