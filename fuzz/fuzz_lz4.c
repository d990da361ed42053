// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the lz4 decoder on arbitrary input.  Input that starts
 * with neither frame magic is given the legacy magic and one block header
 * covering the rest, so the fuzzer reaches the block decoder at once.  The
 * output room is 1 byte to ~1 MiB (from the last input byte); every buffer
 * lies between guard pages (harness.c checks the decoder contract).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define LZ4_LEGACY_MAGIC 0x184C2102u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool wrap = kd_detect_format(data, size) != KD_FMT_LZ4;
	size_t in_len = size + (wrap ? 8 : 0);
	uint8_t *in = malloc(in_len ? in_len : 1);

	if (wrap) {
		kd_put_le32(in, LZ4_LEGACY_MAGIC);
		kd_put_le32(in + 4, (uint32_t)size);	/* one compressed block: the rest */
	}
	if (size)
		memcpy(in + in_len - size, data, size);
	fuzz_decode(KD_FMT_LZ4, in, in_len, fuzz_out_room(size ? data[size - 1] : 0), guard_side_for(size), NULL);
	free(in);
	return 0;
}
