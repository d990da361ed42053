/* SPDX-License-Identifier: MIT */
/*
 * kdecomp's freestanding core: the one header every file in lib/ includes.
 *
 * lib/ builds twice, into the boot stub (no libc, PIE, -mno-sse) and into the
 * host library behind the CLI, the tests and the benchmarks.  Everything it
 * needs from a C library is named here, so that the two builds differ only
 * in where memcpy and friends come from (libc on the host, lib/mem.c in the
 * stub).
 *
 * The decoder contract, shared by all seven formats:
 *
 *   - whole buffers: the caller has all of the input and room for all of the
 *     output (the boot stub has both), so decoders keep no resumable state;
 *   - a decoder never allocates: scratch memory comes from a bump heap the
 *     caller gives (struct kd_heap), and each decoder documents its worst
 *     case in kd_<fmt>_heap_size();
 *   - a decoder never prints and keeps no globals: it returns a kd_err and
 *     leaves a short static reason in job->why;
 *   - on error, job->out_len says how much output was written before the
 *     error; nothing beyond out_cap is ever written;
 *   - between blocks, a decoder says how much of the output is final and
 *     how far back it can still read (job->drain, when the host sets it),
 *     so a host caller can stream the output out and give back the memory
 *     behind the window; .lzma, with neither blocks nor a bounded window,
 *     never does.
 */
#ifndef KD_H
#define KD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define kd_memcpy(d, s, n)  __builtin_memcpy((d), (s), (n))
#define kd_memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define kd_memset(d, c, n)  __builtin_memset((d), (c), (n))
#define kd_memcmp(a, b, n)  __builtin_memcmp((a), (b), (n))

#define KD_LIKELY(x)   __builtin_expect(!!(x), 1)
#define KD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define KD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KD_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~(__typeof__(x))((a) - 1))

/*
 * Tables computed on first use (the CRCs': kilobytes that a stub whose
 * format needs none would otherwise carry).  The stub is single-threaded;
 * on the host their builders also run as constructors, before main, so a
 * multi-threaded caller only ever reads them.
 */
#if __STDC_HOSTED__
#define KD_TABLE_BUILDER __attribute__((constructor)) static void
#else
#define KD_TABLE_BUILDER static void
#endif

/* Little-endian loads and stores; x86 does unaligned accesses natively. */
static inline uint16_t kd_get_le16(const uint8_t *p) { uint16_t v; kd_memcpy(&v, p, 2); return v; }
static inline uint32_t kd_get_le32(const uint8_t *p) { uint32_t v; kd_memcpy(&v, p, 4); return v; }
static inline uint64_t kd_get_le64(const uint8_t *p) { uint64_t v; kd_memcpy(&v, p, 8); return v; }
static inline uint32_t kd_get_be32(const uint8_t *p) { return __builtin_bswap32(kd_get_le32(p)); }
static inline uint16_t kd_get_be16(const uint8_t *p) { return __builtin_bswap16(kd_get_le16(p)); }
static inline void kd_put_le16(uint8_t *p, uint16_t v) { kd_memcpy(p, &v, 2); }
static inline void kd_put_le32(uint8_t *p, uint32_t v) { kd_memcpy(p, &v, 4); }
static inline void kd_put_le64(uint8_t *p, uint64_t v) { kd_memcpy(p, &v, 8); }

/*
 * Error codes: one enum for the whole core, grouped, never reused.  The
 * message for each is in kd_strerror(); the specific reason for one failure
 * is the static string a function leaves in its job's `why`.
 */
