// SPDX-License-Identifier: MIT
/*
 * The four functions the compiler may call on its own, for the freestanding
 * build (the host build takes libc's).  They move words in plain loops
 * rather than with `rep movs`: the stub's big moves (placing the kernel's
 * segments, tens of MiB) run an order of magnitude faster that way under
 * emulation (QEMU's TCG runs string instructions an element at a time), and
 * a 32-byte loop keeps up with memory on hardware too.
 */
#include "kd.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* 32 bytes, all read before any is written: right for overlapping d and s either way. */
static inline void copy32(uint8_t *d, const uint8_t *s)
{
	uint64_t a = kd_get_le64(s), b = kd_get_le64(s + 8), c = kd_get_le64(s + 16), e = kd_get_le64(s + 24);

	kd_put_le64(d, a);
	kd_put_le64(d + 8, b);
	kd_put_le64(d + 16, c);
	kd_put_le64(d + 24, e);
}

/* Forward, 32 bytes a step; safe for overlap when dst is below src. */
static void copy_forward(uint8_t *d, const uint8_t *s, size_t n)
{
	for (; n >= 32; n -= 32, d += 32, s += 32)
		copy32(d, s);
	while (n--)
		*d++ = *s++;
}

/* Backward, for overlap with dst above src. */
static void copy_backward(uint8_t *d, const uint8_t *s, size_t n)
{
	d += n;
	s += n;
	for (; n >= 32; n -= 32) {
		d -= 32;
		s -= 32;
		copy32(d, s);
	}
	while (n--)
		*--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;

	for (; n >= 8; n -= 8, d += 8)
		kd_put_le64(d, v);
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}
