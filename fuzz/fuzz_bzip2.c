// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the bzip2 decoder on arbitrary input, with an output
 * buffer of at most 1 MiB and the advertised heap.  Whatever it returns,
 * it must stay inside its buffers and report sizes within them.
 */
#include <stdlib.h>

#include "kd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *heap_mem, *out;
	size_t cap = size ? (data[0] << 12) + 1 : 1;	/* vary the room from 1 byte to ~1 MiB */
	struct kd_heap heap;

	if (!heap_mem) {
		heap_mem = malloc(kd_bzip2_heap_size());
		out = malloc((255 << 12) + 1);
	}
	kd_heap_init(&heap, heap_mem, kd_bzip2_heap_size());
	struct kd_job job = { .in = data, .in_len = size, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_bzip2_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_bzip2_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || (!err && job.in_used > size) || (err && !job.why))
		abort();
	return 0;
}
