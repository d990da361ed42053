// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the .lzma decoder on arbitrary input, with 1 byte to
 * ~1 MiB of output room (from the second input byte), every buffer between
 * guard pages (harness.c checks the decoder contract).
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(KD_FMT_LZMA, data, size, fuzz_out_room(size > 1 ? data[1] : 0), guard_side_for(size), NULL);
	return 0;
}
