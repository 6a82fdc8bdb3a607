/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory: RAM reads and writes of each width (also unaligned and across
 * a page), the BIOS-area ROM (reads its reset vector, ignores writes) and
 * its alias below 4 GiB, and memory nothing decodes.
 */
#include "guest.h"

#define RAM_TEST    0x400000    /* 4 MiB: above the guest image */
#define RESET_VEC   0xffff0     /* cli; hlt; jmp $-2 (hw/i386/pc.c) */
#define RESET_HIGH  0xfffffff0u
/* Between the end of RAM (-m 128, as run-guest.sh gives) and the PCI
 * hole, where BARs are placed. */
#define UNDECODED   0x40000000u

void guest_main(void)
{
    uint32_t before, after, high;
    bool ok = true;

    writeb(RAM_TEST, 0x11);
    writew(RAM_TEST + 2, 0x2233);
    writel(RAM_TEST + 4, 0x44556677);
    writeq(RAM_TEST + 8, 0x8899aabbccddeeffull);
    report(readb(RAM_TEST) == 0x11, "RAM byte");
    report(readw(RAM_TEST + 2) == 0x2233, "RAM word");
    report(readl(RAM_TEST + 4) == 0x44556677, "RAM dword");
    report(readq(RAM_TEST + 8) == 0x8899aabbccddeeffull, "RAM qword");
    report(readl(RAM_TEST) == 0x22330011, "RAM bytes combine little-endian");
    /* Unaligned, and straddling a page boundary. */
    writel(RAM_TEST + 0xffe, 0xdeadbeef);
    report(readw(RAM_TEST + 0xffe) == 0xbeef &&
           readw(RAM_TEST + 0x1000) == 0xdead,
           "unaligned dword across a page boundary");
    for (uint32_t i = 0; i < 256; i++) {
        writeb(RAM_TEST + 0x2000 + i, i ^ 0x5a);
    }
    for (uint32_t i = 0; i < 256; i++) {
        ok &= readb(RAM_TEST + 0x2000 + i) == (i ^ 0x5a);
    }
    report(ok, "256 RAM bytes keep their values");

    /* The BIOS-area ROM and its alias just below 4 GiB. */
    before = readl(RESET_VEC);
    report(before == 0xfdebf4fa, "ROM holds the reset vector code");
    high = readl(RESET_HIGH);
    report(high == before, "ROM alias below 4 GiB reads the same");
    writel(RESET_VEC, 0x12345678);
    after = readl(RESET_VEC);
    report(after == before, "ROM ignores writes");
    writel(RESET_HIGH, 0x12345678);
    report(readl(RESET_HIGH) == before, "ROM alias ignores writes");

    /* Nothing there: reads as zero, writes vanish. */
    writel(UNDECODED, 0xffffffff);
    report_info("undecoded memory at 0x%x reads 0x%x", UNDECODED,
                readl(UNDECODED));
    report(readl(UNDECODED) == 0, "undecoded memory reads 0");
}
