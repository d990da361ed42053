// SPDX-License-Identifier: MIT
/*
 * The firmware's framebuffer for the kernel's early console and efifb:
 * the Graphics Output Protocol's current mode, described in screen_info
 * as an EFI framebuffer (VIDEO_TYPE_EFI).  A machine without GOP, a
 * blit-only mode, or a loader that already filled screen_info: left alone.
 */
#include "boot.h"
#include "efi.h"

#define BYTE_BITS 8

static const efi_guid gop_guid = EFI_GOP_GUID;

/* A colour's field in a pixel from its mask: position of the lowest bit, number of bits. */
static void mask_field(uint32_t mask, uint8_t *pos, uint8_t *size)
{
	*pos = mask ? (uint8_t)__builtin_ctz(mask) : 0;
	for (*size = 0; mask; mask &= mask - 1)
		(*size)++;
}

static void pixel_layout(struct kd_screen_info *si, const struct efi_gop_mode_info *info)
{
	uint32_t red = 0xff, green = 0xff00, blue = 0xff0000, rsvd = 0xff000000;	/* EFI_PIXEL_RGBX_8 */

	if (info->pixel_format == EFI_PIXEL_BGRX_8) {
		red = 0xff0000;
		blue = 0xff;
	} else if (info->pixel_format == EFI_PIXEL_BIT_MASK) {
		red = info->red_mask;
		green = info->green_mask;
		blue = info->blue_mask;
		rsvd = info->reserved_mask;
	}
	mask_field(red, &si->red_pos, &si->red_size);
	mask_field(green, &si->green_pos, &si->green_size);
	mask_field(blue, &si->blue_pos, &si->blue_size);
	mask_field(rsvd, &si->rsvd_pos, &si->rsvd_size);
	si->lfb_depth = si->red_size + si->green_size + si->blue_size + si->rsvd_size;
}

void efi_setup_graphics(struct efi_boot *eb)
{
	struct kd_screen_info *si = &eb->bp->screen_info;
	const struct efi_gop_mode_info *info;
	struct efi_gop *gop;

	if (si->orig_video_is_vga || EFI_IS_ERROR(eb->bs->locate_protocol(&gop_guid, NULL, (void **)&gop)) ||
	    !gop->mode || !(info = gop->mode->info) || info->pixel_format == EFI_PIXEL_BLT_ONLY)
		return;
	kd_memset(si, 0, sizeof(*si));
	si->orig_video_is_vga = KD_VIDEO_TYPE_EFI;
	si->lfb_width = (uint16_t)info->width;
	si->lfb_height = (uint16_t)info->height;
	pixel_layout(si, info);
	si->lfb_linelength = (uint16_t)(info->pixels_per_scan_line * si->lfb_depth / BYTE_BITS);
	si->lfb_base = (uint32_t)gop->mode->frame_buffer_base;
	si->ext_lfb_base = (uint32_t)(gop->mode->frame_buffer_base >> 32);
	si->lfb_size = (uint32_t)gop->mode->frame_buffer_size;
	si->capabilities = KD_VIDEO_CAPABILITY_SKIP_QUIRKS | (si->ext_lfb_base ? KD_VIDEO_CAPABILITY_64BIT_BASE : 0);
}
