/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * std-vga from inside a guest, run by tests/guest/run-vga-guest.py: the
 * guest checks what it can see itself (PCI identity, the reset state,
 * the font in plane 2, retrace, VBE registers), then draws four screens
 * -- 80x25 text, mode 13h, VBE 640x480x32 through the ports and VBE
 * 800x600x16 through the BAR 2 registers -- announcing each with a
 * "SCREEN: name" line. The runner takes a screendump through the
 * monitor, compares it with the pattern (vga_pattern.py computes the
 * same functions), and presses a key (monitor sendkey) to go on.
 */
#include "guest.h"

#define VGA_DEVFN 0x10          /* 00:02.0 */
#define VBE_INDEX 0x1ce
#define VBE_DATA 0x1cf
#define KEY_WAIT_POLLS 20000000u

static uint32_t cfg_readl(unsigned devfn, unsigned off)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    return inl(0xcfc);
}

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

static uint8_t cr_read(uint8_t i)
{
    outb(0x3d4, i);
    return inb(0x3d5);
}

static void cr_write(uint8_t i, uint8_t v)
{
    outb(0x3d4, i);
    outb(0x3d5, v);
}

static void vbe_write(uint16_t i, uint16_t v)
{
    outw(VBE_INDEX, i);
    outw(VBE_DATA, v);
}

static uint16_t vbe_read(uint16_t i)
{
    outw(VBE_INDEX, i);
    return inw(VBE_DATA);
}

/* Wait for a key press (a make code) from the i8042; false on timeout. */
static bool wait_key(void)
{
    for (uint32_t i = 0; i < KEY_WAIT_POLLS; i++) {
        if (inb(0x64) & 1) {
            uint8_t b = inb(0x60);
            if (!(b & 0x80) && b != 0xe0) {
                return true;
            }
        }
    }
    return false;
}

static void show(const char *name)
{
    /* Drop what is queued (the previous key's break code). */
    while (inb(0x64) & 1) {
        inb(0x60);
    }
    printf("SCREEN: %s\n", name);
    if (!wait_key()) {
        report(false, "no key after screen %s", name);
        report_done();
    }
}

static void check_identity_and_reset(void)
{
    uint32_t id = cfg_readl(VGA_DEVFN, 0);
    uint8_t nonzero = 0;
    bool retrace_seen = false, retrace_ended = false;

    report(id == 0x11111234, "std-vga 1234:1111 at 00:02.0");
    report((cfg_readl(VGA_DEVFN, 8) >> 16) == 0x0300, "class is VGA");
    report(inb(0x3cc) == 0x67, "misc output is mode 3's");
    report(cr_read(1) == 0x4f && cr_read(9) == 0x4f,
           "CRTC: 80 columns, 16-line characters");
    report(vbe_read(0) == 0xb0c5, "Bochs VBE ID 0xb0c5");
    report(vbe_read(0xa) == 256, "16 MiB of video memory");

    /* The font: read plane 2 through the planar window. */
    seq_write(4, 0x06);
    gr_write(5, 0x00);
    gr_write(6, 0x04);
    gr_write(4, 2);
    for (int r = 0; r < 16; r++) {
        nonzero |= readb(0xa0000 + 'A' * 32 + r);
    }
    report(nonzero && readb(0xa0000 + 0xdb * 32 + 5) == 0xff &&
           readb(0xa0000 + ' ' * 32 + 5) == 0,
           "the font is loaded in plane 2");
    seq_write(4, 0x02);
    gr_write(5, 0x10);
    gr_write(6, 0x0e);
    gr_write(4, 0);

    /* A retrace loop ends: retrace starts, then ends. */
    for (uint32_t i = 0; i < 2000000 && !retrace_ended; i++) {
        bool vr = inb(0x3da) & 8;
        if (vr) {
            retrace_seen = true;
        } else if (retrace_seen) {
            retrace_ended = true;
        }
    }
    report(retrace_ended, "vertical retrace comes and goes");
}

