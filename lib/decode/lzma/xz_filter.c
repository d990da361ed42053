// SPDX-License-Identifier: MIT
/*
 * xz's filters that run before LZMA2 in the encoder, undone here in place
 * over a whole block's output once LZMA2 has produced it (LZMA2's matches
 * refer to the filtered bytes, so the block must be complete first).
 *
 * Branch converters (BCJ): compilers emit calls and jumps with relative
 * targets; the encoder turns each target into an absolute one (position +
 * displacement), so that calls to the same function repeat byte for byte
 * and compress better.  Decoding subtracts the position again.  Positions
 * count from the block start plus an optional start offset (the filter's
 * 4-byte property).  Each architecture has its own idea of which bytes are a
 * branch; every converter leaves the last bytes that cannot hold a whole
 * instruction alone.
 *
 * Delta: each byte was replaced by its difference from the byte `distance`
 * positions earlier.
 */
#include "xz_dec.h"

/* x86: the top byte of a displacement the filter converts, a "near" target. */
static inline bool x86_near(uint8_t b)
{
	return b == 0x00 || b == 0xff;
}

/*
 * x86: E8 (CALL rel32) and E9 (JMP rel32).  An opcode byte is converted when
 * its displacement's top byte is 00 or FF, unless one of the three bytes
 * before it was an opcode byte that was left alone in a way that makes this
 * one likely to be inside that instruction.  `hist` records those: bits 1..3
 * for a left-alone opcode 1..3 bytes back, bits 5..7 for one whose own top
 * byte was near.  Conversion is refused if any of bits 5..7 is set or more
 * than one of bits 1..3 is; otherwise, with one opcode k bytes back (hist
 * bit k), the converted value must not be near in the byte that opcode's
 * top byte covers, so the conversion is repeated with that byte's bits
 * inverted.  That byte started out not near (else bit k + 4 would be set),
 * which lets the repetition run at most twice.
 */
static void bcj_x86(uint8_t *buf, size_t size, uint32_t start)
{
	uint32_t hist = 0;
	size_t prev_op = (size_t)0 - 4, i = 0;

	if (size < 5)
		return;
	while (i <= size - 5) {
		size_t gap;
		uint32_t g;
		uint8_t top;

		if ((buf[i] & 0xfe) != 0xe8) {
			i++;
			continue;
		}
		gap = i - prev_op;
		prev_op = i;
		if (gap >= 4)
			hist = 0;
		else
			while (gap--)
				hist = (hist & 0x77) << 1;
		top = buf[i + 4];
		g = (hist >> 1) & 7;
		if (x86_near(top) && hist < 0x20 && (g & (g - 1)) == 0) {
			uint32_t at = start + (uint32_t)i + 5;
			uint32_t dest = kd_get_le32(buf + i + 1) - at;

			if (g) {
				unsigned shift = 8 * (g == 1 ? 1 : g == 2 ? 2 : 3);
				uint32_t flip = (1u << (32 - shift)) - 1;

				for (int pass = 0; pass < 2 && x86_near((uint8_t)(dest >> (24 - shift))); pass++)
					dest = (dest ^ flip) - at;
			}
			/* 25 bits of target, sign-extended from bit 24 */
			kd_put_le32(buf + i + 1, (uint32_t)((int32_t)(dest << 7) >> 7));
			i += 5;
			hist = 0;
		} else {
			i++;
			hist |= x86_near(top) ? 0x11 : 0x01;
		}
	}
}

/* PowerPC: "bl" (opcode 18 with AA=0, LK=1), big-endian, 24-bit word displacement. */
static void bcj_powerpc(uint8_t *buf, size_t size, uint32_t start)
{
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint32_t insn = kd_get_be32(buf + i);

		if ((insn & 0xfc000003) == 0x48000001) {
			uint32_t dest = (insn & 0x03fffffc) - (start + (uint32_t)i);

			insn = 0x48000000 | (dest & 0x03ffffff) | (insn & 3);
			kd_put_le32(buf + i, __builtin_bswap32(insn));
		}
	}
}

/* ARM: "bl" (condition always, 0xEB), little-endian, 24-bit word displacement from pc + 8. */
static void bcj_arm(uint8_t *buf, size_t size, uint32_t start)
{
	for (size_t i = 0; i + 4 <= size; i += 4) {
		if (buf[i + 3] != 0xeb)
			continue;
		uint32_t src = (kd_get_le32(buf + i) & 0x00ffffff) << 2;
		uint32_t dest = (src - (start + (uint32_t)i + 8)) >> 2;

		buf[i] = (uint8_t)dest;
		buf[i + 1] = (uint8_t)(dest >> 8);
		buf[i + 2] = (uint8_t)(dest >> 16);
	}
}

/* ARM Thumb: the two-halfword "bl" (F000 then F800 prefixes), 22-bit halfword displacement from pc + 4. */
static void bcj_armthumb(uint8_t *buf, size_t size, uint32_t start)
{
	for (size_t i = 0; i + 4 <= size; i += 2) {
		if ((buf[i + 1] & 0xf8) != 0xf0 || (buf[i + 3] & 0xf8) != 0xf8)
			continue;
		uint32_t src = ((uint32_t)(buf[i + 1] & 7) << 19) | ((uint32_t)buf[i] << 11) |
			       ((uint32_t)(buf[i + 3] & 7) << 8) | buf[i + 2];
		uint32_t dest = ((src << 1) - (start + (uint32_t)i + 4)) >> 1;

		buf[i + 1] = (uint8_t)(0xf0 | ((dest >> 19) & 7));
		buf[i] = (uint8_t)(dest >> 11);
		buf[i + 3] = (uint8_t)(0xf8 | ((dest >> 8) & 7));
		buf[i + 2] = (uint8_t)dest;
		i += 2;
	}
}

