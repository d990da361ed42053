// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the gzip decoder on arbitrary input.  Input that does
 * not start with the gzip magic is given a plain 10-byte gzip header, so
 * the fuzzer reaches the DEFLATE decoder without having to find one.  The
 * output room is 1 byte to ~1 MiB (from the last input byte); every buffer
 * lies between guard pages (harness.c checks the decoder contract).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };	/* deflate, no flags, Unix */
	bool wrap = !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
	size_t in_len = size + (wrap ? sizeof(header) : 0);
	uint8_t *in = malloc(in_len ? in_len : 1);

	if (wrap)
		memcpy(in, header, sizeof(header));
	if (size)
		memcpy(in + in_len - size, data, size);
	fuzz_decode(KD_FMT_GZIP, in, in_len, fuzz_out_room(size ? data[size - 1] : 0), guard_side_for(size), NULL);
	free(in);
	return 0;
}