enum kd_err {
	KD_OK = 0,
	/* input */
	KD_ERR_MAGIC = 10,	/* not this format */
	KD_ERR_UNSUPPORTED,	/* valid, but an option we do not implement */
	KD_ERR_CORRUPT,		/* violates the format */
	KD_ERR_TRUNCATED,	/* input ends inside the stream */
	KD_ERR_CHECKSUM,	/* a stored check does not match the data */
	KD_ERR_SIZE,		/* a stored size does not match the data */
	KD_ERR_DICTIONARY,	/* needs a preset dictionary we do not have */
	/* resources */
	KD_ERR_OUTPUT_FULL = 30, /* output would exceed out_cap */
	KD_ERR_HEAP,		/* the caller's heap is too small */
	/* kernel image and placement */
	KD_ERR_IMAGE = 50,	/* not a bzImage we can read */
	KD_ERR_ELF,		/* malformed or unsuitable ELF */
	KD_ERR_RELOC,		/* malformed relocation table */
	KD_ERR_PLACE,		/* no place to put the kernel */
	KD_ERR_PGTABLE,		/* page-table pool exhausted */
	KD_ERR_KALLSYMS,	/* no usable kallsyms table in the kernel */
};

const char *kd_strerror(enum kd_err err);

/*
 * A bump allocator over memory the caller owns.  Nothing is freed one piece
 * at a time: reset `used` to reuse the whole heap.
 */
struct kd_heap {
	uint8_t *base;
	size_t size;
	size_t used;	/* bytes handed out, including alignment padding */
	size_t peak;	/* the most `used` has been, for reports */
};

void kd_heap_init(struct kd_heap *heap, void *base, size_t size);
void *kd_alloc(struct kd_heap *heap, size_t size);	/* 64-byte aligned, or NULL */

/* One decoding call: the buffers, the heap, and what happened. */
struct kd_job {
	const uint8_t *in;	/* whole input */
	size_t in_len;
	uint8_t *out;		/* output goes to out[0 .. out_cap) */
	size_t out_cap;
	struct kd_heap *heap;	/* scratch; may be NULL for decoders needing none */

	size_t in_used;		/* set by the decoder: input bytes consumed */
	size_t out_len;		/* set by the decoder: output bytes written */
	const char *why;	/* set on error: a static, specific reason */

	/*
	 * Streaming on the host; NULL in the stub.  Between blocks a decoder
	 * calls drain(job, done, keep): out[0 .. done) will not change again,
	 * and nothing before out[keep] (keep <= done) will be read again,
	 * because every distance the decoder accepts from here on reaches no
	 * further back.  The caller may write out what is done and give back
	 * the memory below keep.  Output still waiting on a filter or on a
	 * check that re-reads it (an xz block's) is not done until then.
	 */
	void (*drain)(struct kd_job *job, size_t done, size_t keep);
	void *drain_ctx;	/* the caller's, for drain */
};

/*
 * Tell the caller that the output before op is done and that no match
 * from here on reaches more than `window` bytes before op, nor before
 * `floor` (the start of a stream or block whose matches cannot reach
 * further back).
 */
static inline void kd_drain(struct kd_job *job, const uint8_t *op, const uint8_t *floor, size_t window)
{
	if (job->drain) {
		size_t done = (size_t)(op - job->out), keep = (size_t)(floor - job->out);

		job->drain(job, done, done - keep > window ? done - window : keep);
	}
}

/*
 * A decoder's one error channel: every check that fails names its kd_err
 * code and records a static reason in job->why.  KD_FAIL_IF returns the
 * code.  A hot loop that must save its cursors before it returns (on
 * error, out_len still says how far the output got) uses KD_FAIL_TO_IF
 * instead: it puts the code in the loop's `err` variable and jumps to the
 * loop's exit, `label`, where the cursors are saved.
 */
#define KD_FAIL(job, err, reason) \
	do { (job)->why = (reason); return (err); } while (0)
#define KD_FAIL_IF(cond, job, err, reason) \
	do { if (KD_UNLIKELY(cond)) KD_FAIL(job, err, reason); } while (0)
#define KD_FAIL_TO_IF(cond, label, err_var, job, err, reason) \
	do { if (KD_UNLIKELY(cond)) { (job)->why = (reason); (err_var) = (err); goto label; } } while (0)

/*
 * Why a check on a kernel image, ELF or relocation table failed: the reason,
 * and the field or entry it concerns with its value and the limit it broke,
 * so the caller can print "init_size 0x1000 < 0x2000: ..." without the core
 * needing printf.
 */