/* SPARC: "call" (op 01) whose 30-bit word displacement fits in 23 bits (sign-extended). */
static void bcj_sparc(uint8_t *buf, size_t size, uint32_t start)
{
	for (size_t i = 0; i + 4 <= size; i += 4) {
		if (!((buf[i] == 0x40 && (buf[i + 1] & 0xc0) == 0x00) || (buf[i] == 0x7f && (buf[i + 1] & 0xc0) == 0xc0)))
			continue;
		uint32_t src = kd_get_be32(buf + i) << 2;
		uint32_t dest = (src - (start + (uint32_t)i)) >> 2;

		dest = (((0u - ((dest >> 22) & 1)) << 22) & 0x3fffffff) | (dest & 0x3fffff) | 0x40000000;
		kd_put_le32(buf + i, __builtin_bswap32(dest));
	}
}

/*
 * ARM64: "bl" (26-bit word displacement, converted whole) and "adrp"
 * (21-bit page displacement, converted only when it lies within +-512 MiB,
 * i.e. its top bits are a sign extension of bit 17).
 */
static void bcj_arm64(uint8_t *buf, size_t size, uint32_t start)
{
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint32_t insn = kd_get_le32(buf + i), pc = start + (uint32_t)i;

		if ((insn >> 26) == 0x25) {
			insn = 0x94000000 | ((insn - (pc >> 2)) & 0x03ffffff);
			kd_put_le32(buf + i, insn);
		} else if ((insn & 0x9f000000) == 0x90000000) {
			uint32_t src = ((insn >> 29) & 3) | ((insn >> 3) & 0x001ffffc);

			if ((src + 0x00020000) & 0x001c0000)
				continue;
			uint32_t dest = src - (pc >> 12);

			insn &= 0x9000001f;
			insn |= (dest & 3) << 29;
			insn |= (dest & 0x0003fffc) << 3;
			insn |= (0u - (dest & 0x00020000)) & 0x00e00000;
			kd_put_le32(buf + i, insn);
		}
	}
}

/*
 * IA-64: 16-byte bundles of three 41-bit slots after a 5-bit template.  The
 * template says which slots are branch units (bit k: slot k); a slot holding
 * an IP-relative branch (opcode 5, btype 0) has its 21-bit bundle
 * displacement (imm20b at bit 13, sign at bit 36) converted.
 */
static uint32_t ia64_branch_slots(uint32_t template)
{
	switch (template) {
	case 0x10: case 0x11: case 0x18: case 0x19: case 0x1c: case 0x1d:
		return 4;
	case 0x12: case 0x13:
		return 6;
	case 0x16: case 0x17:
		return 7;
	default:
		return 0;
	}
}

static void bcj_ia64(uint8_t *buf, size_t size, uint32_t start)
{
	for (size_t i = 0; i + 16 <= size; i += 16) {
		uint32_t slots = ia64_branch_slots(buf[i] & 0x1f);

		for (unsigned slot = 0, bit_pos = 5; slot < 3; slot++, bit_pos += 41) {
			if (!((slots >> slot) & 1))
				continue;
			size_t byte_pos = i + (bit_pos >> 3);
			unsigned bit_res = bit_pos & 7;
			uint64_t raw = 0, insn;

			for (int j = 0; j < 6; j++)
				raw |= (uint64_t)buf[byte_pos + j] << (8 * j);
			insn = raw >> bit_res;
			if (((insn >> 37) & 0xf) != 0x5 || ((insn >> 9) & 0x7) != 0)
				continue;
			uint32_t src = (uint32_t)((insn >> 13) & 0xfffff) | (uint32_t)(((insn >> 36) & 1) << 20);
			uint32_t dest = ((src << 4) - (start + (uint32_t)i)) >> 4;

			insn &= ~((uint64_t)0x8fffff << 13);
			insn |= (uint64_t)(dest & 0xfffff) << 13;
			insn |= (uint64_t)(dest & 0x100000) << (36 - 20);
			raw = (raw & ((1u << bit_res) - 1)) | (insn << bit_res);
			for (int j = 0; j < 6; j++)
				buf[byte_pos + j] = (uint8_t)(raw >> (8 * j));
		}
	}
}

static void delta_undo(uint8_t *buf, size_t size, uint32_t distance)
{
	for (size_t i = distance; i < size; i++)
		buf[i] = (uint8_t)(buf[i] + buf[i - distance]);
}

void xz_filter_undo(const struct xz_filter *f, uint8_t *buf, size_t size)
{
	switch (f->id) {
	case XZ_FILTER_DELTA:	 delta_undo(buf, size, f->arg); break;
	case XZ_FILTER_X86:	 bcj_x86(buf, size, f->arg); break;
	case XZ_FILTER_POWERPC:	 bcj_powerpc(buf, size, f->arg); break;
	case XZ_FILTER_IA64:	 bcj_ia64(buf, size, f->arg); break;
	case XZ_FILTER_ARM:	 bcj_arm(buf, size, f->arg); break;
	case XZ_FILTER_ARMTHUMB: bcj_armthumb(buf, size, f->arg); break;
	case XZ_FILTER_SPARC:	 bcj_sparc(buf, size, f->arg); break;
	case XZ_FILTER_ARM64:	 bcj_arm64(buf, size, f->arg); break;
	default:		 break;	/* the block header parser admits no others */
	}
}
