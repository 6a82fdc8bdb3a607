/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "hw/i386/e820.h"

static void test_render(void)
{
    const E820Entry *t;
    unsigned n;

    e820_reset_table();
    e820_add_entry(0, 0x8000000, E820_RAM);
    e820_add_entry(0x9fc00, 0x400, E820_RESERVED);
    e820_add_entry(0xa0000, 0x60000, E820_RESERVED);
    e820_add_entry(0x100000000ULL, 0x40000000, E820_RAM);
    n = e820_get_table(&t);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmphex(t[0].addr, ==, 0);
    g_assert_cmphex(t[0].size, ==, 0x9fc00);
    g_assert_cmpuint(t[0].type, ==, E820_RAM);
    /* Adjacent reserved pieces merge. */
    g_assert_cmphex(t[1].addr, ==, 0x9fc00);
    g_assert_cmphex(t[1].size, ==, 0x60400);
    g_assert_cmpuint(t[1].type, ==, E820_RESERVED);
    g_assert_cmphex(t[2].addr, ==, 0x100000);
    g_assert_cmphex(t[2].size, ==, 0x8000000 - 0x100000);
    g_assert_cmphex(t[3].addr, ==, 0x100000000ULL);
    /* Changes invalidate the rendered table. */
    e820_add_entry(0x7000000, 0x1000000, E820_ACPI);
    n = e820_get_table(&t);
    g_assert_cmpuint(n, ==, 5);
    g_assert_cmpuint(t[3].type, ==, E820_ACPI);
    g_assert_cmphex(t[2].size, ==, 0x7000000 - 0x100000);
    e820_reset_table();
    n = e820_get_table(&t);
    g_assert_cmpuint(n, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e820/render", test_render);
    return g_test_run();
}
