/* SPDX-License-Identifier: MIT */
/* lzo internals: the lzop container (lzo.c) and the LZO1X block decoder (lzo_block.c). */
#ifndef KD_LZO_H
#define KD_LZO_H

#include "kd.h"

/*
 * Decode one LZO1X block of in_len bytes into out[0 .. out_cap); matches
 * may not reach before `out`.  Succeeds only if the block's end mark is
 * its last three bytes.  *out_len is the bytes written, also on error
 * (KD_ERR_CORRUPT, with the reason in job->why).
 */
enum kd_err kd_lzo1x_block(struct kd_job *job, const uint8_t *in, size_t in_len, uint8_t *out,
			   size_t out_cap, size_t *out_len);

#endif
