/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI helpers for device tests (see libqpci.h). */
#include "libqpci.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc

static void select_reg(QTestState *s, int devfn, uint8_t off)
{
    g_assert_cmpint(devfn, >=, 0);
    g_assert_cmpint(devfn, <, 256);
    qtest_outl(s, CONFIG_ADDRESS, 0x80000000u | (devfn << 8) | (off & 0xfc));
}

uint8_t qpci_config_readb(QTestState *s, int devfn, uint8_t off)
{
    select_reg(s, devfn, off);
    return qtest_inb(s, CONFIG_DATA + (off & 3));
}

uint16_t qpci_config_readw(QTestState *s, int devfn, uint8_t off)
{
    select_reg(s, devfn, off);
    return qtest_inw(s, CONFIG_DATA + (off & 2));
}

uint32_t qpci_config_readl(QTestState *s, int devfn, uint8_t off)
{
    select_reg(s, devfn, off);
    return qtest_inl(s, CONFIG_DATA);
}

void qpci_config_writeb(QTestState *s, int devfn, uint8_t off, uint8_t v)
{
    select_reg(s, devfn, off);
    qtest_outb(s, CONFIG_DATA + (off & 3), v);
}

void qpci_config_writew(QTestState *s, int devfn, uint8_t off, uint16_t v)
{
    select_reg(s, devfn, off);
    qtest_outw(s, CONFIG_DATA + (off & 2), v);
}

void qpci_config_writel(QTestState *s, int devfn, uint8_t off, uint32_t v)
{
    select_reg(s, devfn, off);
    qtest_outl(s, CONFIG_DATA, v);
}

int qpci_find_device(QTestState *s, uint16_t vendor, uint16_t device)
{
    uint32_t want = (uint32_t)device << 16 | vendor;

    for (int devfn = 0; devfn < 256; devfn++) {
        if (qpci_config_readl(s, devfn, 0x00) == want) {
            return devfn;
        }
    }
    return -1;
}

uint8_t qpci_find_capability(QTestState *s, int devfn, uint8_t cap_id)
{
    uint8_t pos;

    if (!(qpci_config_readw(s, devfn, 0x06) & 0x10)) {
        return 0;
    }
    pos = qpci_config_readb(s, devfn, 0x34) & ~3;
    for (int i = 0; pos >= 0x40 && i < 48; i++) {
        if (qpci_config_readb(s, devfn, pos) == cap_id) {
            return pos;
        }
        pos = qpci_config_readb(s, devfn, pos + 1) & ~3;
    }
    return 0;
}

void qpci_device_enable(QTestState *s, int devfn)
{
    uint16_t cmd = qpci_config_readw(s, devfn, 0x04);

    qpci_config_writew(s, devfn, 0x04, cmd | 0x0007);
}

static uint8_t bar_off(int bar)
{
    g_assert_cmpint(bar, >=, 0);
    g_assert_cmpint(bar, <, 6);
    return 0x10 + 4 * bar;
}

QPCIBar qpci_bar(QTestState *s, int devfn, int bar)
{
    uint32_t lo = qpci_config_readl(s, devfn, bar_off(bar));
    QPCIBar b = { 0 };

    if (lo & 1) {
        b.is_io = true;
        b.addr = lo & ~3u;
    } else {
        b.addr = lo & ~0xfu;
        if ((lo & 6) == 4) {
            b.is_64 = true;
            b.addr |= (uint64_t)qpci_config_readl(s, devfn,
                                                  bar_off(bar + 1)) << 32;
        }
    }
    return b;
}

uint64_t qpci_bar_size(QTestState *s, int devfn, int bar)
{
    uint8_t off = bar_off(bar);
    uint16_t cmd = qpci_config_readw(s, devfn, 0x04);
    uint32_t lo = qpci_config_readl(s, devfn, off), hi = 0, mlo, mhi = 0;
    bool is64 = !(lo & 1) && (lo & 6) == 4;
    uint64_t mask;

    /* Decoding off while the BAR holds the probe pattern. */
    qpci_config_writew(s, devfn, 0x04, cmd & ~3);
    qpci_config_writel(s, devfn, off, 0xffffffff);
    mlo = qpci_config_readl(s, devfn, off);
    qpci_config_writel(s, devfn, off, lo);
    if (is64) {
        hi = qpci_config_readl(s, devfn, off + 4);
        qpci_config_writel(s, devfn, off + 4, 0xffffffff);
        mhi = qpci_config_readl(s, devfn, off + 4);
        qpci_config_writel(s, devfn, off + 4, hi);
    }
    qpci_config_writew(s, devfn, 0x04, cmd);
    if (!mlo && !mhi) {
        return 0;               /* not implemented: nothing writable */
    }
    if (lo & 1) {
        mask = (mlo & ~3u) | 0xffff0000u;   /* upper 16 may be hardwired */
        mask |= 0xffffffff00000000ULL;
    } else if (is64) {
        mask = ((uint64_t)mhi << 32) | (mlo & ~0xfu);
    } else {
        mask = 0xffffffff00000000ULL | (mlo & ~0xfu);
    }
    return mask ? ~mask + 1 : 0;
}

void qpci_bar_set(QTestState *s, int devfn, int bar, uint64_t addr)
{
    uint8_t off = bar_off(bar);
    uint32_t lo = qpci_config_readl(s, devfn, off);
    bool is64 = !(lo & 1) && (lo & 6) == 4;

    qpci_config_writel(s, devfn, off, (uint32_t)addr);
    if (is64) {
        qpci_config_writel(s, devfn, off + 4, addr >> 32);
    }
}

uint8_t qpci_io_readb(QTestState *s, QPCIBar bar, uint64_t off)
{
    return bar.is_io ? qtest_inb(s, bar.addr + off)
                     : qtest_readb(s, bar.addr + off);
}

uint16_t qpci_io_readw(QTestState *s, QPCIBar bar, uint64_t off)
{
    return bar.is_io ? qtest_inw(s, bar.addr + off)
                     : qtest_readw(s, bar.addr + off);
}

uint32_t qpci_io_readl(QTestState *s, QPCIBar bar, uint64_t off)
{
    return bar.is_io ? qtest_inl(s, bar.addr + off)
                     : qtest_readl(s, bar.addr + off);
}

void qpci_io_writeb(QTestState *s, QPCIBar bar, uint64_t off, uint8_t v)
{
    if (bar.is_io) {
        qtest_outb(s, bar.addr + off, v);
    } else {
        qtest_writeb(s, bar.addr + off, v);
    }
}

void qpci_io_writew(QTestState *s, QPCIBar bar, uint64_t off, uint16_t v)
{
    if (bar.is_io) {
        qtest_outw(s, bar.addr + off, v);
    } else {
        qtest_writew(s, bar.addr + off, v);
    }
}

void qpci_io_writel(QTestState *s, QPCIBar bar, uint64_t off, uint32_t v)
{
    if (bar.is_io) {
        qtest_outl(s, bar.addr + off, v);
    } else {
        qtest_writel(s, bar.addr + off, v);
    }
}
