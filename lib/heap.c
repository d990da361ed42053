// SPDX-License-Identifier: MIT
/* The bump heap every decoder takes its scratch memory from. */
#include "kd.h"

#define KD_HEAP_ALIGN 64	/* a cache line: tables never share one by accident */

void kd_heap_init(struct kd_heap *heap, void *base, size_t size)
{
	heap->base = base;
	heap->size = size;
	heap->used = 0;
	heap->peak = 0;
}

void *kd_alloc(struct kd_heap *heap, size_t size)
{
	uintptr_t start;
	size_t offset;

	if (heap == NULL)
		return NULL;
	start = KD_ALIGN_UP((uintptr_t)heap->base + heap->used, KD_HEAP_ALIGN);
	offset = start - (uintptr_t)heap->base;
	if (offset > heap->size || size > heap->size - offset)
		return NULL;
	heap->used = offset + size;
	if (heap->used > heap->peak)
		heap->peak = heap->used;
	return heap->base + offset;
}
