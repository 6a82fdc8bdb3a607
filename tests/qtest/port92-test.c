/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Port 0x92 (fast A20 and fast reset) and the POST/delay ports. */
#include "libqtest.h"

static void test_port92_bits(void)
{
    QTestState *s = qtest_start(NULL);

    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x00);
    qtest_outb(s, 0x92, 0x02);                  /* fast A20 on */
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x02);
    qtest_outb(s, 0x92, 0x00);
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x00);
    qtest_quit(s);
}

static void test_port92_reset(void)
{
    QTestState *s = qtest_start("-no-reboot");

    /* Bit 0 going from 0 to 1 resets; -no-reboot makes it an exit. */
    qtest_outb(s, 0x92, 0x03);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0);
    qtest_quit(s);
}

static void test_port92_reset_again(void)
{
    QTestState *s = qtest_start(NULL);

    /* A reboot clears bit 0 so that the next write resets again. */
    qtest_outb(s, 0x92, 0x01);
    qtest_clock_step(s, 0);
    g_assert_cmphex(qtest_inb(s, 0x92) & 0x01, ==, 0x00);
    qtest_quit(s);
}

static void test_ioport80(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_outb(s, 0x80, 0x12);
    qtest_outb(s, 0xed, 0x34);
    g_assert_cmphex(qtest_inb(s, 0x80), ==, 0xff);
    g_assert_cmphex(qtest_inb(s, 0xed), ==, 0xff);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/port92/bits", test_port92_bits);
    g_test_add_func("/port92/reset", test_port92_reset);
    g_test_add_func("/port92/reset-clears-bit", test_port92_reset_again);
    g_test_add_func("/ioport80/ignore-writes", test_ioport80);
    return g_test_run();
}
