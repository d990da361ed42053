// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the bzImage reader (lib/kernel/bzimage.c), which
 * inspect, extract, pack and simulate all start with, on arbitrary bytes
 * between guard pages.  An accepted image must describe itself inside the
 * file: setup, protected-mode part and payload within it, the payload's
 * format its magic's, the version string NUL-terminated inside the setup.
 */
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"
#include "guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_image(const struct kd_bzimage *img, const uint8_t *file, size_t size)
{
	const uint8_t *end = file + size;

	if (img->setup_size >= size || img->pm != file + img->setup_size || img->pm + img->pm_len != end ||
	    img->payload < img->pm || img->payload_len < 4 || img->payload_len > (size_t)(end - img->payload) ||
	    img->format != kd_detect_format(img->payload, img->payload_len) || img->format == KD_FMT_UNKNOWN)
		abort();
	if (img->version) {
		const uint8_t *v = (const uint8_t *)img->version;

		if (v < file + 0x200 || v + img->version_len >= file + img->setup_size || v[img->version_len] != 0 ||
		    memchr(v, 0, img->version_len))
			abort();
	}
	(void)kd_payload_out_len(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guarded g;
	const uint8_t *file = guarded_copy(&g, data, size, guard_side_for(size));
	struct kd_bzimage img;
	struct kd_report r = { 0 };
	enum kd_err err = kd_bzimage_parse(&img, file, size, &r);

	if (err && (err != KD_ERR_IMAGE || !r.why))
		abort();
	if (!err)
		check_image(&img, file, size);
	guarded_free(&g);
	return 0;
}
