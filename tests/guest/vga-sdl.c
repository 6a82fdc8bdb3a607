/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest side of the SDL window test (tests/guest/run-sdl-guest.py,
 * under Xvfb): draws a known mode 13h picture of 16x16 blocks, then
 * echoes what reaches it on COM1 until Ember is closed:
 *   KEY: xx          each byte from the keyboard (scan code set 1)
 *   MOUSE: b dx dy   each PS/2 mouse packet
 *   POWER            the ACPI power button (PWRBTN_STS in PM1a_STS)
 *   VBE              after the 'v' key: a VBE 640x480x32 picture drawn
 *                    through the linear framebuffer (the accelerator's
 *                    dirty tracking must bring it to the window)
 * The runner compares the window's pixels with the pictures, types into
 * the window, moves the mouse, and closes the window twice.
 */
#include "guest.h"

#define PM1_STS 0x600
#define PWRBTN_STS 0x0100
#define LOOP_LIMIT 400000000u

static void seq_write(uint8_t i, uint8_t v)
{
    outb(0x3c4, i);
    outb(0x3c5, v);
}

static void gr_write(uint8_t i, uint8_t v)
{
    outb(0x3ce, i);
    outb(0x3cf, v);
}

static void cr_write(uint8_t i, uint8_t v)
{
    outb(0x3d4, i);
    outb(0x3d5, v);
}

static void set_mode13(void)
{
    static const uint8_t sr[5] = { 0x03, 0x01, 0x0f, 0x00, 0x0e };
    static const uint8_t crtc[25] = {
        0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96,
        0xb9, 0xa3, 0xff,
    };
    static const uint8_t gr[9] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff,
    };

    outb(0x3c2, 0x63);
    for (int i = 0; i < 5; i++) {
        seq_write(i, sr[i]);
    }
    cr_write(0x11, 0);
    for (int i = 0; i < 25; i++) {
        cr_write(i, crtc[i]);
    }
    for (int i = 0; i < 9; i++) {
        gr_write(i, gr[i]);
    }
    inb(0x3da);
    for (int i = 0; i < 16; i++) {
        outb(0x3c0, i);
        outb(0x3c0, i);
    }
    outb(0x3c0, 0x10);
    outb(0x3c0, 0x41);
    outb(0x3c0, 0x20);
}

static void draw_vbe(void)
{
    uint32_t fb;

    outl(0xcf8, 0x80000000u | 0x10 << 8 | 0x10);
    fb = inl(0xcfc) & ~0xfu;
    outw(0x1ce, 4);
    outw(0x1cf, 0);
    outw(0x1ce, 1);
    outw(0x1cf, 640);
    outw(0x1ce, 2);
    outw(0x1cf, 480);
    outw(0x1ce, 3);
    outw(0x1cf, 32);
    outw(0x1ce, 4);
    outw(0x1cf, 0x41);
    /* Pixel (x, y): red x, green y, blue x ^ y. */
    for (unsigned y = 0; y < 480; y++) {
        for (unsigned x = 0; x < 640; x++) {
            writel(fb + (y * 640 + x) * 4,
                   (x & 255) << 16 | (y & 255) << 8 | ((x ^ y) & 255));
        }
    }
    printf("VBE\n");
}

static void kbc_wait_input(void)
{
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++) {
        cpu_relax();
    }
}

void guest_main(void)
{
    uint8_t packet[3];
    int have = 0;

    set_mode13();
    /* DAC entry i: (i & 63, i >> 2, (i ^ 0x2a) & 63). */
    outb(0x3c8, 0);
    for (int i = 0; i < 256; i++) {
        outb(0x3c9, i & 63);
        outb(0x3c9, (i >> 2) & 63);
        outb(0x3c9, (i ^ 0x2a) & 63);
    }
    /* Pixel (x, y): colour (x / 16 + 20 * (y / 16) + 7) & 255. */
    for (unsigned y = 0; y < 200; y++) {
        for (unsigned x = 0; x < 320; x += 4) {
            uint32_t c = (x / 16 + 20 * (y / 16) + 7) & 0xff;
            writel(0xa0000 + y * 320 + x, c * 0x01010101u);
        }
    }
    /* The mouse: enable the auxiliary port, then data reporting. */
    kbc_wait_input();
    outb(0x64, 0xa8);
    kbc_wait_input();
    outb(0x64, 0xd4);
    kbc_wait_input();
    outb(0x60, 0xf4);
    for (int i = 0; i < 100000; i++) {
        if ((inb(0x64) & 0x21) == 0x21 && inb(0x60) == 0xfa) {
            break;
        }
    }
    while (inb(0x64) & 1) {
        inb(0x60);
    }
    outw(PM1_STS, PWRBTN_STS);
    report(true, "picture drawn, keyboard and mouse on");
    printf("READY\n");

    for (uint32_t n = 0; n < LOOP_LIMIT; n++) {
        uint8_t st = inb(0x64);

        if (st & 1) {
            uint8_t b = inb(0x60);
            if (st & 0x20) {
                /* Packets start with bit 3 set; resynchronise on it. */
                if (have == 0 && !(b & 0x08)) {
                    continue;
                }
                packet[have++] = b;
                if (have == 3) {
                    int dx = packet[1] - ((packet[0] & 0x10) ? 256 : 0);
                    int dy = packet[2] - ((packet[0] & 0x20) ? 256 : 0);
                    printf("MOUSE: %x %d %d\n", packet[0] & 7, dx, dy);
                    have = 0;
                }
            } else {
                printf("KEY: %02x\n", b);
                if (b == 0x2f) {            /* 'v' */
                    draw_vbe();
                }
            }
        }
        if (inw(PM1_STS) & PWRBTN_STS) {
            outw(PM1_STS, PWRBTN_STS);
            printf("POWER\n");
        }
    }
    report(false, "nobody closed the window");
}
