/* SPDX-License-Identifier: MIT */
/* Reading a bzImage: its setup header, its payload, its kernel version. */
#ifndef KD_BZIMAGE_H
#define KD_BZIMAGE_H
#include "bootparam.h"

struct kd_bzimage {
	const uint8_t *data;		/* the whole file */
	size_t len;
	struct kd_setup_header hdr;	/* copied out of the file */
	size_t setup_size;		/* boot sector + setup sectors: (setup_sects ?: 4 + 1) * 512 */
	const uint8_t *pm;		/* the protected-mode part, after the setup */
	size_t pm_len;
	const uint8_t *payload;		/* the compressed kernel, by payload_offset/length */
	size_t payload_len;
	enum kd_format format;		/* by the payload's magic */
	const char *version;		/* kernel_version string, NUL-terminated in the file, or NULL */
	size_t version_len;
};

/* Validate and describe a bzImage; on failure `r` names the field at fault. */
enum kd_err kd_bzimage_parse(struct kd_bzimage *img, const uint8_t *data, size_t len, struct kd_report *r);

/*
 * Linux appends the payload's uncompressed length (LE32) to every format but
 * gzip, whose ISIZE trailer plays the same part; either way the payload's
 * last 4 bytes give the decompressed size.
 */
static inline uint32_t kd_payload_out_len(const struct kd_bzimage *img)
{
	return img->payload_len >= 4 ? kd_get_le32(img->payload + img->payload_len - 4) : 0;
}
#endif