struct kd_report {
	const char *why;	/* static reason */
	const char *field;	/* the field or entry concerned, or NULL */
	uint64_t value;		/* its value */
	uint64_t limit;		/* the bound it broke (meaning given by `why`) */
};

static inline enum kd_err kd_reject(struct kd_report *r, enum kd_err err, const char *why,
				    const char *field, uint64_t value, uint64_t limit)
{
	r->why = why;
	r->field = field;
	r->value = value;
	r->limit = limit;
	return err;
}

enum kd_format {
	KD_FMT_UNKNOWN = 0,
	KD_FMT_GZIP,
	KD_FMT_BZIP2,
	KD_FMT_LZMA,
	KD_FMT_XZ,
	KD_FMT_LZO,
	KD_FMT_LZ4,
	KD_FMT_ZSTD,
	KD_FMT_COUNT
};

/* The format whose magic starts `in`, or KD_FMT_UNKNOWN. */
enum kd_format kd_detect_format(const uint8_t *in, size_t len);
const char *kd_format_name(enum kd_format fmt);
enum kd_format kd_format_by_name(const char *name);

/*
 * Each decoder: decode a whole stream (and any concatenated streams of the
 * same format that follow it) from job->in into job->out.  It stops at the
 * end of the last stream it recognises and sets in_used there, so trailing
 * bytes (Linux appends the 4-byte uncompressed size after its payload) are
 * left for the caller to judge.  kd_<fmt>_heap_size() is the worst-case heap
 * the decoder takes from job->heap, counting kd_alloc's alignment.
 */
#define KD_DECODER(fmt) \
	enum kd_err kd_##fmt##_decode(struct kd_job *job); \
	size_t kd_##fmt##_heap_size(void)

/*
 * Before decoding: the most output a stream the decoder accepts can give,
 * read from the stream's headers without decoding it, so that a caller sizes
 * its buffer once.  Where the format records the size (xz index, lzma
 * header, lzop block headers, zstd and lz4 frame content sizes) that is the
 * number and *exact is set; where it does not, its block structure bounds it
 * (lz4 and zstd blocks, bzip2 blocks, deflate's largest ratio).  Unknown
 * (KD_SIZE_UNKNOWN) where nothing does, or where the headers do not parse:
 * the decoder then reports what is wrong.  A corrupt stream may claim less
 * than it holds; its decoder stops with KD_ERR_OUTPUT_FULL at the bound.
 */
#define KD_SIZE_UNKNOWN UINT64_MAX
#define KD_OUT_BOUND(fmt) uint64_t kd_##fmt##_out_bound(const uint8_t *in, size_t len, bool *exact)

KD_DECODER(gzip);
KD_DECODER(bzip2);
KD_DECODER(lzma);
KD_DECODER(xz);
KD_DECODER(lzo);
KD_DECODER(lz4);
KD_DECODER(zstd);
KD_OUT_BOUND(gzip);
KD_OUT_BOUND(bzip2);
KD_OUT_BOUND(lzma);
KD_OUT_BOUND(xz);
KD_OUT_BOUND(lzo);
KD_OUT_BOUND(lz4);
KD_OUT_BOUND(zstd);

/* Dispatch by format (host tools; the stub calls its one decoder directly). */
enum kd_err kd_decode(enum kd_format fmt, struct kd_job *job);
size_t kd_heap_size(enum kd_format fmt);
uint64_t kd_out_bound(enum kd_format fmt, const uint8_t *in, size_t len, bool *exact);

/* a + b, or KD_SIZE_UNKNOWN if that overflows: sums of sizes read from untrusted headers. */
static inline uint64_t kd_size_add(uint64_t a, uint64_t b)
{
	return a > KD_SIZE_UNKNOWN - b ? KD_SIZE_UNKNOWN : a + b;
}

/* Checksums shared by the formats (lib/check/crc32.c). */
uint32_t kd_crc32(uint32_t crc, const uint8_t *buf, size_t len);	/* IEEE, reflected, as gzip, xz, lzo */

#endif
