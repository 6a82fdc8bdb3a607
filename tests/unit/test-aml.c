/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AML builder against hand-encoded byte sequences from the ACPI 6.4
 * grammar (chapter 20) and resource descriptor formats (6.4).
 */
#include "ember/osdep.h"
#include "hw/acpi/aml.h"

/* Finish node and compare with the expected bytes. */
static void check(Aml *node, const uint8_t *want, size_t len)
{
    GByteArray *b = aml_finish(node);

    g_assert_cmpmem(b->data, b->len, want, len);
    g_byte_array_free(b, TRUE);
}

#define CHECK(node, ...) do {                              \
        static const uint8_t w_[] = { __VA_ARGS__ };       \
        check((node), w_, sizeof(w_));                     \
    } while (0)

static void test_integers(void)
{
    CHECK(aml_int(0), 0x00);
    CHECK(aml_int(1), 0x01);
    CHECK(aml_int(~0ULL), 0xff);
    CHECK(aml_int(2), 0x0a, 0x02);
    CHECK(aml_int(0xff), 0x0a, 0xff);
    CHECK(aml_int(0x100), 0x0b, 0x00, 0x01);
    CHECK(aml_int(0x12345678), 0x0c, 0x78, 0x56, 0x34, 0x12);
    CHECK(aml_int(0x123456789ULL), 0x0e, 0x89, 0x67, 0x45, 0x23, 0x01,
          0x00, 0x00, 0x00);
    CHECK(aml_string("ab"), 0x0d, 'a', 'b', 0x00);
    CHECK(aml_arg(3), 0x6b);
    CHECK(aml_local(7), 0x67);
}

static void test_names(void)
{
    CHECK(aml_name("_S5"), '_', 'S', '5', '_');
    CHECK(aml_name("\\_SB"), 0x5c, '_', 'S', 'B', '_');
    CHECK(aml_name("\\_SB.PCI0"), 0x5c, 0x2e, '_', 'S', 'B', '_',
          'P', 'C', 'I', '0');
    CHECK(aml_name("^^FOO"), 0x5e, 0x5e, 'F', 'O', 'O', '_');
    CHECK(aml_name("A.B.C"), 0x2f, 0x03, 'A', '_', '_', '_', 'B', '_', '_',
          '_', 'C', '_', '_', '_');
    CHECK(aml_name("\\"), 0x5c, 0x00);
    /* EISA IDs: "PNP0A03" is 0x030ad041 as a DWORD. */
    CHECK(aml_eisaid("PNP0A03"), 0x0c, 0x41, 0xd0, 0x0a, 0x03);
    CHECK(aml_eisaid("PNP0103"), 0x0c, 0x41, 0xd0, 0x01, 0x03);
}

static void test_pkglength(void)
{
    Aml *sc;
    GByteArray *b;

    /* Small: one byte, counting itself. */
    CHECK(aml_scope("\\_SB"), 0x10, 0x06, 0x5c, '_', 'S', 'B', '_');
    /* 62 bytes of content + 1 = 63 still fits in one byte ... */
    sc = aml_scope("ABCD");
    for (int i = 0; i < 58; i++) {
        aml_append(sc, aml_int(0));
    }
    b = aml_finish(sc);
    g_assert_cmpuint(b->len, ==, 1 + 1 + 62);
    g_assert_cmphex(b->data[1], ==, 63);
    g_byte_array_free(b, TRUE);
    /* ... 63 bytes need two: 63 + 2 = 65 = 0x41 -> 0x41, 0x04. */
    sc = aml_scope("ABCD");
    for (int i = 0; i < 59; i++) {
        aml_append(sc, aml_int(0));
    }
    b = aml_finish(sc);
    g_assert_cmpuint(b->len, ==, 1 + 2 + 63);
    g_assert_cmphex(b->data[1], ==, 0x41);
    g_assert_cmphex(b->data[2], ==, 0x04);
    g_byte_array_free(b, TRUE);
    /* Three bytes past 4095. */
    sc = aml_scope("ABCD");
    for (int i = 0; i < 5000; i++) {
        aml_append(sc, aml_int(0));
    }
    b = aml_finish(sc);
    g_assert_cmpuint(b->len, ==, 1 + 3 + 5004);
    g_assert_cmphex(b->data[1] >> 6, ==, 2);
    g_assert_cmpuint((b->data[1] & 0xf) | b->data[2] << 4 | b->data[3] << 12,
                     ==, 3 + 5004);
    g_byte_array_free(b, TRUE);
}

static void test_package_buffer(void)
{
    Aml *p = aml_package();

    aml_append(p, aml_int(0));
    aml_append(p, aml_int(1));
    aml_append(p, aml_int(5));
    CHECK(p, 0x12, 0x06, 0x03, 0x00, 0x01, 0x0a, 0x05);
    CHECK(aml_package(), 0x12, 0x02, 0x00);
    CHECK(aml_buffer((const uint8_t *)"\x01\x02\x03", 3),
          0x11, 0x06, 0x0a, 0x03, 0x01, 0x02, 0x03);
    CHECK(aml_name_decl("_UID", aml_int(0)), 0x08, '_', 'U', 'I', 'D', 0x00);
}

