// SPDX-License-Identifier: MIT
/* Buffers between guard pages (see guard.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard.h"

uint8_t *guarded_alloc(struct guarded *g, size_t len, enum guard_side side)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (len + page - 1) / page * page;

	g->map_len = body + 2 * page;
	g->map = mmap(NULL, g->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		abort();
	if (body && mprotect(g->map + page, body, PROT_READ | PROT_WRITE) != 0)
		abort();
	g->len = len;
	g->p = side == GUARD_START ? g->map + page : g->map + page + body - len;
	return g->p;
}

uint8_t *guarded_copy(struct guarded *g, const uint8_t *data, size_t len, enum guard_side side)
{
	guarded_alloc(g, len, side);
	if (len)
		memcpy(g->p, data, len);
	return g->p;
}

void guarded_free(struct guarded *g)
{
	munmap(g->map, g->map_len);
	g->map = NULL;
}
