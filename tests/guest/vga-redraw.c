/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Redraws the whole VBE 640x480x32 screen, frame after frame: the load
 * of bench/display (with -append frames=0: forever). As a test it draws
 * frames=N (default 3) frames through the linear framebuffer and checks
 * that each one reads back.
 */
#include "guest.h"

#define VGA_DEVFN 0x10
#define W 640
#define H 480

static uint32_t cfg_readl(unsigned devfn, unsigned off)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    return inl(0xcfc);
}

static void vbe_write(uint16_t i, uint16_t v)
{
    outw(0x1ce, i);
    outw(0x1cf, v);
}

static uint32_t pixel(unsigned x, unsigned y, unsigned f)
{
    return ((x + f) & 255) << 16 | ((y + 2 * f) & 255) << 8 | (f & 255);
}

void guest_main(void)
{
    long frames = cmdline_int("frames", 3);
    uint32_t fb = cfg_readl(VGA_DEVFN, 0x10) & ~0xfu;
    bool ok = true;

    report(fb != 0, "framebuffer BAR assigned");
    vbe_write(4, 0);
    vbe_write(1, W);
    vbe_write(2, H);
    vbe_write(3, 32);
    vbe_write(4, 0x41);
    for (unsigned long f = 0; frames <= 0 || f < (unsigned long)frames;
         f++) {
        volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)fb;
        for (unsigned y = 0; y < H; y++) {
            for (unsigned x = 0; x < W; x++) {
                *p++ = pixel(x, y, f);
            }
        }
        ok &= readl(fb + ((H - 1) * W + W - 1) * 4) ==
              pixel(W - 1, H - 1, f);
    }
    report(ok, "%ld full-screen frames drawn and read back", frames);
}
