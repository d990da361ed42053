// SPDX-License-Identifier: MIT
/*
 * The LZO1X block format, as LZO1X-1 and LZO1X-999 both write it (they
 * differ only in how hard they search; the stream is the same).
 *
 * A block is a sequence of instructions.  Each copies a match from the
 * output already written and then 0..3 literals, whose number S sits in
 * the low two bits of the instruction or of its 16-bit operand.  What a
 * byte T below 16 means depends on `state`, the number of literals the
 * previous instruction copied (4 standing for "4 or more"):
 *
 *   first byte 18..255  copy T - 17 literals; state = min(T - 17, 4)
 *   T 0..15, state 0    copy 3 + L literals (L = T, or 15 + an extended
 *                       length when T is 0); state = 4
 *   T 0..15, state 1..3 match of 2 at distance 1 + (T >> 2) + (H << 2)
 *   T 0..15, state 4    match of 3 at distance 2049 + (T >> 2) + (H << 2)
 *   T 16..31 (0001HLLL) match of 2 + L (L 0: 7 + extended) at distance
 *                       16384 + (H << 14) + (D >> 2), D a LE16 operand;
 *                       distance exactly 16384 ends the block
 *   T 32..63 (001LLLLL) match of 2 + L (L 0: 31 + extended) at distance
 *                       1 + (D >> 2), D a LE16 operand
 *   T 64..255           match of (T >> 5) + 1 (3..8) at distance
 *                       1 + ((T >> 2) & 7) + (H << 3)
 *
 * H is the byte after T.  An extended length is 255 for each zero byte,
 * plus the first nonzero byte.  Each match then copies S literals (S from
 * T, or from D for the LE16 forms) and sets state = S.
 *
 * The decoder checks everything: every input byte read, every output byte
 * written, every match distance (matches stay inside the block: lzop
 * compresses each block on its own).  Copies take 16-byte chunks while
 * both buffers have SLACK bytes to spare beyond the copy; closer to an end
 * they go one byte at a time.
 */
#include "copy.h"
#include "lzo.h"

#define SLACK 32
_Static_assert(SLACK > KD_COPY_OVERRUN, "fast path slack");

/* The rest of an extended length: zero bytes of 255, then a final nonzero byte. */
static inline bool read_ext(const uint8_t **ipp, const uint8_t *iend, size_t *len)
{
	const uint8_t *ip = *ipp;

	while (ip < iend && *ip == 0) {
		*len += 255;
		ip++;
	}
	if (KD_UNLIKELY(ip >= iend))
		return false;
	*len += *ip++;
	*ipp = ip;
	return true;
}

enum kd_err kd_lzo1x_block(struct kd_job *job, const uint8_t *in, size_t in_len, uint8_t *out,
			   size_t out_cap, size_t *out_len)
{
	const uint8_t *ip = in, *iend = in + in_len;
	uint8_t *op = out, *oend = out + out_cap;
	enum kd_err err = KD_OK;
	size_t lit, mlen, dist;
	unsigned state = 0, t;

	if (ip < iend && *ip > 17) {
		lit = *ip++ - 17u;
		state = lit < 4 ? (unsigned)lit : 4;
		goto literals;
	}
	for (;;) {
		/* the end mark takes 3 bytes; that also covers T and a one-byte operand */
		KD_FAIL_TO_IF(iend - ip < 3, done, err, job, KD_ERR_CORRUPT, "lzo block ends without its end mark");
		t = *ip++;
		if (t < 16) {
			if (state == 0) {
				lit = t + 3;
				KD_FAIL_TO_IF(t == 0 && !read_ext(&ip, iend, &lit), done, err, job, KD_ERR_CORRUPT,
					      "lzo literal length runs past the block");
				if (t == 0)
					lit += 15;
				state = 4;
				goto literals;
			}
			dist = 1 + (t >> 2) + ((size_t)*ip++ << 2);
			mlen = 2;
			if (state == 4) {
				dist += 2048;
				mlen = 3;
			}
			lit = t & 3;
		} else if (t >= 64) {
			dist = 1 + ((t >> 2) & 7) + ((size_t)*ip++ << 3);
			mlen = (t >> 5) + 1;
			lit = t & 3;
		} else {
			size_t len = t & (t >= 32 ? 31 : 7);

			if (len == 0) {
				len = t >= 32 ? 31 : 7;
				KD_FAIL_TO_IF(!read_ext(&ip, iend, &len), done, err, job, KD_ERR_CORRUPT,
					      "lzo match length runs past the block");
			}
			mlen = len + 2;
			KD_FAIL_TO_IF(iend - ip < 2, done, err, job, KD_ERR_CORRUPT,
				      "lzo match distance is cut off by the block end");
			unsigned d = kd_get_le16(ip);
			ip += 2;
			lit = d & 3;
			if (t >= 32) {
				dist = 1 + (d >> 2);
			} else {
				dist = ((size_t)(t & 8) << 11) + (d >> 2);
				if (dist == 0) {	/* the end mark */
					KD_FAIL_TO_IF(ip != iend, done, err, job, KD_ERR_CORRUPT,
						      "lzo block has data after its end mark");
					break;
				}
				dist += 16384;
			}
		}
		KD_FAIL_TO_IF(dist > (size_t)(op - out), done, err, job, KD_ERR_CORRUPT,
			      "lzo match reaches before the start of the block");
		if (KD_LIKELY(mlen <= (size_t)(oend - op) && oend - op - mlen >= SLACK)) {
			kd_match_copy(op, dist, mlen);
			op += mlen;
		} else {
			KD_FAIL_TO_IF(mlen > (size_t)(oend - op), done, err, job, KD_ERR_CORRUPT,
				      "lzo block decodes to more than its stated length");
			for (const uint8_t *src = op - dist; mlen; mlen--)
				*op++ = *src++;
		}
		state = (unsigned)lit;
		if (lit == 0)
			continue;
literals:
		if (KD_LIKELY(lit <= (size_t)(iend - ip) && iend - ip - lit >= SLACK &&
			      lit <= (size_t)(oend - op) && oend - op - lit >= SLACK)) {
			kd_wild_copy(op, ip, lit);
		} else {
			KD_FAIL_TO_IF(lit > (size_t)(iend - ip), done, err, job, KD_ERR_CORRUPT,
				      "lzo literals run past the block");
			KD_FAIL_TO_IF(lit > (size_t)(oend - op), done, err, job, KD_ERR_CORRUPT,
				      "lzo block decodes to more than its stated length");
			kd_memmove(op, ip, lit);
		}
		ip += lit;
		op += lit;
	}
done:
	*out_len = op - out;
	return err;
}
