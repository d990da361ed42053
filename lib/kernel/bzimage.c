// SPDX-License-Identifier: MIT
/*
 * The bzImage reader.  Layout (boot protocol):
 *
 *   0      boot sector; the setup header sits at 0x1f1..0x26b
 *   0x200  setup code (setup_sects sectors after the boot sector; 0 means 4)
 *   setup_size  the protected-mode part, loaded at code32_start (0x100000);
 *               it holds the compressed kernel at payload_offset
 */
#include "bzimage.h"

#define MIN_PROTOCOL 0x0208	/* payload_offset/length appeared in 2.08 */

static enum kd_err check_version_string(struct kd_bzimage *img)
{
	size_t off = (size_t)img->hdr.kernel_version + 0x200;

	img->version = NULL;
	img->version_len = 0;
	if (img->hdr.kernel_version == 0 || off >= img->setup_size)
		return KD_OK;	/* optional: a header without it is still bootable */
	for (size_t i = off; i < img->setup_size && i < off + 256; i++) {
		if (img->data[i] == 0) {
			img->version = (const char *)img->data + off;
			img->version_len = i - off;
			break;
		}
	}
	return KD_OK;
}

enum kd_err kd_bzimage_parse(struct kd_bzimage *img, const uint8_t *data, size_t len, struct kd_report *r)
{
	const struct kd_setup_header *h = &img->hdr;

	kd_memset(img, 0, sizeof(*img));
	img->data = data;
	img->len = len;
	if (len < 0x26c)
		return kd_reject(r, KD_ERR_IMAGE, "file is shorter than the setup header", "file size", len, 0x26c);
	kd_memcpy(&img->hdr, data + KD_SETUP_HEADER_OFFSET, sizeof(img->hdr));
	if (h->boot_flag != KD_BOOT_FLAG)
		return kd_reject(r, KD_ERR_IMAGE, "boot_flag is not 0xAA55", "boot_flag", h->boot_flag, KD_BOOT_FLAG);
	if (h->header != KD_HDRS_MAGIC)
		return kd_reject(r, KD_ERR_IMAGE, "header magic is not \"HdrS\"", "header", h->header, KD_HDRS_MAGIC);
	if (h->version < MIN_PROTOCOL)
		return kd_reject(r, KD_ERR_IMAGE, "boot protocol older than 2.08 has no payload fields",
				 "version", h->version, MIN_PROTOCOL);
	img->setup_size = ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * KD_SECTOR;
	if (img->setup_size >= len)
		return kd_reject(r, KD_ERR_IMAGE, "setup sectors extend past the end of the file",
				 "setup_sects", h->setup_sects, (len / KD_SECTOR) - 1);
	img->pm = data + img->setup_size;
	img->pm_len = len - img->setup_size;
	if (h->payload_offset > img->pm_len)
		return kd_reject(r, KD_ERR_IMAGE, "payload starts past the end of the file",
				 "payload_offset", h->payload_offset, img->pm_len);
	if (h->payload_length > img->pm_len - h->payload_offset)
		return kd_reject(r, KD_ERR_IMAGE, "payload ends past the end of the file",
				 "payload_length", h->payload_length, img->pm_len - h->payload_offset);
	if (h->payload_length < 4)
		return kd_reject(r, KD_ERR_IMAGE, "payload is too short to hold a kernel",
				 "payload_length", h->payload_length, 4);
	img->payload = img->pm + h->payload_offset;
	img->payload_len = h->payload_length;
	img->format = kd_detect_format(img->payload, img->payload_len);
	if (img->format == KD_FMT_UNKNOWN)
		return kd_reject(r, KD_ERR_IMAGE, "payload is in no known compression format (magic)",
				 "payload magic", kd_get_be32(img->payload), 0);
	return check_version_string(img);
}
