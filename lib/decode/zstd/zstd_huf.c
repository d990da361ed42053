// SPDX-License-Identifier: MIT
/*
 * zstd Huffman literals: tree descriptions (RFC 8878 4.2.1), the decoding
 * table, and the 1- and 4-stream decoders (4.2.2).
 *
 * A tree is described by the weights of symbols 0 .. n - 1 (the weight of
 * symbol n, the last present, is implied: it completes the sum of
 * 2^(weight - 1) to a power of two, 2^max_bits).  A symbol of weight w has
 * a code of max_bits + 1 - w bits; codes are handed out in order of weight,
 * then of symbol, starting from the lowest weight with the numerically
 * smallest codes.  So the decoding table, indexed by the next 11 bits of a
 * stream, is a run of entries per symbol in that same order, each symbol
 * covering 2^(w - 1 + 11 - max_bits) entries.
 */
#include "zstd_internal.h"

static inline unsigned highbit(uint32_t v)
{
	return 31 - (unsigned)__builtin_clz(v);
}

/* A symbol from the table, consuming its code. */
static inline unsigned huf_symbol(const uint16_t *table, struct zstd_bits *br)
{
	unsigned e = table[(br->word << (br->consumed & 63)) >> (64 - ZSTD_HUF_BITS_MAX)];

	br->consumed += e >> 8;
	return e & 0xff;
}

/*
 * FSE-compressed weights: one distribution, then a backward stream read
 * by two states in turn, each emitting its symbol before it moves on.  The
 * stream ends when a state update needs more bits than are left; the other
 * state's symbol is then the last weight.
 */
static enum kd_err weights_fse(struct kd_job *job, const uint8_t *src, size_t len, uint8_t *weights,
			       unsigned *count)
{
	int16_t norm[ZSTD_HUF_BITS_MAX + 1];
	uint8_t symbols[1 << ZSTD_WEIGHT_LOG_MAX], bits[1 << ZSTD_WEIGHT_LOG_MAX];
	uint16_t next[1 << ZSTD_WEIGHT_LOG_MAX];
	unsigned nsym, log, n = 0, state[2];
	struct zstd_bits br;
	size_t used;
	enum kd_err err;

	err = zstd_fse_read_counts(job, src, len, norm, ZSTD_HUF_BITS_MAX, ZSTD_WEIGHT_LOG_MAX, &nsym, &log,
				   &used);
	if (err)
		return err;
	zstd_fse_spread(symbols, norm, nsym, log);
	zstd_fse_next_states(symbols, norm, nsym, log, bits, next);
	KD_FAIL_IF(!zstd_bits_init(&br, src + used, len - used), job, KD_ERR_CORRUPT,
		   "zstd Huffman weight stream has no end marker");
	state[0] = (unsigned)zstd_bits_read(&br, log);
	state[1] = (unsigned)zstd_bits_read(&br, log);
	zstd_bits_refill(&br);
	for (unsigned k = 0;; k ^= 1) {
		unsigned s = state[k];

		KD_FAIL_IF(n >= 255, job, KD_ERR_CORRUPT, "zstd Huffman tree has more than 255 weights");
		weights[n++] = symbols[s];
		state[k] = next[s] + (unsigned)zstd_bits_read(&br, bits[s]);
		zstd_bits_refill(&br);
		if (zstd_bits_overflowed(&br)) {
			KD_FAIL_IF(n >= 255, job, KD_ERR_CORRUPT, "zstd Huffman tree has more than 255 weights");
			weights[n++] = symbols[state[k ^ 1]];
			break;
		}
	}
	*count = n;
	return KD_OK;
}

/* Fill the table from the weights of symbols 0 .. n - 1; symbol n's weight is implied. */
static enum kd_err build_table(struct kd_job *job, struct zstd_huf_table *t, uint8_t *weights, unsigned n)
{
	unsigned rank_count[ZSTD_HUF_BITS_MAX + 1] = { 0 };
	uint32_t total = 0, rest;
	unsigned max_bits, scale;

	for (unsigned i = 0; i < n; i++) {
		KD_FAIL_IF(weights[i] > ZSTD_HUF_BITS_MAX, job, KD_ERR_CORRUPT, "zstd Huffman weight is over 11");
		if (weights[i])
			total += 1u << (weights[i] - 1);
		rank_count[weights[i]]++;
	}
	KD_FAIL_IF(total == 0, job, KD_ERR_CORRUPT, "zstd Huffman tree has no symbol");
	max_bits = highbit(total) + 1;
	KD_FAIL_IF(max_bits > ZSTD_HUF_BITS_MAX, job, KD_ERR_CORRUPT, "zstd Huffman code is longer than 11 bits");
	rest = (1u << max_bits) - total;
	KD_FAIL_IF(rest & (rest - 1), job, KD_ERR_CORRUPT, "zstd Huffman weights do not complete a prefix code");
	weights[n] = (uint8_t)(highbit(rest) + 1);
	rank_count[weights[n]]++;
	KD_FAIL_IF(rank_count[1] == 0, job, KD_ERR_CORRUPT, "zstd Huffman tree has no symbol of weight 1");

