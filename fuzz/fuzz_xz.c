// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the xz decoder.  Input that starts with the xz magic is
 * decoded as it is.  Other input is taken as LZMA2 data and wrapped in a
 * stream header and a block header with valid CRC32s (the first input byte
 * picks the filter in front of LZMA2), so the fuzzer reaches LZMA2 and the
 * filters without having to forge checksums.  The output room is 1 byte to
 * ~1 MiB (from the last input byte); every buffer lies between guard pages
 * (harness.c checks the decoder contract).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stream header, then a block header: size byte, flags, filter flags, padding, CRC32. */
static size_t wrap_header(uint8_t *p, uint8_t pick)
{
	static const uint8_t filters[] = { 0x00, 0x04, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };
	uint8_t filter = filters[pick % sizeof(filters)];
	size_t n = 0;

	memcpy(p, "\xfd" "7zXZ\0\0\0", 8);	/* no check */
	kd_put_le32(p + 8, kd_crc32(0, p + 6, 2));
	p += 12;
	p[n++] = 3;				/* (3 + 1) * 4 = 16 bytes */
	p[n++] = filter ? 1 : 0;		/* one or two filters, no sizes */
	if (filter == 0x03) {
		p[n++] = 0x03, p[n++] = 1, p[n++] = (uint8_t)(pick >> 4);	/* delta, distance */
	} else if (filter) {
		p[n++] = filter, p[n++] = 0;	/* BCJ, no start offset */
	}
	p[n++] = 0x21, p[n++] = 1, p[n++] = 22;	/* LZMA2, 8 MiB dictionary */
	while (n < 12)
		p[n++] = 0;
	kd_put_le32(p + 12, kd_crc32(0, p, 12));
	return 12 + 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool raw = size >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0;
	size_t head = raw ? 0 : 28, len = head + size - (raw || !size ? 0 : 1);
	uint8_t *in = malloc(len ? len : 1);

	if (raw)
		memcpy(in, data, size);
	else if (size)
		wrap_header(in, data[0]), memcpy(in + head, data + 1, size - 1);
	else
		wrap_header(in, 0);
	fuzz_decode(KD_FMT_XZ, in, len, fuzz_out_room(size > 1 ? data[size - 1] : 0), guard_side_for(size), NULL);
	free(in);
	return 0;
}
