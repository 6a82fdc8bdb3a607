/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option strings and size parsing. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"

static void test_keyval(void)
{
    GError *err = NULL;
    g_autoptr(Opts) o = opts_parse("virtio-blk-pci,drive=d0,id=x,"
                                   "serial=a,,b,flag", "driver", &err);

    g_assert_no_error(err);
    g_assert_cmpstr(opts_get(o, "driver"), ==, "virtio-blk-pci");
    g_assert_cmpstr(opts_get(o, "drive"), ==, "d0");
    g_assert_cmpstr(o->id, ==, "x");
    g_assert_cmpstr(opts_get(o, "serial"), ==, "a,b");
    g_assert_cmpstr(opts_get(o, "flag"), ==, "on");
    g_assert_null(opts_get(o, "nope"));
    g_assert_true(opts_check_unused(o, &err));
}

static void test_unused_and_types(void)
{
    GError *err = NULL;
    g_autoptr(Opts) o = opts_parse("size=1G,n=0x10,b=off,junk=1,bad=x",
                                   NULL, &err);

    g_assert_cmpuint(opts_get_size(o, "size", 0, &err), ==, GiB);
    g_assert_cmpuint(opts_get_number(o, "n", 0, &err), ==, 16);
    g_assert_false(opts_get_bool(o, "b", true, &err));
    g_assert_no_error(err);
    opts_get_bool(o, "bad", false, &err);
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_false(opts_check_unused(o, &err));
    g_assert_nonnull(strstr(err->message, "'junk'"));
    g_clear_error(&err);
    o = (opts_free(o), opts_parse("=x", NULL, &err));
    g_assert_null(o);
    g_assert_nonnull(err);
    g_clear_error(&err);
}

static void test_sizes(void)
{
    uint64_t v;

    g_assert_true(parse_size("512", 'M', &v));
    g_assert_cmpuint(v, ==, 512 * MiB);
    g_assert_true(parse_size("2G", 'M', &v));
    g_assert_cmpuint(v, ==, 2 * GiB);
    g_assert_true(parse_size("1.5G", 'M', &v));
    g_assert_cmpuint(v, ==, 3 * GiB / 2);
    g_assert_true(parse_size("4096", 'B', &v));
    g_assert_cmpuint(v, ==, 4096);
    g_assert_true(parse_size("64k", 'B', &v));
    g_assert_cmpuint(v, ==, 64 * KiB);
    g_assert_true(parse_size("256MiB", 'B', &v));
    g_assert_cmpuint(v, ==, 256 * MiB);
    g_assert_false(parse_size("12x", 'M', &v));
    g_assert_false(parse_size("-1", 'M', &v));
    g_assert_false(parse_size("", 'M', &v));
    g_assert_false(parse_size("99999999999999999999", 'B', &v));
    g_assert_false(parse_size("20000000000000000E", 'B', &v));
    g_assert_true(parse_uint64("0x7b", &v));
    g_assert_cmpuint(v, ==, 123);
    g_assert_false(parse_uint64("12a", &v));
    g_assert_false(parse_uint64("-3", &v));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/option/keyval", test_keyval);
    g_test_add_func("/option/unused-and-types", test_unused_and_types);
    g_test_add_func("/option/sizes", test_sizes);
    return g_test_run();
}
