/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI from inside a guest (run with -device pci-testdev,addr=5.0): the
 * configuration mechanism #1 ports, the BARs Ember assigned at reset,
 * the test device's registers through MMIO and I/O, the 64-bit RAM BAR,
 * decoding switched off, DMA and an MSI message aimed at RAM.
 */
#include "guest.h"

#define TESTDEV 0x28            /* slot 5, function 0 */
#define TESTDEV_ID 0xe0011234u
#define MAGIC 0x54424d45u       /* pci-testdev register 0x00 */
#define REG_SCRATCH 0x04
#define REG_MSI 0x0c
#define REG_DMA_LO 0x14
#define REG_DMA_HI 0x18
#define REG_DMA_CMD 0x1c
#define REG_DMA_STATUS 0x20
#define BUF 0x500000            /* RAM, above the guest image */

static uint32_t cfg_readl(unsigned devfn, unsigned off)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    return inl(0xcfc);
}

static uint16_t cfg_readw(unsigned devfn, unsigned off)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    return inw(0xcfc + (off & 2));
}

static void cfg_writel(unsigned devfn, unsigned off, uint32_t v)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    outl(0xcfc, v);
}

static void cfg_writew(unsigned devfn, unsigned off, uint16_t v)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    outw(0xcfc + (off & 2), v);
}

static unsigned find_cap(unsigned devfn, uint8_t id)
{
    unsigned pos = cfg_readl(devfn, 0x34) & 0xfc;

    for (int i = 0; pos >= 0x40 && i < 48; i++) {
        uint32_t hdr = cfg_readl(devfn, pos);
        if ((hdr & 0xff) == id) {
            return pos;
        }
        pos = (hdr >> 8) & 0xfc;
    }
    return 0;
}

void guest_main(void)
{
    uint32_t mmio, io, ram_lo, ram_hi;
    unsigned found = 0, msi;

    report(cfg_readl(0x00, 0) == 0x12378086, "00:00.0 is the i440FX");
    report(cfg_readl(0x08, 0) == 0x70008086, "00:01.0 is the PIIX3");
    report(cfg_readl(0xf8, 0) == 0xffffffffu, "absent function reads ~0");
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        if (cfg_readl(devfn, 0) == TESTDEV_ID) {
            found = devfn;
        }
    }
    if (!report(found == TESTDEV, "pci-testdev found at 00:05.0")) {
        return;
    }

    /* Ember assigned the BARs and enabled decoding, as firmware would. */
    mmio = cfg_readl(TESTDEV, 0x10) & ~0xfu;
    io = cfg_readl(TESTDEV, 0x14) & ~0x3u;
    ram_lo = cfg_readl(TESTDEV, 0x18);
    ram_hi = cfg_readl(TESTDEV, 0x1c);
    report_info("BAR0 0x%x, BAR1 0x%x, BAR2 0x%x (high half 0x%x)", mmio,
                io, ram_lo & ~0xfu, ram_hi);
    report(mmio >= 0xe0000000u && mmio < 0xfec00000u,
           "memory BAR inside the PCI hole");
    report(io >= 0xc000 && io < 0x10000, "I/O BAR at 0xc000 or above");
    report((ram_lo & 0xf) == 0xc && ram_hi == 0,
           "64-bit prefetchable BAR assigned below 4 GiB");
    report((cfg_readw(TESTDEV, 0x04) & 7) == 3,
           "I/O and memory decoding on, bus mastering off");

    report(readl(mmio) == MAGIC, "ID register through MMIO");
    report(inl(io) == MAGIC, "ID register through the I/O BAR");
    writel(mmio + REG_SCRATCH, 0x600dcafe);
    report(inl(io + REG_SCRATCH) == 0x600dcafe,
           "MMIO write seen through the I/O BAR");
    outw(io + REG_SCRATCH, 0x1234);
    report(readl(mmio + REG_SCRATCH) == 0x600d1234,
           "word port write merges into the register");
    writel((ram_lo & ~0xfu) + 0x100, 0x5a5aa5a5);
    report(readl((ram_lo & ~0xfu) + 0x100) == 0x5a5aa5a5,
           "RAM behind the 64-bit BAR");

    /* DMA needs bus mastering. */
    writel(BUF, 0);
    writel(mmio + REG_DMA_LO, BUF);
    writel(mmio + REG_DMA_HI, 0);
    writel(mmio + REG_DMA_CMD, 1);
    report(readl(mmio + REG_DMA_STATUS) == 0 && readl(BUF) == 0,
           "DMA refused without bus mastering");
    cfg_writew(TESTDEV, 0x04, 7);
    writel(mmio + REG_DMA_CMD, 1);
    report(readl(mmio + REG_DMA_STATUS) == 1 && readl(BUF) == 0x600d1234,
           "DMA writes RAM with bus mastering");

    /* An MSI aimed at RAM lands there as a dword write of the data. */
    msi = find_cap(TESTDEV, 0x05);
    if (report(msi != 0, "MSI capability in the list")) {
        cfg_writel(TESTDEV, msi + 4, BUF + 0x40);
        cfg_writel(TESTDEV, msi + 8, 0);
        cfg_writel(TESTDEV, msi + 12, 0x4321);
        cfg_writew(TESTDEV, msi + 2, 1);
        writel(mmio + REG_MSI, 0);
        report(readl(BUF + 0x40) == 0x4321, "MSI data written to RAM");
        cfg_writew(TESTDEV, msi + 2, 0);
    }

    /* Decoding off: the PCI hole answers all ones, the port floats. */
    cfg_writew(TESTDEV, 0x04, 0);
    report(readl(mmio) == 0xffffffffu, "memory decoding off reads ~0");
    report(inl(io) == 0xffffffffu, "I/O decoding off reads ~0");
    cfg_writew(TESTDEV, 0x04, 3);
    report(readl(mmio) == MAGIC, "decoding back on");
}
