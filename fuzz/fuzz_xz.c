// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the xz decoder.  Input that starts with the xz magic is
 * decoded as it is.  Other input is taken as LZMA2 data and wrapped in a
 * stream header and a block header with valid CRC32s (the first input byte
 * picks the filter in front of LZMA2), so the fuzzer reaches LZMA2 and the
 * filters without having to forge checksums.  Buffers end exactly at their
 * allocations, so ASan catches any overrun.
 */
#include <stdlib.h>
#include <string.h>

#include "kd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stream header, then a block header: size byte, flags, filter flags, padding, CRC32. */
static size_t wrap_header(uint8_t *p, uint8_t pick)
{
	static const uint8_t filters[] = { 0x00, 0x04, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };
	uint8_t filter = filters[pick % sizeof(filters)];
	size_t n = 0;

	memcpy(p, "\xfd" "7zXZ\0\0\0", 8);	/* no check */
	kd_put_le32(p + 8, kd_crc32(0, p + 6, 2));
	p += 12;
	p[n++] = 3;				/* (3 + 1) * 4 = 16 bytes */
	p[n++] = filter ? 1 : 0;		/* one or two filters, no sizes */
	if (filter == 0x03) {
		p[n++] = 0x03, p[n++] = 1, p[n++] = (uint8_t)(pick >> 4);	/* delta, distance */
	} else if (filter) {
		p[n++] = filter, p[n++] = 0;	/* BCJ, no start offset */
	}
	p[n++] = 0x21, p[n++] = 1, p[n++] = 22;	/* LZMA2, 8 MiB dictionary */
	while (n < 12)
		p[n++] = 0;
	kd_put_le32(p + 12, kd_crc32(0, p, 12));
	return 12 + 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *heap_mem;
	bool raw = size >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0;
	size_t cap = size > 1 ? ((size_t)data[size - 1] << 12) + 1 : 1;
	size_t head = raw ? 0 : 28, len = head + size - (raw || !size ? 0 : 1);
	uint8_t *in = malloc(len ? len : 1), *out = malloc(cap);
	struct kd_heap heap;

	if (!heap_mem)
		heap_mem = malloc(kd_xz_heap_size());
	if (raw)
		memcpy(in, data, size);
	else if (size)
		wrap_header(in, data[0]), memcpy(in + head, data + 1, size - 1);
	else
		wrap_header(in, 0);
	kd_heap_init(&heap, heap_mem, kd_xz_heap_size());
	struct kd_job job = { .in = in, .in_len = len, .out = out, .out_cap = cap, .heap = &heap };
	enum kd_err err = kd_xz_decode(&job);
	bool exact;

	/* what the headers say (sizing the CLI's one pass) is never short of what a good decode gives */
	if (!err && kd_xz_out_bound(job.in, job.in_len, &exact) < job.out_len)
		abort();

	if (job.out_len > cap || (!err && job.in_used > len) || (err && !job.why))
		abort();
	free(in);
	free(out);
	return 0;
}
