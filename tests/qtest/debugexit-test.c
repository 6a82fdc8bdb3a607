/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isa-debug-exit: a write of v ends Ember with status (v << 1) | 1. */
#include "libqtest.h"

static void test_exit_status(void)
{
    QTestState *s = qtest_start("-device isa-debug-exit,iobase=0xf4,"
                                "iosize=0x04");

    /* Reads are harmless and return 0. */
    g_assert_cmphex(qtest_inb(s, 0xf4), ==, 0);
    qtest_outb(s, 0xf4, 0x10);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0x21);
    qtest_quit(s);
}

static void test_default_port_and_width(void)
{
    /* Defaults: 0x501, two ports; a 32-bit write of 0 gives status 1. */
    QTestState *s = qtest_start("-device isa-debug-exit");

    qtest_outl(s, 0x502, 0);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 1);
    qtest_quit(s);
}

static void test_outside_port_ignored(void)
{
    QTestState *s = qtest_start("-device isa-debug-exit,iobase=0xf4,"
                                "iosize=1");

    /* The port after the device's range does nothing. */
    qtest_outb(s, 0xf5, 0x01);
    qtest_outb(s, 0xf4, 0x7f);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0xff);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debug-exit/exit-status", test_exit_status);
    g_test_add_func("/debug-exit/default-port", test_default_port_and_width);
    g_test_add_func("/debug-exit/outside-port", test_outside_port_ignored);
    return g_test_run();
}
