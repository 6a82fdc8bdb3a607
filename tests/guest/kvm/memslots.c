/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory that changes while the guest runs (run with
 * -device pci-testdev,addr=5.0,rom-size=65536). Under KVM each RAM or ROM
 * range is a memslot, so these moves add, remove, split and merge slots:
 *
 *   - the RAM behind BAR2 moves to another address (slot deleted and
 *     created again) and keeps its contents; the old address is a hole;
 *   - memory decoding off and on removes and restores it;
 *   - the 4 KiB register BAR0 is placed inside the RAM BAR (equal
 *     priority, the later one wins): the RAM splits around it, and merges
 *     again when BAR0 leaves;
 *   - the expansion ROM appears when enabled (a read-only slot), ignores
 *     writes, moves, and disappears when disabled.
 */
#include "guest.h"

#define TESTDEV     0x28
#define TESTDEV_ID  0xe0011234u
#define MAGIC       0x54424d45u
#define ROM_PATTERN 0xa5
#define PCI_CMD     0x04
#define BAR0        0x10
#define BAR2        0x18
#define ROM_BAR     0x30
#define RAM_NEW     0xfd000000u     /* free, in the PCI hole */
#define ROM_AT      0xfd800000u
#define ROM_MOVED   0xfd900000u

static uint32_t cfg_readl(unsigned off)
{
    outl(0xcf8, 0x80000000u | TESTDEV << 8 | (off & 0xfc));
    return inl(0xcfc);
}

static void cfg_writel(unsigned off, uint32_t v)
{
    outl(0xcf8, 0x80000000u | TESTDEV << 8 | (off & 0xfc));
    outl(0xcfc, v);
}

static void cfg_writew(unsigned off, uint16_t v)
{
    outl(0xcf8, 0x80000000u | TESTDEV << 8 | (off & 0xfc));
    outw(0xcfc + (off & 2), v);
}

static uint32_t pattern(uint32_t i)
{
    return 0x9e3779b9u * (i + 1);
}

/* Every 1 KiB over size bytes: the pattern, or all ones (a hole). */
static bool check(uint32_t base, uint32_t size, bool hole)
{
    for (uint32_t off = 0; off < size; off += 1024) {
        uint32_t want = hole ? 0xffffffffu : pattern(off / 1024);
        if (readl(base + off) != want) {
            report_info("at 0x%x: 0x%x, expected 0x%x", base + off,
                        readl(base + off), want);
            return false;
        }
    }
    return true;
}

static void test_ram_bar(void)
{
    uint32_t lo = cfg_readl(BAR2), hi = cfg_readl(BAR2 + 4);
    uint32_t old = lo & ~0xfu, size, mmio;

    if (!report(hi == 0 && old >= 0xe0000000u,
                "RAM BAR assigned below 4 GiB")) {
        return;
    }
    /* Size it (PCI 3.0, 6.2.5.1) with decoding off, then restore it. */
    cfg_writew(PCI_CMD, 0);
    cfg_writel(BAR2, 0xffffffffu);
    size = ~(cfg_readl(BAR2) & ~0xfu) + 1;
    cfg_writel(BAR2, lo);
    cfg_writew(PCI_CMD, 3);
    report_info("RAM BAR at 0x%x, %u KiB", old, size / 1024);
    if (!report(size >= 16 * 1024 && size <= 1024 * 1024,
                "RAM BAR size plausible")) {
        return;
    }
    for (uint32_t off = 0; off < size; off += 1024) {
        writel(old + off, pattern(off / 1024));
    }
    report(check(old, size, false), "RAM BAR holds what was written");

    /* Move it while decoding is on. */
    cfg_writel(BAR2, RAM_NEW | (lo & 0xf));
    report(check(RAM_NEW, size, false), "moved RAM keeps its contents");
    report(check(old, size, true), "its old address is a hole");
    writel(RAM_NEW + 8, 0x12345678);
    report(readl(RAM_NEW + 8) == 0x12345678, "moved RAM is writable");
    writel(RAM_NEW + 8, pattern(0) ^ 1);

    /* Decoding off and on. */
    cfg_writew(PCI_CMD, 0);
    report(readl(RAM_NEW) == 0xffffffffu, "decoding off: a hole");
    cfg_writew(PCI_CMD, 3);
    report(readl(RAM_NEW + 8) == (pattern(0) ^ 1) &&
           readl(RAM_NEW + 1024) == pattern(1),
           "decoding on: the same RAM again");
    writel(RAM_NEW + 8, 0);

    /* BAR0 (registers) in the middle of the RAM: the RAM splits. */
    mmio = cfg_readl(BAR0) & ~0xfu;
    cfg_writel(BAR0, RAM_NEW + 0x4000);
    report(readl(RAM_NEW + 0x4000) == MAGIC,
           "register BAR placed inside the RAM BAR answers");
    report(readl(RAM_NEW + 0x3000) == pattern(12) &&
           readl(RAM_NEW + 0x5000) == pattern(20),
           "RAM on both sides of it still reads");
    writel(RAM_NEW + 0x5000, 0xabcdef01);
    report(readl(RAM_NEW + 0x5000) == 0xabcdef01, "RAM after it is writable");
    writel(RAM_NEW + 0x5000, pattern(20));
    cfg_writel(BAR0, mmio);
    report(readl(RAM_NEW + 0x4000) == pattern(16),
           "register BAR gone: the RAM under it is back");
    report(readl(mmio) == MAGIC, "register BAR back at its address");

    /* Home again. */
    cfg_writel(BAR2, lo);
    report(check(old, size, false) && check(RAM_NEW, 64 * 1024, true),
           "RAM BAR moved back");
}

static void test_rom_bar(void)
{
    uint32_t size;
    bool ok = true;

    cfg_writel(ROM_BAR, 0xfffff800u);
    size = ~(cfg_readl(ROM_BAR) & 0xfffff800u) + 1;
    report_info("ROM BAR: %u KiB", size / 1024);
    if (!report(size == 64 * 1024, "expansion ROM is 64 KiB")) {
        return;
    }
    cfg_writel(ROM_BAR, ROM_AT);            /* address, not enabled */
    report(readl(ROM_AT) == 0xffffffffu, "disabled ROM is not decoded");
    cfg_writel(ROM_BAR, ROM_AT | 1);
    report(readb(ROM_AT) == 0x55 && readb(ROM_AT + 1) == 0xaa,
           "enabled ROM starts with 55 AA");
    for (uint32_t i = 0x100; i < size; i += 0x1001) {
        ok &= readb(ROM_AT + i) == (uint8_t)(i ^ ROM_PATTERN);
    }
    report(ok, "ROM contents readable");
    writeb(ROM_AT + 0x100, 0);
    report(readb(ROM_AT + 0x100) == (uint8_t)(0x100 ^ ROM_PATTERN),
           "ROM ignores writes");
    cfg_writel(ROM_BAR, ROM_MOVED | 1);
    report(readb(ROM_MOVED) == 0x55 && readl(ROM_AT) == 0xffffffffu,
           "ROM moved");
    cfg_writel(ROM_BAR, ROM_MOVED);
    report(readl(ROM_MOVED) == 0xffffffffu, "ROM disabled again");
}

void guest_main(void)
{
    if (cfg_readl(0) != TESTDEV_ID) {
        report_skip("no pci-testdev at 00:05.0");
        return;
    }
    test_ram_bar();
    test_rom_bar();
}
