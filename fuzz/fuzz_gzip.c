// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the gzip decoder on arbitrary input.  Input that does
 * not start with the gzip magic is given a plain 10-byte gzip header, so
 * the fuzzer reaches the DEFLATE decoder without having to find one.  The
 * output room (1 byte to ~1 MiB, from the last input byte) ends exactly at
 * the end of its allocation, so a write past out_cap trips ASan; likewise
 * the input copy ends at its allocation's end.
 */
#include <stdlib.h>
#include <string.h>

#include "kd.h"

#define OUT_MAX ((255u << 12) + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	static uint8_t *heap_mem, *out_mem;
	bool wrap = !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
	size_t in_len = size + (wrap ? sizeof(header) : 0);
	size_t cap = size ? ((size_t)data[size - 1] << 12) + 1 : 1;
	uint8_t *in = malloc(in_len ? in_len : 1);
	struct kd_heap heap;

	if (!heap_mem) {
		heap_mem = malloc(kd_gzip_heap_size());
		out_mem = malloc(OUT_MAX);
	}
	if (wrap)
		memcpy(in, header, sizeof(header));
	if (size)
		memcpy(in + in_len - size, data, size);
	kd_heap_init(&heap, heap_mem, kd_gzip_heap_size());
	struct kd_job job = { .in = in, .in_len = in_len, .out = out_mem + OUT_MAX - cap, .out_cap = cap,
			      .heap = &heap };
	enum kd_err err = kd_gzip_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_gzip_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || job.in_used > in_len || (err && !job.why) || heap.peak > kd_gzip_heap_size())
		abort();
	free(in);
	return 0;
}
