// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the lzop/LZO1X decoder on arbitrary input, with an
 * output buffer of at most 1 MiB that ends exactly at its capacity (the
 * heap allocation's own end), so any write past it trips ASan.
 */
#include <stdlib.h>

#include "kd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size > 9 ? (data[size - 1] << 12) + data[size - 2] : 64;
	uint8_t *out = malloc(cap ? cap : 1);
	struct kd_job job = { .in = data, .in_len = size, .out = out, .out_cap = cap };
	enum kd_err err = kd_lzo_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_lzo_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || (!err && job.in_used > size) || (err && !job.why))
		abort();
	free(out);
	return 0;
}