static void test_method_and_statements(void)
{
    Aml *m = aml_method("_PIC", 1, false);
    Aml *i;

    aml_append(m, aml_store(aml_arg(0), aml_name("PICM")));
    CHECK(m, 0x14, 0x0c, '_', 'P', 'I', 'C', 0x01,
          0x70, 0x68, 'P', 'I', 'C', 'M');
    m = aml_method("FOO", 0, true);
    aml_append(m, aml_return(aml_int(0x10)));
    CHECK(m, 0x14, 0x09, 'F', 'O', 'O', '_', 0x08, 0xa4, 0x0a, 0x10);
    i = aml_if(aml_equal(aml_arg(0), aml_int(1)));
    aml_append(i, aml_return(aml_int(1)));
    CHECK(i, 0xa0, 0x06, 0x93, 0x68, 0x01, 0xa4, 0x01);
    CHECK(aml_else(), 0xa1, 0x01);
    CHECK(aml_and(aml_local(0), aml_int(2), NULL), 0x7b, 0x60, 0x0a, 0x02,
          0x00);
    CHECK(aml_or(aml_local(0), aml_int(2), aml_local(1)), 0x7d, 0x60, 0x0a,
          0x02, 0x61);
    CHECK(aml_add(aml_local(0), aml_local(1), NULL), 0x72, 0x60, 0x61, 0x00);
    CHECK(aml_shiftleft(aml_int(1), aml_arg(0), aml_local(2)), 0x79, 0x01,
          0x68, 0x62);
    CHECK(aml_lnot(aml_local(0)), 0x92, 0x60);
    CHECK(aml_notify(aml_name("BTN"), aml_int(0x80)), 0x86, 'B', 'T', 'N',
          '_', 0x0a, 0x80);
}

static void test_device_region_field(void)
{
    Aml *d = aml_device("PCI0");
    Aml *f;

    aml_append(d, aml_name_decl("_ADR", aml_int(0)));
    CHECK(d, 0x5b, 0x82, 0x0b, 'P', 'C', 'I', '0', 0x08, '_', 'A', 'D', 'R',
          0x00);
    CHECK(aml_operation_region("REG0", AML_SYSTEM_IO, aml_int(0x600),
                               aml_int(4)),
          0x5b, 0x80, 'R', 'E', 'G', '0', 0x01, 0x0b, 0x00, 0x06, 0x0a,
          0x04);
    f = aml_field("REG0", AML_FIELD_BYTE_ACC, false, 0);
    aml_append(f, aml_named_field("FLD1", 8));
    aml_append(f, aml_reserved_field(64));
    /* Field widths use the PkgLength format for the value itself. */
    CHECK(f, 0x5b, 0x81, 0x0e, 'R', 'E', 'G', '0', 0x01,
          'F', 'L', 'D', '1', 0x08, 0x00, 0x40, 0x04);
}

static void test_resources(void)
{
    Aml *rt = aml_resource_template();

    aml_append(rt, aml_io(true, 0xcf8, 0xcf8, 1, 8));
    CHECK(rt, 0x11, 0x0d, 0x0a, 0x0a,
          0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
          0x79, 0x00);
    CHECK(aml_irq_no_flags(9), 0x22, 0x00, 0x02);
    CHECK(aml_memory32_fixed(0xfed00000, 0x400, false),
          0x86, 0x09, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x04, 0x00,
          0x00);
    CHECK(aml_word_bus_number(0, 0xff),
          0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
          0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01);
    CHECK(aml_word_io(0xd00, 0xffff),
          0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
          0x00, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf3);
    CHECK(aml_dword_memory(0xe0000000, 0xfebfffff, false),
          0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,
          0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0xe0,
          0xff, 0xff, 0xbf, 0xfe,
          0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0xc0, 0x1e);
    {
        GByteArray *b = aml_finish(aml_qword_memory(0x100000000ULL,
                                                    0x1ffffffffULL, true));
        g_assert_cmpuint(b->len, ==, 46);
        g_assert_cmphex(b->data[0], ==, 0x8a);
        g_assert_cmphex(b->data[1] | b->data[2] << 8, ==, 43);
        g_assert_cmphex(b->data[5], ==, 0x03);
        g_assert_cmphex(ldq_le_p(b->data + 14), ==, 0x100000000ULL);
        g_assert_cmphex(ldq_le_p(b->data + 22), ==, 0x1ffffffffULL);
        g_assert_cmphex(ldq_le_p(b->data + 38), ==, 0x100000000ULL);
        g_byte_array_free(b, TRUE);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aml/integers", test_integers);
    g_test_add_func("/aml/names", test_names);
    g_test_add_func("/aml/pkglength", test_pkglength);
    g_test_add_func("/aml/package-buffer", test_package_buffer);
    g_test_add_func("/aml/method-statements", test_method_and_statements);
    g_test_add_func("/aml/device-region-field", test_device_region_field);
    g_test_add_func("/aml/resources", test_resources);
    return g_test_run();
}
