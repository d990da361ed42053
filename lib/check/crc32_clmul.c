// SPDX-License-Identifier: MIT
/*
 * CRC-32 (the reflected IEEE polynomial of lib/check/crc32.c) by folding with
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
 *
 * Where the CPU has VPCLMULQDQ (and the OS saves AVX state), eight lanes go
 * through four 256-bit registers instead, or sixteen through four 512-bit
 * ones with AVX-512.
 */
#include "crc32_clmul.h"

#if KD_CRC32_CLMUL

typedef long long v2di __attribute__((vector_size(16)));
typedef long long v4di __attribute__((vector_size(32)));
typedef long long v8di __attribute__((vector_size(64)));

/* { for the low quadword H: x^(63+D) mod P, for the high quadword L: x^(D-1) mod P }, reflected */
#define K128_H	0x65673b4600000000ll
#define K128_L	((long long)0x9ba54c6f00000000ull)
#define K256_H	((long long)0x9570d49500000000ull)
#define K256_L	0x01b5fd1d00000000ll
#define K384_H	0x69ccfc0d00000000ll
#define K384_L	0x2a28386200000000ll
#define K512_H	0x653d982200000000ll
#define K512_L	((long long)0xcad38e8f00000000ull)
#define K768_H	0x759fc69d00000000ll
#define K768_L	0x101a233100000000ll
#define K1024_H	0x7d657a1000000000ll
#define K1024_L	0x7406fa9500000000ll
#define K1536_H	0x67f7947600000000ll
#define K1536_L	((long long)0xc56d949600000000ull)
#define K2048_H	0x7cc8e1e700000000ll
#define K2048_L	0x03f9f86300000000ll

/* GCC and clang name the wide carry-less multiplies differently. */
#ifdef __clang__
#define CLMUL256(a, b, imm) __builtin_ia32_pclmulqdq256((a), (b), (imm))
#define CLMUL512(a, b, imm) __builtin_ia32_pclmulqdq512((a), (b), (imm))
#else
#define CLMUL256(a, b, imm) __builtin_ia32_vpclmulqdq_v4di((a), (b), (imm))
#define CLMUL512(a, b, imm) __builtin_ia32_vpclmulqdq_v8di((a), (b), (imm))
#endif

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

/* Fold the last whole 16-byte blocks into x, then finish x and the tail with the tables. */
__attribute__((target("sse2,pclmul"), noinline))
static uint32_t fold_tail(v2di x, const uint8_t *p, size_t len)
{
	uint8_t last[16];

	for (; len >= 16; p += 16, len -= 16)
		x = fold(x, ((v2di){ K128_H, K128_L })) ^ load16(p);
	kd_memcpy(last, &x, 16);
	/* kd_crc32 inverts before and after: starting from ~0 is a zero state */
	return kd_crc32(kd_crc32(0xffffffffu, last, 16), p, len);
}

/* Four 128-bit lanes, 64 bytes a step. */
__attribute__((target("sse2,pclmul")))
static uint32_t crc32_fold4(uint32_t crc, const uint8_t *p, size_t len)
{
	const v2di k512 = { K512_H, K512_L };
	v2di x0 = load16(p) ^ (v2di){ (long long)(uint32_t)~crc, 0 };
	v2di x1 = load16(p + 16), x2 = load16(p + 32), x3 = load16(p + 48);

	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = fold(x0, k512) ^ load16(p);
		x1 = fold(x1, k512) ^ load16(p + 16);
		x2 = fold(x2, k512) ^ load16(p + 32);
		x3 = fold(x3, k512) ^ load16(p + 48);
	}
	x0 = fold(x0, ((v2di){ K384_H, K384_L })) ^ fold(x1, ((v2di){ K256_H, K256_L })) ^
	     fold(x2, ((v2di){ K128_H, K128_L })) ^ x3;
	return fold_tail(x0, p, len);
}

__attribute__((target("avx2,pclmul,vpclmulqdq")))
static inline v4di load32(const uint8_t *p)
{
	v4di v;

	kd_memcpy(&v, p, 32);
	return v;
}

__attribute__((target("avx2,pclmul,vpclmulqdq")))
static inline v4di fold256(v4di y, v4di k)
{
	return CLMUL256(y, k, 0x00) ^ CLMUL256(y, k, 0x11);
}

/*
 * Eight 128-bit lanes in four 256-bit registers, 128 bytes a step: each
 * lane moves 1024 bits.  At the end the registers fold into the last one
 * (768, 512, 256 bits on), and its two lanes into one.
 */
__attribute__((target("avx2,pclmul,vpclmulqdq")))
static uint32_t crc32_fold8(uint32_t crc, const uint8_t *p, size_t len)
{
	const v4di k1024 = { K1024_H, K1024_L, K1024_H, K1024_L };
	v4di y0 = load32(p) ^ (v4di){ (long long)(uint32_t)~crc, 0, 0, 0 };
	v4di y1 = load32(p + 32), y2 = load32(p + 64), y3 = load32(p + 96);

	for (p += 128, len -= 128; len >= 128; p += 128, len -= 128) {
		y0 = fold256(y0, k1024) ^ load32(p);
		y1 = fold256(y1, k1024) ^ load32(p + 32);
		y2 = fold256(y2, k1024) ^ load32(p + 64);
		y3 = fold256(y3, k1024) ^ load32(p + 96);
	}
	y0 = fold256(y0, ((v4di){ K768_H, K768_L, K768_H, K768_L })) ^
	     fold256(y1, ((v4di){ K512_H, K512_L, K512_H, K512_L })) ^
	     fold256(y2, ((v4di){ K256_H, K256_L, K256_H, K256_L })) ^ y3;
	v2di lo = { y0[0], y0[1] }, hi = { y0[2], y0[3] };

	return fold_tail(fold(lo, ((v2di){ K128_H, K128_L })) ^ hi, p, len);
}

