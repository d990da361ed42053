// SPDX-License-Identifier: MIT
/*
 * zstd FSE: distributions (RFC 8878 4.1.1), decoding tables (4.1.1 "From
 * normalized distribution to decoding tables") and the sequence tables
 * built from them in each Compression_Mode (3.1.1.3.2.1).
 *
 * A table of 2^log states is built in two steps.  zstd_fse_spread deals
 * the symbols out over the states: "less than 1" symbols take one state
 * each from the top down, the others are spread with a fixed odd step that
 * skips those top states.  zstd_fse_next_states then gives each state the
 * bits and baseline of the next state: a symbol with probability p owns p
 * states, taken in state order as x = p .. 2p - 1; state x reads
 * log - floor(log2 x) bits and adds them to (x << bits) - 2^log.
 */
#include "zstd_internal.h"

static inline unsigned highbit(uint32_t v)
{
	return 31 - (unsigned)__builtin_clz(v);
}

/* 32 bits of a forward bitstream from bit `pos`, zeros past `len`. */
static uint32_t forward_bits(const uint8_t *src, size_t len, size_t pos)
{
	size_t byte = pos >> 3;
	uint64_t v = 0;

	if (len >= 8 && byte <= len - 8) {
		v = kd_get_le64(src + byte);
	} else {
		for (size_t i = 0; i < 8 && byte + i < len; i++)
			v |= (uint64_t)src[byte + i] << (8 * i);
	}
	return (uint32_t)(v >> (pos & 7));
}

/*
 * Read an FSE distribution from the start of [src, src + len): the
 * accuracy log (low nibble of the first byte, plus 5), then the symbols'
 * probabilities in order until they add up to 2^log.  Each is a value
 * 0 .. remaining + 1 (probability + 1: 0 means "less than 1", which counts
 * as 1) in a field of the fewest bits that can hold it, where the values
 * that fit in one bit less are written in one bit less.  A probability of
 * zero is followed by 2-bit counts of further zeros, a 3 meaning "3, and
 * another count follows".
 */
enum kd_err zstd_fse_read_counts(struct kd_job *job, const uint8_t *src, size_t len, int16_t *norm,
				 unsigned max_sym, unsigned max_log, unsigned *nsym, unsigned *log, size_t *used)
{
	size_t pos = 4;
	unsigned sym = 0;
	int remaining;

	KD_FAIL_IF(len == 0, job, KD_ERR_CORRUPT, "zstd FSE table description is empty");
	*log = (src[0] & 15) + 5;
	KD_FAIL_IF(*log > max_log, job, KD_ERR_CORRUPT, "zstd FSE accuracy log is too large");
	remaining = 1 << *log;
	while (remaining > 0) {
		unsigned max_value = (unsigned)remaining + 1;
		unsigned nbits = highbit(max_value) + 1;
		unsigned low_count = (1u << nbits) - 1 - max_value;	/* values written in nbits - 1 bits */
		unsigned half_mask = (1u << (nbits - 1)) - 1;
		uint32_t v = forward_bits(src, len, pos) & ((1u << nbits) - 1);
		int prob;

		KD_FAIL_IF(sym > max_sym, job, KD_ERR_CORRUPT, "zstd FSE distribution has too many symbols");
		if ((v & half_mask) < low_count) {
			v &= half_mask;
			pos += nbits - 1;
		} else {
			if (v > half_mask)
				v -= low_count;
			pos += nbits;
		}
		prob = (int)v - 1;
		norm[sym++] = (int16_t)prob;
		remaining -= prob < 0 ? 1 : prob;
		if (prob != 0)
			continue;
		unsigned zeros;
		do {
			zeros = forward_bits(src, len, pos) & 3;
			pos += 2;
			KD_FAIL_IF(sym + zeros > max_sym + 1, job, KD_ERR_CORRUPT,
				   "zstd FSE distribution has too many symbols");
			for (unsigned i = 0; i < zeros; i++)
				norm[sym++] = 0;
		} while (zeros == 3);
	}
	KD_FAIL_IF((pos + 7) >> 3 > len, job, KD_ERR_CORRUPT, "zstd FSE table description runs past its section");
	*nsym = sym;
	*used = (pos + 7) >> 3;
	return KD_OK;
}

/*
 * Deal the symbols out over the 2^log states (symbols[state] = symbol):
 * first written in order, each as many times as its probability, then
 * scattered with the step.
 */
void zstd_fse_spread(uint8_t *symbols, const int16_t *norm, unsigned nsym, unsigned log)
{
	uint8_t in_order[(1 << ZSTD_LL_LOG_MAX) + 8];
	unsigned size = 1u << log, mask = size - 1;
	unsigned step = (size >> 1) + (size >> 3) + 3;
	unsigned high = size - 1, pos = 0, n = 0;

	for (unsigned s = 0; s < nsym; s++) {
		if (norm[s] == -1) {
			symbols[high--] = (uint8_t)s;
			continue;
		}
		/* 8 at a time: the probabilities add up to at most 2^log, the buffer has 8 spare */
		uint64_t eight = s * 0x0101010101010101ull;
		for (int i = 0; i < norm[s]; i += 8)
			kd_memcpy(in_order + n + i, &eight, 8);
		n += (unsigned)norm[s];
	}
	for (unsigned i = 0; i < n; i++) {
		symbols[pos] = in_order[i];
		do
			pos = (pos + step) & mask;
		while (pos > high);
	}
}

