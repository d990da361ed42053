// SPDX-License-Identifier: MIT
/*
 * Dispatch to every decoder.  Host only in practice: a stub links the one
 * decoder of its format directly, and this file would pull in all seven.
 */
#include "kd.h"

enum kd_err kd_decode(enum kd_format fmt, struct kd_job *job)
{
	switch (fmt) {
	case KD_FMT_GZIP:  return kd_gzip_decode(job);
	case KD_FMT_BZIP2: return kd_bzip2_decode(job);
	case KD_FMT_LZMA:  return kd_lzma_decode(job);
	case KD_FMT_XZ:    return kd_xz_decode(job);
	case KD_FMT_LZO:   return kd_lzo_decode(job);
	case KD_FMT_LZ4:   return kd_lz4_decode(job);
	case KD_FMT_ZSTD:  return kd_zstd_decode(job);
	default:           KD_FAIL(job, KD_ERR_MAGIC, "unknown compression format");
	}
}

size_t kd_heap_size(enum kd_format fmt)
{
	switch (fmt) {
	case KD_FMT_GZIP:  return kd_gzip_heap_size();
	case KD_FMT_BZIP2: return kd_bzip2_heap_size();
	case KD_FMT_LZMA:  return kd_lzma_heap_size();
	case KD_FMT_XZ:    return kd_xz_heap_size();
	case KD_FMT_LZO:   return kd_lzo_heap_size();
	case KD_FMT_LZ4:   return kd_lz4_heap_size();
	case KD_FMT_ZSTD:  return kd_zstd_heap_size();
	default:           return 0;
	}
}

uint64_t kd_out_bound(enum kd_format fmt, const uint8_t *in, size_t len, bool *exact)
{
	*exact = false;
	switch (fmt) {
	case KD_FMT_GZIP:  return kd_gzip_out_bound(in, len, exact);
	case KD_FMT_BZIP2: return kd_bzip2_out_bound(in, len, exact);
	case KD_FMT_LZMA:  return kd_lzma_out_bound(in, len, exact);
	case KD_FMT_XZ:    return kd_xz_out_bound(in, len, exact);
	case KD_FMT_LZO:   return kd_lzo_out_bound(in, len, exact);
	case KD_FMT_LZ4:   return kd_lz4_out_bound(in, len, exact);
	case KD_FMT_ZSTD:  return kd_zstd_out_bound(in, len, exact);
	default:           return KD_SIZE_UNKNOWN;
	}
}