#define TARGET_512 __attribute__((target("avx512f,avx2,pclmul,vpclmulqdq")))

TARGET_512 static inline v8di load64(const uint8_t *p)
{
	v8di v;

	kd_memcpy(&v, p, 64);
	return v;
}

TARGET_512 static inline v8di fold512(v8di z, v8di k)
{
	return CLMUL512(z, k, 0x00) ^ CLMUL512(z, k, 0x11);
}

#define K8(h, l) ((v8di){ h, l, h, l, h, l, h, l })

/*
 * Sixteen 128-bit lanes in four 512-bit registers, 256 bytes a step: each
 * lane moves 2048 bits.  At the end the registers fold into the last one,
 * and its four lanes into one.
 */
TARGET_512 static uint32_t crc32_fold16(uint32_t crc, const uint8_t *p, size_t len)
{
	const v8di k2048 = K8(K2048_H, K2048_L);
	v8di z0 = load64(p) ^ (v8di){ (long long)(uint32_t)~crc, 0, 0, 0, 0, 0, 0, 0 };
	v8di z1 = load64(p + 64), z2 = load64(p + 128), z3 = load64(p + 192);

	for (p += 256, len -= 256; len >= 256; p += 256, len -= 256) {
		z0 = fold512(z0, k2048) ^ load64(p);
		z1 = fold512(z1, k2048) ^ load64(p + 64);
		z2 = fold512(z2, k2048) ^ load64(p + 128);
		z3 = fold512(z3, k2048) ^ load64(p + 192);
	}
	z0 = fold512(z0, K8(K1536_H, K1536_L)) ^ fold512(z1, K8(K1024_H, K1024_L)) ^
	     fold512(z2, K8(K512_H, K512_L)) ^ z3;
	v2di x0 = { z0[0], z0[1] }, x1 = { z0[2], z0[3] }, x2 = { z0[4], z0[5] }, x3 = { z0[6], z0[7] };

	x0 = fold(x0, ((v2di){ K384_H, K384_L })) ^ fold(x1, ((v2di){ K256_H, K256_L })) ^
	     fold(x2, ((v2di){ K128_H, K128_L })) ^ x3;
	return fold_tail(x0, p, len);
}

static void cpuid(unsigned leaf, unsigned r[4])
{
	r[0] = leaf;
	r[2] = 0;
	__asm__("cpuid" : "+a"(r[0]), "=b"(r[1]), "+c"(r[2]), "=d"(r[3]));
}

enum clmul_level { CLMUL_NONE, CLMUL_128, CLMUL_256, CLMUL_512 };

/*
 * PCLMULQDQ: CPUID 1 ECX bit 1.  The wide VPCLMULQDQ (CPUID 7 ECX bit 10)
 * also needs AVX2 (CPUID 7 EBX bit 5) and the OS saving YMM state (CPUID 1
 * ECX bit 27 OSXSAVE, then XCR0 bits 1-2); for 512 bits, AVX-512F (CPUID 7
 * EBX bit 16) and ZMM state (XCR0 bits 5-7).  Asked once: CPUID is slow,
 * and traps under a hypervisor.
 */
static enum clmul_level clmul_level(void)
{
	static int level = -1;
	unsigned r[4], xcr0, edx_unused;

	if (level >= 0)
		return (enum clmul_level)level;
	level = CLMUL_NONE;
	cpuid(1, r);
	if (!(r[2] & (1u << 1)))
		return CLMUL_NONE;
	level = CLMUL_128;
	if (!(r[2] & (1u << 27)))
		return CLMUL_128;
	__asm__("xgetbv" : "=a"(xcr0), "=d"(edx_unused) : "c"(0));
	cpuid(0, r);
	if ((xcr0 & 0x06) != 0x06 || r[0] < 7)
		return CLMUL_128;
	cpuid(7, r);
	if (!(r[1] & (1u << 5)) || !(r[2] & (1u << 10)))
		return CLMUL_128;
	level = (r[1] & (1u << 16)) && (xcr0 & 0xe6) == 0xe6 ? CLMUL_512 : CLMUL_256;
	return (enum clmul_level)level;
}

bool kd_crc32_clmul_usable(void)
{
	return clmul_level() != CLMUL_NONE;
}

uint32_t kd_crc32_clmul(uint32_t crc, const uint8_t *p, size_t len)
{
	enum clmul_level level = clmul_level();

	if (len >= 512 && level == CLMUL_512)
		return crc32_fold16(crc, p, len);
	if (len >= 256 && level >= CLMUL_256)
		return crc32_fold8(crc, p, len);
	return crc32_fold4(crc, p, len);
}

#endif
