/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The qtest protocol itself and the PC memory map's basics. */
#include "libqtest.h"
#include <string.h>

static void test_ram_rw(void)
{
    QTestState *s = qtest_start("-m 64M");
    uint8_t buf[64], back[64];

    qtest_writel(s, 0x100000, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, 0x100000), ==, 0xdeadbeef);
    g_assert_cmphex(qtest_readw(s, 0x100002), ==, 0xdead);
    g_assert_cmphex(qtest_readb(s, 0x100000), ==, 0xef);
    qtest_writeq(s, 0x200000, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(s, 0x200000), ==, 0x0123456789abcdefULL);
    for (int i = 0; i < 64; i++) {
        buf[i] = i * 7;
    }
    qtest_memwrite(s, 0x300000 - 10, buf, sizeof(buf));
    qtest_memread(s, 0x300000 - 10, back, sizeof(back));
    g_assert_cmpmem(buf, sizeof(buf), back, sizeof(back));
    qtest_memset(s, 0x400000, 0x5a, 16);
    g_assert_cmphex(qtest_readl(s, 0x40000c), ==, 0x5a5a5a5a);
    /* The last byte of RAM is RAM; past it is unassigned (reads 0). */
    qtest_writeb(s, 64 * 1024 * 1024 - 1, 0x77);
    g_assert_cmphex(qtest_readb(s, 64 * 1024 * 1024 - 1), ==, 0x77);
    qtest_writeb(s, 64 * 1024 * 1024, 0x77);
    g_assert_cmphex(qtest_readb(s, 64 * 1024 * 1024), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_bios_rom(void)
{
    QTestState *s = qtest_start(NULL);
    uint32_t v = qtest_readl(s, 0xffff0);

    /* The reset vector is visible at 0xffff0 and below 4 GiB, and
     * the guest cannot write the ROM. */
    g_assert_cmphex(qtest_readl(s, 0xfffffff0), ==, v);
    qtest_writel(s, 0xffff0, ~v);
    g_assert_cmphex(qtest_readl(s, 0xffff0), ==, v);
    g_assert_cmphex(qtest_readl(s, 0xfffffff0), ==, v);
    qtest_quit(s);
}

static void test_unassigned_ports(void)
{
    QTestState *s = qtest_start(NULL);

    /* Nothing lives at 0x3333: reads float high. */
    g_assert_cmphex(qtest_inb(s, 0x3333), ==, 0xff);
    g_assert_cmphex(qtest_inw(s, 0x3333), ==, 0xffff);
    g_assert_cmphex(qtest_inl(s, 0x3334), ==, 0xffffffff);
    qtest_outb(s, 0x3333, 0x12);
    qtest_quit(s);
}

static void test_clock(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0 = qtest_clock_step(s, 0);
    int64_t t1 = qtest_clock_step(s, 1000);

    g_assert_cmpint(t1 - t0, ==, 1000);
    g_assert_cmpint(qtest_clock_set(s, t1 + 5000), ==, t1 + 5000);
    /* The clock does not move by itself. */
    g_usleep(20000);
    g_assert_cmpint(qtest_clock_step(s, 0), ==, t1 + 5000);
    qtest_quit(s);
}

static void test_bad_command(void)
{
    QTestState *s = qtest_start(NULL);
    /* A malformed command must not kill the emulator. */
    g_autofree char *r = qtest_command(s, "endianness");

    g_assert_cmpstr(r, ==, "OK little");
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/ram-rw", test_ram_rw);
    g_test_add_func("/qtest/bios-rom", test_bios_rom);
    g_test_add_func("/qtest/unassigned-ports", test_unassigned_ports);
    g_test_add_func("/qtest/clock", test_clock);
    g_test_add_func("/qtest/bad-command", test_bad_command);
    return g_test_run();
}
