/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest pixel formats to x8r8g8b8 (see include/ui/pixel.h). */
#include "ember/osdep.h"
#include "ui/pixel.h"

static void convert_8(uint32_t *dst, const uint8_t *src, int w,
                      const uint32_t *pal)
{
    for (int x = 0; x < w; x++) {
        dst[x] = pal[src[x]];
    }
}

static void convert_15(uint32_t *dst, const uint8_t *src, int w)
{
    for (int x = 0; x < w; x++) {
        unsigned v = lduw_le_p(src + 2 * x);
        dst[x] = pixel_rgb(pixel_c5_to_c8(v >> 10), pixel_c5_to_c8(v >> 5),
                           pixel_c5_to_c8(v));
    }
}

static void convert_16(uint32_t *dst, const uint8_t *src, int w)
{
    for (int x = 0; x < w; x++) {
        unsigned v = lduw_le_p(src + 2 * x);
        unsigned g = (v >> 5) & 0x3f;
        dst[x] = pixel_rgb(pixel_c5_to_c8(v >> 11), g << 2 | g >> 4,
                           pixel_c5_to_c8(v));
    }
}

static void convert_24(uint32_t *dst, const uint8_t *src, int w)
{
    for (int x = 0; x < w; x++) {
        const uint8_t *p = src + 3 * x;
        dst[x] = pixel_rgb(p[2], p[1], p[0]);
    }
}

/* The surface's top byte is padding (x8r8g8b8): a plain copy will do
 * (little-endian hosts; x86-64 is the only one Ember runs on). */
static void convert_32(uint32_t *dst, const uint8_t *src, int w)
{
    memcpy(dst, src, w * 4);
}

void pixel_convert_line(uint32_t *dst, const uint8_t *src, int width,
                        unsigned bpp, const uint32_t *palette)
{
    switch (bpp) {
    case 8:
        convert_8(dst, src, width, palette);
        break;
    case 15:
        convert_15(dst, src, width);
        break;
    case 16:
        convert_16(dst, src, width);
        break;
    case 24:
        convert_24(dst, src, width);
        break;
    case 32:
        convert_32(dst, src, width);
        break;
    default:
        memset(dst, 0, width * sizeof(*dst));
        break;
    }
}