static void screen_text(void)
{
    /* Cell i: code (7i + 1), attribute (13i + 5) without blink. */
    for (unsigned i = 0; i < 2000; i++) {
        writeb(0xb8000 + 2 * i, (i * 7 + 1) & 0xff);
        writeb(0xb8000 + 2 * i + 1, (i * 13 + 5) & 0x7f);
    }
    cr_write(0x0a, 0x20);                   /* no cursor */
    report(readw(0xb8000 + 2 * 1999) ==
           (((1999 * 13 + 5) & 0x7f) << 8 | ((1999 * 7 + 1) & 0xff)),
           "text memory reads back");
    show("text");
}

/* Mode 13h from the BIOS parameter table. */
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
    outb(0x3c0, 0x12);
    outb(0x3c0, 0x0f);
    outb(0x3c0, 0x13);
    outb(0x3c0, 0x00);
    outb(0x3c0, 0x14);
    outb(0x3c0, 0x00);
    outb(0x3c0, 0x20);
}

static void screen_mode13(void)
{
    set_mode13();
    /* DAC entry i: (i & 63, i >> 2, (i ^ 0x2a) & 63). */
    outb(0x3c8, 0);
    for (int i = 0; i < 256; i++) {
        outb(0x3c9, i & 63);
        outb(0x3c9, (i >> 2) & 63);
        outb(0x3c9, (i ^ 0x2a) & 63);
    }
    /* Pixel (x, y): index (x + 3y) & 255, four at a time. */
    for (unsigned y = 0; y < 200; y++) {
        for (unsigned x = 0; x < 320; x += 4) {
            uint32_t v = 0;
            for (unsigned b = 0; b < 4; b++) {
                v |= ((x + b + 3 * y) & 0xff) << (8 * b);
            }
            writel(0xa0000 + y * 320 + x, v);
        }
    }
    report(readb(0xa0000 + 199 * 320 + 319) == ((319 + 3 * 199) & 0xff),
           "mode 13h memory reads back");
    show("mode13");
}

static void screen_vbe32(uint32_t fb)
{
    vbe_write(4, 0);
    vbe_write(1, 640);
    vbe_write(2, 480);
    vbe_write(3, 32);
    vbe_write(4, 0x41);                     /* enabled, LFB */
    report(vbe_read(1) == 640 && vbe_read(3) == 32 &&
           vbe_read(6) == 640 && vbe_read(4) == 0x41,
           "VBE 640x480x32 set through the ports");
    /* Pixel (x, y): red x, green y, blue x ^ y. */
    for (unsigned y = 0; y < 480; y++) {
        for (unsigned x = 0; x < 640; x++) {
            writel(fb + (y * 640 + x) * 4,
                   (x & 255) << 16 | (y & 255) << 8 | ((x ^ y) & 255));
        }
    }
    show("vbe32");
}

static void screen_vbe16(uint32_t fb, uint32_t mmio)
{
    uint32_t dispi = mmio + 0x500;

    writew(dispi + 2 * 4, 0);
    writew(dispi + 2 * 1, 800);
    writew(dispi + 2 * 2, 600);
    writew(dispi + 2 * 3, 16);
    writew(dispi + 2 * 4, 0x41);
    report(readw(dispi + 2 * 1) == 800 && readw(dispi + 2 * 3) == 16 &&
           vbe_read(2) == 600, "VBE 800x600x16 set through BAR 2");
    /* Pixel (x, y): the 16-bit value (32x ^ 2053y). */
    for (unsigned y = 0; y < 600; y++) {
        for (unsigned x = 0; x < 800; x += 2) {
            uint32_t a = ((x << 5) ^ (y * 2053)) & 0xffff;
            uint32_t b = (((x + 1) << 5) ^ (y * 2053)) & 0xffff;
            writel(fb + (y * 800 + x) * 2, b << 16 | a);
        }
    }
    show("vbe16");
}

void guest_main(void)
{
    uint32_t fb, mmio;

    check_identity_and_reset();
    fb = cfg_readl(VGA_DEVFN, 0x10) & ~0xfu;
    mmio = cfg_readl(VGA_DEVFN, 0x18) & ~0xfu;
    report_info("framebuffer at 0x%x, registers at 0x%x", fb, mmio);
    report(fb && mmio, "BARs 0 and 2 assigned");
    screen_text();
    screen_mode13();
    screen_vbe32(fb);
    screen_vbe16(fb, mmio);
}
