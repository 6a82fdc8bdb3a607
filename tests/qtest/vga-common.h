/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the VGA device tests: register access, the standard mode
 * tables, screendumps through qtest and the display statistics.
 */
#ifndef VGA_COMMON_H
#define VGA_COMMON_H

#include "libqtest.h"
#include "libqpci.h"
#include "hw/display/vga-regs.h"

#define VGA_DEVFN QPCI_DEVFN(2, 0)

/* A screendump: width x height pixels, 0x00RRGGBB. */
typedef struct VGAShot {
    int width, height;
    uint32_t *px;
} VGAShot;

/* What one display update did (the "display_update" qtest command). */
typedef struct VGAUpdate {
    long lines, rects, pixels;
    int x, y, w, h;
    int width, height;
    long switches;
} VGAUpdate;

QTestState *vga_start(const char *extra);

uint8_t vga_seq_read(QTestState *s, uint8_t idx);
void vga_seq_write(QTestState *s, uint8_t idx, uint8_t v);
uint8_t vga_gr_read(QTestState *s, uint8_t idx);
void vga_gr_write(QTestState *s, uint8_t idx, uint8_t v);
uint8_t vga_cr_read(QTestState *s, uint8_t idx);
void vga_cr_write(QTestState *s, uint8_t idx, uint8_t v);
uint8_t vga_ar_read(QTestState *s, uint8_t idx);
/* Writes idx/value and turns the display back on (PAS). */
void vga_ar_write(QTestState *s, uint8_t idx, uint8_t v);
void vga_dac_write(QTestState *s, uint8_t idx, uint8_t r, uint8_t g,
                   uint8_t b);

/* The BIOS register tables: mode 3 text, 12h 640x480x16, 13h 320x200. */
void vga_set_mode(QTestState *s, int mode);

uint16_t vbe_read(QTestState *s, uint16_t idx);
void vbe_write(QTestState *s, uint16_t idx, uint16_t v);
/* Set a VBE mode through the ports (flags added to ENABLED). */
void vbe_set_mode(QTestState *s, int xres, int yres, int bpp,
                  uint16_t flags);

/* Where the framebuffer (BAR 0) and register window (BAR 2) are. */
uint64_t vga_fb_addr(QTestState *s);
uint64_t vga_mmio_addr(QTestState *s);

VGAShot *vga_screendump(QTestState *s);
void vga_shot_free(VGAShot *shot);
static inline uint32_t vga_px(const VGAShot *shot, int x, int y)
{
    return shot->px[y * shot->width + x];
}
void vga_display_update(QTestState *s, VGAUpdate *u);

/* DAC entry of the 64-colour EGA palette (the BIOS default), as RGB. */
uint32_t vga_ega_rgb(unsigned i);
static inline uint32_t vga_c6(unsigned v)
{
    return (v << 2) | (v >> 4);
}
/* The colour attribute index i shows in text mode after reset. */
uint32_t vga_text_rgb(unsigned i);

#endif
