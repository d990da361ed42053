// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the lz4 decoder on arbitrary input.  Input that starts
 * with neither frame magic is given the legacy magic and one block header
 * covering the rest, so the fuzzer reaches the block decoder at once.  The
 * output room (from the last input byte) ends exactly at the end of its
 * allocation, and so does the input copy: an overrun trips ASan.
 */
#include <stdlib.h>
#include <string.h>

#include "kd.h"

#define OUT_MAX ((255u << 12) + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *out_mem;
	bool wrap = kd_detect_format(data, size) != KD_FMT_LZ4;
	size_t in_len = size + (wrap ? 8 : 0);
	size_t cap = size ? ((size_t)data[size - 1] << 12) + 1 : 1;
	uint8_t *in = malloc(in_len ? in_len : 1);

	if (!out_mem)
		out_mem = malloc(OUT_MAX);
	if (wrap) {
		kd_put_le32(in, 0x184C2102);
		kd_put_le32(in + 4, (uint32_t)size);
	}
	if (size)
		memcpy(in + in_len - size, data, size);
	struct kd_job job = { .in = in, .in_len = in_len, .out = out_mem + OUT_MAX - cap, .out_cap = cap };
	enum kd_err err = kd_lz4_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_lz4_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || job.in_used > in_len || (err && !job.why))
		abort();
	free(in);
	return 0;
}
