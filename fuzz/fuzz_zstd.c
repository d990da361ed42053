// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the zstd decoder on arbitrary input.  Input that does
 * not start with a zstd or skippable-frame magic gets the zstd magic in
 * front, so the fuzzer works on frame headers and blocks rather than on
 * finding the magic.  The output room is 1 byte to ~1 MiB (from the first
 * input byte); every buffer lies between guard pages (harness.c checks the
 * decoder contract).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ZSTD_SKIPPABLE_MAGIC 0x184D2A50u	/* low 4 bits free */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	bool framed = size >= 4 && (memcmp(data, magic, 4) == 0 || (kd_get_le32(data) & ~15u) == ZSTD_SKIPPABLE_MAGIC);
	size_t in_len = framed ? size : size + 4;
	uint8_t *in = malloc(in_len);

	if (!framed)
		memcpy(in, magic, 4);
	if (size)
		memcpy(in + (framed ? 0 : 4), data, size);
	fuzz_decode(KD_FMT_ZSTD, in, in_len, fuzz_out_room(size ? data[0] : 0), guard_side_for(size), NULL);
	free(in);
	return 0;
}
