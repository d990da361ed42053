// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the zstd decoder on arbitrary input.  Input that does
 * not start with a zstd or skippable-frame magic gets the zstd magic in
 * front, so the fuzzer works on frame headers and blocks rather than on
 * finding the magic.  The input copy, the output (1 byte to ~1 MiB, from
 * the first input byte) and the heap (exactly kd_zstd_heap_size()) are
 * each an allocation of their own exact size, so any access past them trips
 * ASan.  Whatever the decoder returns, its sizes must stay inside the buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "kd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	size_t cap = size ? ((size_t)data[0] << 12) + 1 : 1;	/* 1 byte to ~1 MiB of room */
	bool framed = size >= 4 && (memcmp(data, magic, 4) == 0 || (kd_get_le32(data) & ~15u) == 0x184D2A50u);
	size_t in_len = framed ? size : size + 4;
	uint8_t *in = malloc(in_len), *out = malloc(cap), *heap_mem = malloc(kd_zstd_heap_size());
	struct kd_heap heap;

	if (!framed)
		memcpy(in, magic, 4);
	memcpy(in + (framed ? 0 : 4), data, size);
	kd_heap_init(&heap, heap_mem, kd_zstd_heap_size());
	struct kd_job job = { .in = in, .in_len = in_len, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_zstd_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_zstd_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || (!err && job.in_used > in_len) || (err && !job.why))
		abort();
	free(in), free(out), free(heap_mem);
	return 0;
}
