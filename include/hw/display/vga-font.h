/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ember's 8x16 VGA font (code page 437 order), generated at build time
 * from hw/display/vga-font-8x16.txt: glyph c's row r is
 * vga_font_8x16[c * 16 + r], bit 7 the leftmost pixel.
 */
#ifndef HW_DISPLAY_VGA_FONT_H
#define HW_DISPLAY_VGA_FONT_H

#include <stdint.h>

#define VGA_FONT_HEIGHT 16
extern const uint8_t vga_font_8x16[256 * VGA_FONT_HEIGHT];

#endif