	/* the symbols in table order: by weight, then by symbol */
	uint8_t sorted[256];
	unsigned next[ZSTD_HUF_BITS_MAX + 2];
	next[1] = 0;
	for (unsigned w = 1; w <= max_bits; w++)
		next[w + 1] = next[w] + rank_count[w];
	for (unsigned sym = 0; sym <= n; sym++)
		if (weights[sym])
			sorted[next[weights[sym]]++] = (uint8_t)sym;

	/* a weight's symbols are a run of entries of one span: fill each run with one loop */
	uint16_t *e = t->entries;
	const uint8_t *sym = sorted;
	scale = ZSTD_HUF_BITS_MAX - max_bits;
	for (unsigned w = 1; w <= max_bits; w++) {
		unsigned span = 1u << (w - 1 + scale), bits = (max_bits + 1 - w) << 8;
		const uint8_t *end = sym + rank_count[w];

		if (span == 1) {
			for (; sym < end; sym++)
				*e++ = (uint16_t)(*sym | bits);
		} else if (span == 2) {
			for (; sym < end; sym++, e += 2)
				e[0] = e[1] = (uint16_t)(*sym | bits);
		} else {
			for (; sym < end; sym++) {
				uint64_t four = (*sym | bits) * 0x0001000100010001ull;

				for (unsigned i = 0; i < span; i += 4, e += 4)
					kd_memcpy(e, &four, 8);
			}
		}
	}
	return KD_OK;
}

/*
 * Huffman_Tree_Description: a header byte, then either FSE-compressed
 * weights (header < 128: that many bytes) or header - 127 weights of
 * 4 bits each, two to a byte, high nibble first.
 */
enum kd_err zstd_huf_read_table(struct kd_job *job, struct zstd_huf_table *t, const uint8_t *src,
				size_t len, size_t *used)
{
	uint8_t weights[256];
	unsigned n, header;
	enum kd_err err;

	KD_FAIL_IF(len < 1, job, KD_ERR_CORRUPT, "zstd Huffman tree description is missing");
	header = src[0];
	if (header < 128) {
		KD_FAIL_IF(header + 1u > len, job, KD_ERR_CORRUPT, "zstd Huffman weights run past the literals");
		err = weights_fse(job, src + 1, header, weights, &n);
		if (err)
			return err;
		*used = 1 + header;
	} else {
		n = header - 127;
		KD_FAIL_IF(1 + (n + 1) / 2 > len, job, KD_ERR_CORRUPT, "zstd Huffman weights run past the literals");
		for (unsigned i = 0; i < n; i += 2) {
			weights[i] = src[1 + i / 2] >> 4;
			weights[i + 1] = src[1 + i / 2] & 15;
		}
		*used = 1 + (n + 1) / 2;
	}
	return build_table(job, t, weights, n);
}

/* Decode n symbols from one stream: [src, src + len) read backward. */
enum kd_err zstd_huf_decode1(struct kd_job *job, const struct zstd_huf_table *t, const uint8_t *src,
			     size_t len, uint8_t *dst, size_t n)
{
	const uint16_t *table = t->entries;
	uint8_t *op = dst, *end = dst + n;
	struct zstd_bits br;

	KD_FAIL_IF(!zstd_bits_init(&br, src, len), job, KD_ERR_CORRUPT, "zstd Huffman stream has no end marker");
	/* 4 codes of at most 11 bits fit in the 57 bits a refill guarantees */
	while (end - op >= 4) {
		zstd_bits_refill(&br);
		op[0] = (uint8_t)huf_symbol(table, &br);
		op[1] = (uint8_t)huf_symbol(table, &br);
		op[2] = (uint8_t)huf_symbol(table, &br);
		op[3] = (uint8_t)huf_symbol(table, &br);
		op += 4;
	}
	while (op < end) {
		zstd_bits_refill(&br);
		*op++ = (uint8_t)huf_symbol(table, &br);
	}
	zstd_bits_refill(&br);
	KD_FAIL_IF(!zstd_bits_finished(&br), job, KD_ERR_CORRUPT, "zstd Huffman stream is not used up exactly");
	return KD_OK;
}

