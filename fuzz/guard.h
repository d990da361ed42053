/* SPDX-License-Identifier: MIT */
/*
 * Buffers between guard pages, for the fuzz targets: each buffer is an
 * mmap with an inaccessible (PROT_NONE) page on either side, and the
 * buffer itself is pushed against one of them, so that reading or writing
 * one byte past its end (GUARD_END) or before its start (GUARD_START)
 * faults at once, whatever the sanitizer sees.  A target picks the side
 * from its input, so a crash reproduces from the crashing input alone.
 *
 *   GUARD_END:    | guard | .. slack .. [ buffer ] | guard |
 *   GUARD_START:  | guard | [ buffer ] .. slack .. | guard |
 */
#ifndef FUZZ_GUARD_H
#define FUZZ_GUARD_H
#include <stddef.h>
#include <stdint.h>

enum guard_side { GUARD_END, GUARD_START };

struct guarded {
	uint8_t *map;		/* the whole mapping, guard pages included */
	size_t map_len;
	uint8_t *p;		/* the buffer: len bytes against the chosen guard page */
	size_t len;
};

/* A buffer of len bytes (len may be 0: p then sits on the guard), zero-filled; aborts if mmap fails. */
uint8_t *guarded_alloc(struct guarded *g, size_t len, enum guard_side side);
/* The same, holding a copy of data. */
uint8_t *guarded_copy(struct guarded *g, const uint8_t *data, size_t len, enum guard_side side);
void guarded_free(struct guarded *g);

/* The side a target uses for an input: from its length, so every input sees one side, reproducibly. */
static inline enum guard_side guard_side_for(size_t size)
{
	return size & 1 ? GUARD_START : GUARD_END;
}
#endif
