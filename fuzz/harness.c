// SPDX-License-Identifier: MIT
/* The decoder contract, checked on every fuzz input (see harness.h). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum kd_err fuzz_decode(enum kd_format fmt, const uint8_t *in, size_t in_len, size_t cap, enum guard_side side,
			struct fuzz_output *out)
{
	struct guarded gin, gout, gheap;
	size_t heap_size = kd_heap_size(fmt);
	struct kd_heap heap;

	/* the heap starts on a page, aligned as the stub's is, so kd_alloc pads exactly as there */
	kd_heap_init(&heap, guarded_alloc(&gheap, heap_size, GUARD_START), heap_size);
	struct kd_job job = {
		.in = guarded_copy(&gin, in, in_len, side),
		.in_len = in_len,
		.out = guarded_alloc(&gout, cap, side),
		.out_cap = cap,
		.heap = &heap,
	};
	enum kd_err err = kd_decode(fmt, &job);
	bool exact;

	if (job.out_len > cap || job.in_used > in_len || (err && !job.why) || heap.peak > heap_size)
		abort();
	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_out_bound(fmt, job.in, job.in_len, &exact) < job.out_len)
		abort();
	if (out) {
		memcpy(out->data, job.out, job.out_len);
		out->len = job.out_len;
		out->why = job.why;
	}
	guarded_free(&gin);
	guarded_free(&gout);
	guarded_free(&gheap);
	return err;
}