/*
 * The 4-stream fast loop: every stream has at least 7 bytes to step back
 * over and every output segment room for 5 symbols per round, so a round
 * refills each stream without a bounds check (5 codes of at most 11 bits
 * read at most 55 bits, so a refill steps back at most 7 bytes) and
 * decodes 5 symbols from each.
 */
#define HUF_ROUND_SYMBOLS 5
#define HUF_ROUND_BYTES 7

static inline size_t rounds_left(const struct zstd_bits *br, const uint8_t *op, const uint8_t *end)
{
	size_t in = (size_t)(br->ptr - br->start) / HUF_ROUND_BYTES;
	size_t out = (size_t)(end - op) / HUF_ROUND_SYMBOLS;

	return in < out ? in : out;
}

static void decode4_fast(const uint16_t *table, struct zstd_bits *br, uint8_t **op, uint8_t *const *end)
{
	struct zstd_bits b0 = br[0], b1 = br[1], b2 = br[2], b3 = br[3];
	uint8_t *o0 = op[0], *o1 = op[1], *o2 = op[2], *o3 = op[3];

	for (;;) {
		size_t rounds = rounds_left(&b0, o0, end[0]), r;

		if ((r = rounds_left(&b1, o1, end[1])) < rounds)
			rounds = r;
		if ((r = rounds_left(&b2, o2, end[2])) < rounds)
			rounds = r;
		if ((r = rounds_left(&b3, o3, end[3])) < rounds)
			rounds = r;
		if (rounds == 0)
			break;
		do {
			zstd_bits_refill_fast(&b0);
			zstd_bits_refill_fast(&b1);
			zstd_bits_refill_fast(&b2);
			zstd_bits_refill_fast(&b3);
			for (int i = 0; i < HUF_ROUND_SYMBOLS; i++) {
				o0[i] = (uint8_t)huf_symbol(table, &b0);
				o1[i] = (uint8_t)huf_symbol(table, &b1);
				o2[i] = (uint8_t)huf_symbol(table, &b2);
				o3[i] = (uint8_t)huf_symbol(table, &b3);
			}
			o0 += HUF_ROUND_SYMBOLS;
			o1 += HUF_ROUND_SYMBOLS;
			o2 += HUF_ROUND_SYMBOLS;
			o3 += HUF_ROUND_SYMBOLS;
		} while (--rounds);
	}
	br[0] = b0, br[1] = b1, br[2] = b2, br[3] = b3;
	op[0] = o0, op[1] = o1, op[2] = o2, op[3] = o3;
}

/*
 * Four streams, each decoding a quarter (rounded up; the last takes what
 * is left) of the n symbols, after a jump table of the first three
 * streams' sizes (3 x 16 bits).
 */
enum kd_err zstd_huf_decode4(struct kd_job *job, const struct zstd_huf_table *t, const uint8_t *src,
			     size_t len, uint8_t *dst, size_t n)
{
	const uint16_t *table = t->entries;
	struct zstd_bits br[4];
	uint8_t *op[4], *end[4];
	size_t seg = (n + 3) / 4, pos = 6;

	KD_FAIL_IF(n < 6, job, KD_ERR_CORRUPT, "zstd 4-stream literals hold fewer than 6 symbols");
	KD_FAIL_IF(len < 10, job, KD_ERR_CORRUPT, "zstd 4-stream literals are too short for their jump table");
	for (int k = 0; k < 4; k++) {
		size_t size = k < 3 ? kd_get_le16(src + 2 * k) : len - pos;

		KD_FAIL_IF(size > len - pos, job, KD_ERR_CORRUPT, "zstd Huffman jump table overruns the literals");
		KD_FAIL_IF(!zstd_bits_init(&br[k], src + pos, size), job, KD_ERR_CORRUPT,
			   "zstd Huffman stream has no end marker");
		pos += size;
		op[k] = dst + k * seg;
		end[k] = k < 3 ? op[k] + seg : dst + n;
	}
	decode4_fast(table, br, op, end);
	for (int k = 0; k < 4; k++) {
		while (op[k] < end[k]) {
			zstd_bits_refill(&br[k]);
			*op[k]++ = (uint8_t)huf_symbol(table, &br[k]);
		}
		zstd_bits_refill(&br[k]);
		KD_FAIL_IF(!zstd_bits_finished(&br[k]), job, KD_ERR_CORRUPT,
			   "zstd Huffman stream is not used up exactly");
	}
	return KD_OK;
}
