/* SPDX-License-Identifier: MIT */
/*
 * The zstd decoder's internal contracts (RFC 8878), shared by its layers:
 *
 *   zstd_frame.c      frames, skippable frames, blocks, checksum, the entry point
 *   zstd_literals.c   the literals section: raw, RLE, Huffman 1 or 4 streams
 *   zstd_huf.c        Huffman tree descriptions and decoding tables
 *   zstd_fse.c        FSE distributions and decoding tables
 *   zstd_sequences.c  the sequences section, decoded and executed in one pass
 *
 * Everything a frame carries from block to block (repeat offsets, the
 * Huffman table, the three sequence tables) lives in struct zstd_dec, which
 * the caller's heap provides; the output is written straight into the
 * caller's buffer, so matches read earlier output in place and no window
 * buffer exists.
 */
#ifndef KD_ZSTD_INTERNAL_H
#define KD_ZSTD_INTERNAL_H
#include "kd.h"

#define ZSTD_BLOCK_MAX		(128u << 10)	/* Block_Maximum_Size never exceeds this */

/*
 * Sequence execution copies literals in 16-byte chunks, so it may read up
 * to 15 bytes past the last literal; the literal buffer keeps this many
 * spare bytes after its ZSTD_BLOCK_MAX.
 */
#define ZSTD_LIT_SLACK		32

/* Largest accuracy logs (RFC 8878 3.1.1.3.2.1) and the largest codes. */
#define ZSTD_LL_LOG_MAX		9
#define ZSTD_ML_LOG_MAX		9
#define ZSTD_OF_LOG_MAX		8
#define ZSTD_WEIGHT_LOG_MAX	6
#define ZSTD_LL_CODE_MAX	35
#define ZSTD_ML_CODE_MAX	52
#define ZSTD_OF_CODE_MAX	31	/* offsets up to 2^32 - 4: as far as any real frame reaches */
#define ZSTD_HUF_BITS_MAX	11	/* the longest Huffman code */

/*
 * The backward bit reader every FSE and Huffman stream uses.
 *
 * A stream is written forward and read from its last byte back to its
 * first; the last byte's highest set bit marks where the data ends.  `word`
 * holds the eight bytes at `ptr` (little-endian), so the next bits to read
 * are its highest ones, below the `consumed` bits already read.  A refill
 * steps `ptr` back by whole bytes; it can never step before `start`, so
 * once the stream is used up `consumed` grows past 64 and reads return
 * garbage, which the callers detect through zstd_bits_overflowed() or
 * zstd_bits_finished().  A stream shorter than eight bytes is loaded once
 * as if zero bytes preceded it, those counted as already read, and never
 * reloaded.
 */
struct zstd_bits {
	uint64_t word;		/* the 8 bytes at ptr; the next bits are the top ones */
	unsigned consumed;	/* bits of word already read, from the top; 0..64, more when over-read */
	const uint8_t *ptr;	/* where word was loaded: start <= ptr, and ptr + 8 <= end when end - start >= 8 */
	const uint8_t *start;	/* the stream's first byte (read last) */
};

/* Start reading [start, start + size) from its end; false if the end marker is missing. */
static inline bool zstd_bits_init(struct zstd_bits *br, const uint8_t *start, size_t size)
{
	unsigned last;

	if (size == 0 || (last = start[size - 1]) == 0)
		return false;
	br->start = start;
	/* skip the zero padding and the marker bit: clz counts 24 zeros above the byte */
	br->consumed = (unsigned)__builtin_clz(last) - 23;
	if (size >= 8) {
		br->ptr = start + size - 8;
		br->word = kd_get_le64(br->ptr);
	} else {
		br->ptr = start;
		br->word = 0;
		for (size_t i = 0; i < size; i++)
			br->word |= (uint64_t)start[i] << (8 * i);
		br->consumed += 8 * (unsigned)(8 - size);
	}
	return true;
}

/* The next n (0..57) bits as a number; garbage once over-read, never undefined. */
static inline uint64_t zstd_bits_read(struct zstd_bits *br, unsigned n)
{
	uint64_t v = (br->word << (br->consumed & 63)) >> 1 >> (63 - n);

	br->consumed += n;
	return v;
}

/*
 * Step back over the whole bytes already read.  Afterwards at least 57
 * bits can be read before the next refill, unless the stream is nearly
 * used up (then reads past its start return zeros and garbage).
 */
static inline void zstd_bits_refill(struct zstd_bits *br)
{
	size_t room = (size_t)(br->ptr - br->start);
	size_t back = br->consumed >> 3;

	if (KD_LIKELY(room >= 8)) {
		/* consumed <= 64 whenever ptr is 8 bytes from start, so back <= room */
		br->ptr -= back;
		br->consumed &= 7;
	} else {
		if (back > room)
			back = room;
		if (back == 0)
			return;
		br->ptr -= back;
		br->consumed -= 8 * (unsigned)back;
	}
	br->word = kd_get_le64(br->ptr);
}

