// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the bzip2 decoder on arbitrary input, with 1 byte to
 * ~1 MiB of output room (from the first input byte), every buffer between
 * guard pages (harness.c checks the decoder contract).
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(KD_FMT_BZIP2, data, size, fuzz_out_room(size ? data[0] : 0), guard_side_for(size), NULL);
	return 0;
}
