/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot_params.screen_info as a Linux kernel booted with -kernel finds it
 * (a bzImage-shaped guest, lib/linux-entry.S), and the VGA in the state
 * that screen_info describes. -append mode=N:
 *   mode=0  -vga std: VGA text, mode 3, 80x25, 16-line font (vgacon)
 *   mode=1  -device VGA,screen-info=lfb: VIDEO_TYPE_VLFB, 1024x768x32
 *           at BAR 0 (vesafb), and the device really in that VBE mode
 *   mode=2  -vga none: nothing described
 * Offsets are struct screen_info's (include/uapi/linux/screen_info.h).
 */
#include "guest.h"

extern uint64_t entry_rsi;

static uint32_t cfg_readl(unsigned devfn, unsigned off)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    return inl(0xcfc);
}

/* The std-vga's devfn on bus 0, or -1. */
static int find_vga(void)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        if (cfg_readl(devfn, 0) == 0x11111234) {
            return devfn;
        }
    }
    return -1;
}

static uint16_t vbe_read(uint16_t i)
{
    outw(0x1ce, i);
    return inw(0x1cf);
}

void guest_main(void)
{
    uintptr_t si = (uintptr_t)entry_rsi;
    const char *cmdline = (const char *)(uintptr_t)readl(si + 0x228);
    const char *m = strstr(cmdline, "mode=");
    int mode = m ? m[5] - '0' : -1;

    report_info("cmdline '%s'", cmdline);
    if (mode == 0) {
        report(readb(si + 0x0f) == 1, "orig_video_isVGA is 1 (VGA)");
        report(readb(si + 0x06) == 3, "orig_video_mode is 3");
        report(readb(si + 0x07) == 80 && readb(si + 0x0e) == 25,
               "80 columns, 25 lines");
        report(readw(si + 0x10) == 16, "16-line font");
        report(readw(si + 0x0a) == 0x0003, "orig_video_ega_bx: colour, "
               "256 KiB");
        report(readb(si + 0x00) == 0 && readb(si + 0x01) == 0,
               "the cursor at the top left");
        outb(0x3ce, 6);
        report(!(inb(0x3cf) & 1) && vbe_read(4) == 0,
               "the VGA is in text mode, VBE off");
    } else if (mode == 1) {
        int devfn = find_vga();
        uint32_t bar = devfn < 0 ? 0 : cfg_readl(devfn, 0x10) & ~0xfu;

        report(readb(si + 0x0f) == 0x23, "orig_video_isVGA is "
               "VIDEO_TYPE_VLFB");
        report(readw(si + 0x12) == 1024 && readw(si + 0x14) == 768 &&
               readw(si + 0x16) == 32, "1024x768x32");
        report(readl(si + 0x18) == bar && bar, "lfb_base is BAR 0");
        report(readl(si + 0x1c) == 256, "lfb_size: 16 MiB in 64 KiB units");
        report(readw(si + 0x24) == 4096, "lfb_linelength 4096");
        report(readb(si + 0x26) == 8 && readb(si + 0x27) == 16 &&
               readb(si + 0x28) == 8 && readb(si + 0x29) == 8 &&
               readb(si + 0x2a) == 8 && readb(si + 0x2b) == 0 &&
               readb(si + 0x2c) == 8 && readb(si + 0x2d) == 24,
               "colour masks x8r8g8b8");
        report(vbe_read(1) == 1024 && vbe_read(2) == 768 &&
               vbe_read(3) == 32 && (vbe_read(4) & 0x41) == 0x41,
               "the VGA is in that VBE mode");
        writel(bar + 4096 * 767 + 4 * 1023, 0x123456);
        report(readl(bar + 4096 * 767 + 4 * 1023) == 0x123456,
               "the last pixel is framebuffer memory");
    } else if (mode == 2) {
        bool zero = true;
        for (unsigned i = 0; i < 0x40; i++) {
            zero &= readb(si + i) == 0;
        }
        report(zero, "no display: screen_info is all zero");
        report(find_vga() < 0, "no std-vga on the bus");
    } else {
        report(false, "run with -append mode=0, 1 or 2");
    }
}