/* Each state's bit count and next-state baseline, from the spread symbols. */
void zstd_fse_next_states(const uint8_t *symbols, const int16_t *norm, unsigned nsym, unsigned log,
			  uint8_t *bits, uint16_t *next)
{
	uint16_t x_next[ZSTD_ML_CODE_MAX + 1];
	unsigned size = 1u << log;

	for (unsigned s = 0; s < nsym; s++)
		x_next[s] = norm[s] == -1 ? 1 : (uint16_t)norm[s];
	for (unsigned state = 0; state < size; state++) {
		unsigned x = x_next[symbols[state]]++;
		unsigned nb = log - highbit(x);

		bits[state] = (uint8_t)nb;
		next[state] = (uint16_t)((x << nb) - size);
	}
}

/* Baselines and extra bits of literals length codes 16..35 and match length codes 32..52. */
static const uint32_t ll_base[20] = {
	16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
};
static const uint8_t ll_bits[20] = { 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint32_t ml_base[21] = {
	35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
};
static const uint8_t ml_bits[21] = { 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* The code's Baseline and Number_of_Bits (RFC 8878 3.1.1.3.2.1.1). */
static void code_value(struct zstd_seq_cell *c, enum zstd_seq_kind kind, unsigned code)
{
	switch (kind) {
	case ZSTD_LL:
		c->base = code < 16 ? code : ll_base[code - 16];
		c->extra = code < 16 ? 0 : ll_bits[code - 16];
		break;
	case ZSTD_ML:
		c->base = code < 32 ? code + 3 : ml_base[code - 32];
		c->extra = code < 32 ? 0 : ml_bits[code - 32];
		break;
	case ZSTD_OF:
		c->base = (uint32_t)1 << code;
		c->extra = (uint8_t)code;
		break;
	}
}

static void build_seq_table(struct zstd_seq_table *t, enum zstd_seq_kind kind, const int16_t *norm,
			    unsigned nsym, unsigned log)
{
	uint8_t symbols[1 << ZSTD_LL_LOG_MAX];
	struct zstd_seq_cell code[ZSTD_ML_CODE_MAX + 1];	/* each symbol's base and extra bits */
	uint16_t x_next[ZSTD_ML_CODE_MAX + 1];
	unsigned size = 1u << log;

	zstd_fse_spread(symbols, norm, nsym, log);
	for (unsigned s = 0; s < nsym; s++) {
		code_value(&code[s], kind, s);
		x_next[s] = norm[s] == -1 ? 1 : (uint16_t)norm[s];
	}
	for (unsigned state = 0; state < size; state++) {
		unsigned s = symbols[state], x = x_next[s]++;
		unsigned nb = log - highbit(x);
		struct zstd_seq_cell *c = &t->cells[state];

		c->base = code[s].base;
		c->extra = code[s].extra;
		c->state_bits = (uint8_t)nb;
		c->next = (uint16_t)((x << nb) - size);
	}
	t->log = log;
}

/* The predefined distributions (RFC 8878 3.1.1.3.2.2). */
static const int16_t ll_default[ZSTD_LL_CODE_MAX + 1] = {
	4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
	-1, -1, -1, -1,
};
static const int16_t ml_default[ZSTD_ML_CODE_MAX + 1] = {
	1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
};
static const int16_t of_default[29] = {
	1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
};

static void build_predefined(struct zstd_seq_table *t, enum zstd_seq_kind kind)
{
	switch (kind) {
	case ZSTD_LL:
		build_seq_table(t, kind, ll_default, KD_ARRAY_SIZE(ll_default), 6);
		break;
	case ZSTD_ML:
		build_seq_table(t, kind, ml_default, KD_ARRAY_SIZE(ml_default), 6);
		break;
	case ZSTD_OF:
		build_seq_table(t, kind, of_default, KD_ARRAY_SIZE(of_default), 5);
		break;
	}
}

static unsigned code_max(enum zstd_seq_kind kind)
{
	return kind == ZSTD_LL ? ZSTD_LL_CODE_MAX : kind == ZSTD_ML ? ZSTD_ML_CODE_MAX : ZSTD_OF_CODE_MAX;
}

/*
 * Set up table t for one symbol type from its Compression_Mode: 0
 * predefined, 1 RLE (one byte: the only code), 2 an FSE distribution, 3
 * repeat (the caller checks there is a table to repeat).  *used is the
 * number of bytes of the description.
 */
enum kd_err zstd_seq_table_read(struct kd_job *job, struct zstd_seq_table *t, enum zstd_seq_kind kind,
				unsigned mode, const uint8_t *src, size_t len, size_t *used)
{
	int16_t norm[ZSTD_ML_CODE_MAX + 1];
	unsigned nsym, log, max_log = kind == ZSTD_OF ? ZSTD_OF_LOG_MAX : ZSTD_LL_LOG_MAX;
	enum kd_err err;

	*used = 0;
	switch (mode) {
	case 0:
		build_predefined(t, kind);
		return KD_OK;
	case 1:
		KD_FAIL_IF(len < 1, job, KD_ERR_CORRUPT, "zstd RLE sequence code is missing");
		KD_FAIL_IF(src[0] > code_max(kind), job, KD_ERR_CORRUPT, "zstd RLE sequence code is out of range");
		code_value(&t->cells[0], kind, src[0]);
		t->cells[0].state_bits = 0;
		t->cells[0].next = 0;
		t->log = 0;
		*used = 1;
		return KD_OK;
	case 2:
		err = zstd_fse_read_counts(job, src, len, norm, code_max(kind), max_log, &nsym, &log, used);
		if (err)
			return err;
		build_seq_table(t, kind, norm, nsym, log);
		return KD_OK;
	default:
		return KD_OK;
	}
}
