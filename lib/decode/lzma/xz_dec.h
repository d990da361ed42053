/* SPDX-License-Identifier: MIT */
/*
 * The layers of the xz decoder: the container (lib/decode/lzma/xz_stream.c), LZMA2
 * (lib/decode/lzma/xz_lzma2.c, over the LZMA core in lib/decode/lzma/lzma_core.c) and the filters
 * that may precede LZMA2 in a block's chain (lib/decode/lzma/xz_filter.c).
 *
 * The format: "The .xz File Format", version 1.1.0 or later, from the XZ
 * Utils project (doc/xz-file-format.txt there).
 */
#ifndef XZ_DEC_H
#define XZ_DEC_H

#include "lzma_dec.h"

/* Filter IDs (format spec 5.3 and the IDs XZ Utils has assigned since). */
enum xz_filter_id {
	XZ_FILTER_DELTA = 0x03,
	XZ_FILTER_X86 = 0x04,
	XZ_FILTER_POWERPC = 0x05,
	XZ_FILTER_IA64 = 0x06,
	XZ_FILTER_ARM = 0x07,
	XZ_FILTER_ARMTHUMB = 0x08,
	XZ_FILTER_SPARC = 0x09,
	XZ_FILTER_ARM64 = 0x0a,
	XZ_FILTER_RISCV = 0x0b,
	XZ_FILTER_LZMA2 = 0x21,
};

/* One filter of a block's chain, with its one property decoded. */
struct xz_filter {
	uint32_t id;	/* enum xz_filter_id */
	uint32_t arg;	/* BCJ: start offset; delta: distance (1..256); LZMA2: dictionary size */
};

/* Undo a non-last filter (BCJ or delta) over a whole block's output, in place. */
void xz_filter_undo(const struct xz_filter *f, uint8_t *buf, size_t size);

/*
 * Where a block's LZMA2 data is read from and written to.  The output may
 * stop short of oend only at the LZMA2 end marker; `oend_is_size` says oend
 * is the block header's uncompressed size (so passing it is corrupt data,
 * not a full output buffer).
 */
struct xz_block_io {
	const uint8_t *ip, *iend;
	uint8_t *op, *oend;
	bool oend_is_size;
};

/* LZMA2 limits lc + lp to 4: the size of the literal table its decoder needs. */
#define LZMA2_LIT_BITS_MAX 4

/* Decode one block's LZMA2 data, through its end marker. */
enum kd_err xz_lzma2_decode(struct kd_job *job, struct lzma_dec *s, struct xz_block_io *io);
#endif
