// SPDX-License-Identifier: MIT
/*
 * CRC-32 (the reflected IEEE polynomial of lib/crc32.c) by folding with
 * PCLMULQDQ, host build only (see crc32_clmul.h).
 *
 * The CRC of a message is M(x) * x^32 mod P(x), where the first bit of the
 * message is its highest power.  Read 16 bytes as a 128-bit lane: lane bit j
 * is the coefficient of x^(127-j), scaled by the position of the lane.  A
 * lane X = H * x^64 + L (H is its low quadword) moved D bits later in the
 * message becomes H * x^(64+D) + L * x^D, and modulo P that is
 * H * (x^(64+D) mod P) + L * (x^D mod P), under 96 bits: it can be XORed
 * into the lane D bits on, and the message keeps its CRC.  Four lanes move
 * 512 bits at a time in parallel; at the end they fold into one, which
 * (with the tail) goes through the table code starting from a zero state,
 * as leading zero bytes do not change a zero-state CRC.
 *
 * PCLMULQDQ multiplies two quadwords with bit i as x^i; applied to
 * reflected quadwords (bit i as x^(63-i)) its product, read as a reflected
 * lane, comes out multiplied by x.  So each constant is x^(63+D) or x^(D-1)
 * mod P, stored reflected: bit i holds the coefficient of x^(63-i).
 * They were computed by repeated multiplication by x modulo P.
 */
#include "crc32_clmul.h"

#if KD_CRC32_CLMUL

typedef long long v2di __attribute__((vector_size(16)));

/* { for the low quadword H: x^(63+D) mod P, for the high quadword L: x^(D-1) mod P }, reflected */
#define FOLD_128 ((v2di){ 0x65673b4600000000ll, (long long)0x9ba54c6f00000000ull })
#define FOLD_256 ((v2di){ (long long)0x9570d49500000000ull, 0x01b5fd1d00000000ll })
#define FOLD_384 ((v2di){ 0x69ccfc0d00000000ll, 0x2a28386200000000ll })
#define FOLD_512 ((v2di){ 0x653d982200000000ll, (long long)0xcad38e8f00000000ull })

static inline v2di load16(const uint8_t *p)
{
	v2di v;

	kd_memcpy(&v, p, 16);
	return v;
}

/* Lane x moved forward by the distance `k` was made for. */
__attribute__((target("sse2,pclmul")))
static inline v2di fold(v2di x, v2di k)
{
	return __builtin_ia32_pclmulqdq128(x, k, 0x00) ^ __builtin_ia32_pclmulqdq128(x, k, 0x11);
}

__attribute__((target("sse2,pclmul")))
uint32_t kd_crc32_clmul(uint32_t crc, const uint8_t *p, size_t len)
{
	v2di x0 = load16(p) ^ (v2di){ (long long)(uint32_t)~crc, 0 };
	v2di x1 = load16(p + 16), x2 = load16(p + 32), x3 = load16(p + 48);
	uint8_t last[16];

	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = fold(x0, FOLD_512) ^ load16(p);
		x1 = fold(x1, FOLD_512) ^ load16(p + 16);
		x2 = fold(x2, FOLD_512) ^ load16(p + 32);
		x3 = fold(x3, FOLD_512) ^ load16(p + 48);
	}
	x0 = fold(x0, FOLD_384) ^ fold(x1, FOLD_256) ^ fold(x2, FOLD_128) ^ x3;
	for (; len >= 16; p += 16, len -= 16)
		x0 = fold(x0, FOLD_128) ^ load16(p);
	kd_memcpy(last, &x0, 16);
	/* kd_crc32 inverts before and after: starting from ~0 is a zero state */
	return kd_crc32(kd_crc32(0xffffffffu, last, 16), p, len);
}

/* CPUID leaf 1, ECX bit 1; asked once (CPUID is slow, and traps under a hypervisor). */
bool kd_crc32_clmul_usable(void)
{
	static int usable = -1;

	if (usable < 0) {
		unsigned eax = 1, ebx, ecx = 0, edx;

		__asm__("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
		usable = (ecx >> 1) & 1;
	}
	return usable;
}

#endif
