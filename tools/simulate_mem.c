// SPDX-License-Identifier: MIT
/* Simulated physical memory for kdecomp simulate: sparse, in extents of 2 MiB chunks. */
#include <stdlib.h>
#include <string.h>

#include "simulate.h"

uint8_t *phys(struct phys_mem *m, uint64_t addr, uint64_t len)
{
	uint64_t start = addr & ~(CHUNK - 1), end = KD_ALIGN_UP(addr + (len ? len : 1), CHUNK);
	struct extent merged;
	size_t kept = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->x[i].start <= addr && addr + len <= m->x[i].end)
			return m->x[i].data + (addr - m->x[i].start);
	for (size_t i = 0; i < m->n; i++) {
		if (m->x[i].start < end && m->x[i].end > start) {
			start = m->x[i].start < start ? m->x[i].start : start;
			end = m->x[i].end > end ? m->x[i].end : end;
		}
	}
	merged = (struct extent){ start, end, calloc(1, end - start) };	/* calloc: untouched pages stay unbacked */
	if (!merged.data)
		die("simulate: out of memory for %llu MiB of simulated RAM", (unsigned long long)((end - start) >> 20));
	for (size_t i = 0; i < m->n; i++) {
		struct extent *e = &m->x[i];

		if (e->start >= start && e->end <= end) {
			memcpy(merged.data + (e->start - start), e->data, e->end - e->start);
			m->bytes -= e->end - e->start;
			free(e->data);
		} else {
			m->x[kept++] = *e;
		}
	}
	m->n = kept;
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		if (!(m->x = realloc(m->x, m->cap * sizeof(*m->x))))
			die("out of memory");
	}
	m->x[m->n++] = merged;
	m->bytes += end - start;
	return merged.data + (addr - start);
}

void phys_free(struct phys_mem *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->x[i].data);
	free(m->x);
}
