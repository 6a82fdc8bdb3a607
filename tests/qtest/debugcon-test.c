/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isa-debugcon: bytes written to port 0xe9 reach the chardev. */
#include "libqtest.h"
#include <unistd.h>

static char *tmp_path(const char *what)
{
    return g_strdup_printf("%s/ember-debugcon-%d-%s", g_get_tmp_dir(),
                           getpid(), what);
}

static void test_debugcon_option(void)
{
    g_autofree char *path = tmp_path("opt");
    g_autofree char *data = NULL;
    QTestState *s = qtest_startf("-debugcon file:%s", path);

    /* Guests detect the port by reading back 0xe9. */
    g_assert_cmphex(qtest_inb(s, 0xe9), ==, 0xe9);
    for (const char *p = "debug\n"; *p; p++) {
        qtest_outb(s, 0xe9, *p);
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, "debug\n");
    unlink(path);
}

static void test_debugcon_device(void)
{
    g_autofree char *path = tmp_path("dev");
    g_autofree char *data = NULL;
    QTestState *s = qtest_startf("-chardev file,id=dc,path=%s "
                                 "-device isa-debugcon,iobase=0x402,"
                                 "chardev=dc", path);

    g_assert_cmphex(qtest_inb(s, 0x402), ==, 0xe9);
    qtest_outb(s, 0x402, 'O');
    qtest_outb(s, 0x402, 'K');
    /* Nothing at 0xe9 without -debugcon. */
    g_assert_cmphex(qtest_inb(s, 0xe9), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, "OK");
    unlink(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debugcon/option", test_debugcon_option);
    g_test_add_func("/debugcon/device", test_debugcon_device);
    return g_test_run();
}
