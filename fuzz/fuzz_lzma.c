// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the .lzma decoder on arbitrary input.  The output room
 * (1 byte to ~1 MiB, from the second input byte) and the input copy each end
 * exactly at the end of their allocations, so a read or write past them
 * trips ASan.  Whatever the decoder returns, the sizes it reports must stay
 * within the buffers, and an error must come with a reason.
 */
#include <stdlib.h>
#include <string.h>

#include "kd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *heap_mem;
	size_t cap = size > 1 ? ((size_t)data[1] << 12) + 1 : 1;
	uint8_t *in = malloc(size ? size : 1), *out = malloc(cap);
	struct kd_heap heap;

	if (!heap_mem)
		heap_mem = malloc(kd_lzma_heap_size());
	memcpy(in, data, size);
	kd_heap_init(&heap, heap_mem, kd_lzma_heap_size());
	struct kd_job job = { .in = in, .in_len = size, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_lzma_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_lzma_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || (!err && job.in_used > size) || (err && !job.why))
		abort();
	free(in);
	free(out);
	return 0;
}