/* A refill where the caller knows ptr is at least consumed / 8 bytes from start. */
static inline void zstd_bits_refill_fast(struct zstd_bits *br)
{
	br->ptr -= br->consumed >> 3;
	br->consumed &= 7;
	br->word = kd_get_le64(br->ptr);
}

/* After a refill: more bits were read than the stream holds. */
static inline bool zstd_bits_overflowed(const struct zstd_bits *br)
{
	return br->ptr == br->start && br->consumed > 64;
}

/* After a refill: every bit was read, and no more. */
static inline bool zstd_bits_finished(const struct zstd_bits *br)
{
	return br->ptr == br->start && br->consumed == 64;
}

/*
 * One state of a sequence FSE table, with the code it decodes already
 * turned into a baseline and a count of extra bits, so that one lookup
 * gives both the value and the next state:
 *
 *   value      = base + (extra bits read)
 *   next state = next + (state_bits bits read)
 */
struct zstd_seq_cell {
	uint32_t base;		/* the code's Baseline; for offsets 1 << code */
	uint8_t extra;		/* the code's Number_of_Bits: 0..16, offsets 0..31 */
	uint8_t state_bits;	/* bits for the next state: 0..accuracy log */
	uint16_t next;		/* the next state's baseline */
};

enum zstd_seq_kind { ZSTD_LL, ZSTD_OF, ZSTD_ML };

/* A sequence decoding table: room for the largest accuracy log of its kind. */
struct zstd_seq_table {
	struct zstd_seq_cell cells[1 << ZSTD_LL_LOG_MAX];
	unsigned log;		/* accuracy log in use: 0 (RLE) .. 9 */
};

/*
 * The Huffman decoding table: indexed by the next ZSTD_HUF_BITS_MAX bits of
 * a stream; each entry is symbol | code length << 8.  A code shorter than
 * 11 bits fills all 2^(11 - length) entries that start with it.
 */
struct zstd_huf_table {
	uint16_t entries[1 << ZSTD_HUF_BITS_MAX];
};

/* What one frame carries from block to block, and the scratch for a block. */
struct zstd_dec {
	struct zstd_seq_table ll, of, ml;	/* the tables of the last block with sequences */
	struct zstd_huf_table huf;		/* the last Huffman table described */
	bool have_huf;		/* huf is valid: treeless literals may use it */
	bool have_seq;		/* ll, of, ml are valid: Repeat_Mode may use them */
	size_t rep[3];		/* the repeat offsets, most recent first */
	uint8_t *frame_start;	/* this frame's first output byte: no offset reaches before it */
	uint64_t window;	/* Window_Size: no offset reaches further back */
	size_t block_max;	/* Block_Maximum_Size: min(Window_Size, 128 KiB) */
	bool bmi2;		/* the CPU has BMI2: sequences run through the loop built for it */
	const uint8_t *lit;	/* the current block's literals, in lit_buf */
	size_t lit_len;
	uint8_t lit_buf[ZSTD_BLOCK_MAX + ZSTD_LIT_SLACK] __attribute__((aligned(64)));
};

/* zstd_fse.c */
enum kd_err zstd_fse_read_counts(struct kd_job *job, const uint8_t *src, size_t len, int16_t *norm,
				 unsigned max_sym, unsigned max_log, unsigned *nsym, unsigned *log, size_t *used);
void zstd_fse_spread(uint8_t *symbols, const int16_t *norm, unsigned nsym, unsigned log);
void zstd_fse_next_states(const uint8_t *symbols, const int16_t *norm, unsigned nsym, unsigned log,
			  uint8_t *bits, uint16_t *next);
enum kd_err zstd_seq_table_read(struct kd_job *job, struct zstd_seq_table *t, enum zstd_seq_kind kind,
				unsigned mode, const uint8_t *src, size_t len, size_t *used);

/* zstd_huf.c */
enum kd_err zstd_huf_read_table(struct kd_job *job, struct zstd_huf_table *t, const uint8_t *src,
				size_t len, size_t *used);
enum kd_err zstd_huf_decode1(struct kd_job *job, const struct zstd_huf_table *t, const uint8_t *src,
			     size_t len, uint8_t *dst, size_t n);
enum kd_err zstd_huf_decode4(struct kd_job *job, const struct zstd_huf_table *t, const uint8_t *src,
			     size_t len, uint8_t *dst, size_t n);

/* zstd_literals.c */
enum kd_err zstd_literals(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
			  size_t *used);

/* zstd_sequences.c: decode and execute a block's sequences, writing from *opp up to limit. */
enum kd_err zstd_sequences(struct kd_job *job, struct zstd_dec *d, const uint8_t *src, size_t len,
			   uint8_t **opp, uint8_t *limit);
#endif
