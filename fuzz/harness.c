// SPDX-License-Identifier: MIT
/* The decoder contract, checked on every fuzz input (see harness.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

/*
 * The drain contract (lib/kd.h), held on every call: done and keep only
 * grow, keep <= done <= out_cap; and the output's whole pages below keep
 * become inaccessible and those below done read-only, so a decoder that
 * reads behind keep, or changes output it called done, faults at once.
 */
struct drain_watch {
	size_t done, keep;
};

static uint8_t *page_down(const uint8_t *p)
{
	return (uint8_t *)((uintptr_t)p & ~((uintptr_t)getpagesize() - 1));
}

static uint8_t *page_up(const uint8_t *p)
{
	return page_down(p + getpagesize() - 1);
}

static void protect(uint8_t *from, uint8_t *to, int prot)
{
	if (to > from && mprotect(from, (size_t)(to - from), prot) != 0)
		abort();
}

static void watch_drain(struct kd_job *job, size_t done, size_t keep)
{
	struct drain_watch *w = job->drain_ctx;

	if (keep > done || done > job->out_cap || done < w->done || keep < w->keep)
		abort();
	w->done = done;
	w->keep = keep;
	protect(page_down(job->out), page_down(job->out + keep), PROT_NONE);
	protect(page_up(job->out + keep), page_down(job->out + done), PROT_READ);
}

enum kd_err fuzz_decode(enum kd_format fmt, const uint8_t *in, size_t in_len, size_t cap, enum guard_side side,
			struct fuzz_output *out)
{
	struct guarded gin, gout, gheap;
	size_t heap_size = kd_heap_size(fmt);
	struct kd_heap heap;
	struct drain_watch watch = { 0, 0 };

	/* the heap starts on a page, aligned as the stub's is, so kd_alloc pads exactly as there */
	kd_heap_init(&heap, guarded_alloc(&gheap, heap_size, GUARD_START), heap_size);
	struct kd_job job = {
		.in = guarded_copy(&gin, in, in_len, side),
		.in_len = in_len,
		.out = guarded_alloc(&gout, cap, side),
		.out_cap = cap,
		.heap = &heap,
		.drain = watch_drain,
		.drain_ctx = &watch,
	};
	enum kd_err err = kd_decode(fmt, &job);
	bool exact;

	protect(page_down(job.out), page_down(job.out + watch.done), PROT_READ | PROT_WRITE);

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
