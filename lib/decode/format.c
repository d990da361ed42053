// SPDX-License-Identifier: MIT
/* Which format a stream is in, by its magic; and dispatch to its decoder. */
#include "kd.h"

static bool starts_with(const uint8_t *in, size_t len, const char *magic, size_t n)
{
	return len >= n && kd_memcmp(in, magic, n) == 0;
}

static bool is_lzma_dict_size(uint32_t d)
{
	uint32_t low = d & -d;	/* the lowest set bit: 2^n is just that, 2^n + 2^(n-1) is 3 times it */

	return d >= 4096 && (d == low || d == low * 3);
}

enum kd_format kd_detect_format(const uint8_t *in, size_t len)
{
	if (starts_with(in, len, "\x1f\x8b", 2))
		return KD_FMT_GZIP;
	if (starts_with(in, len, "BZh", 3) && len > 3 && in[3] >= '1' && in[3] <= '9')
		return KD_FMT_BZIP2;
	if (starts_with(in, len, "\xfd" "7zXZ\0", 6))
		return KD_FMT_XZ;
	if (starts_with(in, len, "\x89LZO\0\r\n\x1a\n", 9))
		return KD_FMT_LZO;
	/* legacy frame (what Linux uses) or the modern LZ4 frame */
	if (starts_with(in, len, "\x02\x21\x4c\x18", 4) || starts_with(in, len, "\x04\x22\x4d\x18", 4))
		return KD_FMT_LZ4;
	/* a zstd frame, or a skippable frame (magic 0x184D2A50..5F) before one */
	if (starts_with(in, len, "\x28\xb5\x2f\xfd", 4) ||
	    (len >= 4 && (in[0] & 0xf0) == 0x50 && starts_with(in + 1, len - 1, "\x2a\x4d\x18", 3)))
		return KD_FMT_ZSTD;
	/*
	 * .lzma has no magic.  Its first byte is the lc/lp/pb properties byte;
	 * 0x5d (lc=3, lp=0, pb=2) is what xz --format=lzma and Linux's `lzma -9`
	 * write, followed by a little-endian dictionary size that those tools
	 * always make 2^n or 2^n + 2^(n-1) (-9: 64 MiB).
	 */
	if (len >= 13 && in[0] == 0x5d && is_lzma_dict_size(kd_get_le32(in + 1)))
		return KD_FMT_LZMA;
	return KD_FMT_UNKNOWN;
}

const char *kd_format_name(enum kd_format fmt)
{
	switch (fmt) {
	case KD_FMT_GZIP:  return "gzip";
	case KD_FMT_BZIP2: return "bzip2";
	case KD_FMT_LZMA:  return "lzma";
	case KD_FMT_XZ:    return "xz";
	case KD_FMT_LZO:   return "lzo";
	case KD_FMT_LZ4:   return "lz4";
	case KD_FMT_ZSTD:  return "zstd";
	default:           return "unknown";
	}
}

enum kd_format kd_format_by_name(const char *name)
{
	for (int f = KD_FMT_UNKNOWN + 1; f < KD_FMT_COUNT; f++) {
		const char *a = kd_format_name((enum kd_format)f), *b = name;

		while (*a && *a == *b)
			a++, b++;
		if (*a == 0 && *b == 0)
			return (enum kd_format)f;
	}
	return KD_FMT_UNKNOWN;
}
