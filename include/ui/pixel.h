/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest pixel formats to the display surfaces' x8r8g8b8.
 *
 * Guest framebuffers are little-endian, packed:
 *   8 bpp   an index into a palette of x8r8g8b8 values
 *   15 bpp  x1r5g5b5 (16-bit words)
 *   16 bpp  r5g6b5 (16-bit words)
 *   24 bpp  bytes b, g, r
 *   32 bpp  bytes b, g, r, x
 * Narrow channels widen by repeating their top bits, so that full
 * intensity stays full (0x1f -> 0xff) and black stays black. The top
 * byte of a converted pixel is padding: 0, or whatever a 32 bpp guest
 * had there (surfaces are x8r8g8b8; surface_pixel() masks it).
 */
#ifndef UI_PIXEL_H
#define UI_PIXEL_H

#include "ember/osdep.h"

static inline uint32_t pixel_rgb(unsigned r, unsigned g, unsigned b)
{
    return (r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff);
}

/* A 6-bit VGA DAC value widened to 8 bits. */
static inline unsigned pixel_c6_to_c8(unsigned v)
{
    v &= 0x3f;
    return v << 2 | v >> 4;
}

static inline unsigned pixel_c5_to_c8(unsigned v)
{
    v &= 0x1f;
    return v << 3 | v >> 2;
}

/* Bytes per pixel of a depth (15 -> 2). */
static inline unsigned pixel_bytes(unsigned bpp)
{
    return (bpp + 7) / 8;
}

/*
 * Convert width pixels of src (bpp 8, 15, 16, 24 or 32) into dst.
 * palette is used (and must have 256 entries) for 8 bpp only.
 */
void pixel_convert_line(uint32_t *dst, const uint8_t *src, int width,
                        unsigned bpp, const uint32_t *palette);

#endif
