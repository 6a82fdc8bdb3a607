/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PC's ACPI tables, parsed back: RSDP/XSDT/RSDT pointers, lengths and
 * checksums, the FADT's blocks and pointers, MADT entries for several
 * -smp sizes, the HPET table, and the DSDT's \_S5, _PRT and _CRS decoded
 * from the AML.
 */
#include "ember/osdep.h"
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/pm.h"

#define RSDP_ADDR   0xe0000
#define TABLES_ADDR 0xe0040

typedef struct Built {
    AcpiTables t;
    uint32_t *ids;
} Built;

static void build(Built *b, unsigned ncpus, const uint32_t *ids, bool hpet)
{
    AcpiBuildConfig cfg = {
        .ncpus = ncpus,
        .apic_ids = ids,
        .lapic_base = 0xfee00000,
        .ioapic_base = 0xfec00000,
        .ioapic_id = 0,
        .pci_hole_start = 0xe0000000,
        .pci_hole_end = 0xfec00000,
        .hpet = hpet,
        .hpet_base = 0xfed00000,
        .hpet_block_id = 0x8086a201,
        .pm_base = ACPI_PM_BASE,
        .gpe0_base = ACPI_GPE0_BASE,
        .sci_irq = ACPI_SCI_IRQ,
        .reset_port = ACPI_PM_BASE + ACPI_PM_RESET_OFF,
        .reset_value = ACPI_PM_RESET_VALUE,
    };

    acpi_build(&cfg, RSDP_ADDR, TABLES_ADDR, &b->t);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

/* The table at guest address a, checked to lie inside the blob. */
static const uint8_t *table_at(Built *b, uint64_t a)
{
    GByteArray *tab = b->t.tables;

    g_assert_cmpuint(a, >=, TABLES_ADDR);
    g_assert_cmpuint(a + 8, <=, TABLES_ADDR + tab->len);
    g_assert_cmpuint(a + ldl_le_p(tab->data + (a - TABLES_ADDR) + 4), <=,
                     TABLES_ADDR + tab->len);
    return tab->data + (a - TABLES_ADDR);
}

static const uint8_t *find_table(Built *b, const char *sig)
{
    const uint8_t *x = table_at(b, ldq_le_p(b->t.rsdp->data + 24));
    unsigned n = (ldl_le_p(x + 4) - 36) / 8;

    for (unsigned i = 0; i < n; i++) {
        const uint8_t *t = table_at(b, ldq_le_p(x + 36 + 8 * i));
        if (!memcmp(t, sig, 4)) {
            return t;
        }
    }
    return NULL;
}

/* ---- a little AML reading ------------------------------------------------ */

static size_t pkglen(const uint8_t *p, size_t *value)
{
    unsigned n = (p[0] >> 6) + 1;

    if (n == 1) {
        *value = p[0] & 0x3f;
        return 1;
    }
    *value = p[0] & 0xf;
    for (unsigned i = 1; i < n; i++) {
        *value |= (size_t)p[i] << (4 + 8 * (i - 1));
    }
    return n;
}

/* An integer data object at p; its encoded size in *len. */
static uint64_t aml_integer(const uint8_t *p, size_t *len)
{
    switch (p[0]) {
    case 0x00: *len = 1; return 0;
    case 0x01: *len = 1; return 1;
    case 0xff: *len = 1; return ~0ULL;
    case 0x0a: *len = 2; return p[1];
    case 0x0b: *len = 3; return lduw_le_p(p + 1);
    case 0x0c: *len = 5; return ldl_le_p(p + 1);
    case 0x0e: *len = 9; return ldq_le_p(p + 1);
    default:
        g_error("not an integer: opcode 0x%02x", p[0]);
    }
}

/* Where "Name(<seg>, ...)" starts in the AML: just after the name. */
static const uint8_t *find_name(const uint8_t *aml, size_t len,
                                const char *seg, bool root)
{
    for (size_t i = 0; i + 6 < len; i++) {
        if (aml[i] != 0x08) {
            continue;
        }
        if (root && aml[i + 1] == 0x5c && !memcmp(aml + i + 2, seg, 4)) {
            return aml + i + 6;
        }
        if (!root && !memcmp(aml + i + 1, seg, 4)) {
            return aml + i + 5;
        }
    }
    return NULL;
}

/* A package of integers: count and values. */
static unsigned decode_int_package(const uint8_t *p, uint64_t *vals,
                                   unsigned max)
{
    size_t plen, n, off;
    unsigned count;

    g_assert_cmphex(p[0], ==, 0x12);
    n = pkglen(p + 1, &plen);
    count = p[1 + n];
    off = 1 + n + 1;
    for (unsigned i = 0; i < count; i++) {
        size_t l;
        g_assert_cmpuint(i, <, max);
        vals[i] = aml_integer(p + off, &l);
        off += l;
    }
    g_assert_cmpuint(off, ==, 1 + plen);
    return count;
}

/* ---- tests --------------------------------------------------------------- */

static void test_rsdp_and_sdts(void)
{
    uint32_t ids[2] = { 0, 1 };
    Built b;
    const uint8_t *r, *x, *rs;
    unsigned n;

    build(&b, 2, ids, true);
    r = b.t.rsdp->data;
    g_assert_cmpuint(b.t.rsdp->len, ==, 36);
    g_assert_cmpmem(r, 8, "RSD PTR ", 8);
    g_assert_cmphex(sum(r, 20), ==, 0);
    g_assert_cmphex(sum(r, 36), ==, 0);
    g_assert_cmpuint(r[15], ==, 2);
    g_assert_cmpuint(ldl_le_p(r + 20), ==, 36);
    x = table_at(&b, ldq_le_p(r + 24));
    rs = table_at(&b, ldl_le_p(r + 16));
    g_assert_cmpmem(x, 4, "XSDT", 4);
    g_assert_cmpmem(rs, 4, "RSDT", 4);
    g_assert_cmphex(sum(x, ldl_le_p(x + 4)), ==, 0);
    g_assert_cmphex(sum(rs, ldl_le_p(rs + 4)), ==, 0);
    n = (ldl_le_p(x + 4) - 36) / 8;
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpuint((ldl_le_p(rs + 4) - 36) / 4, ==, n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = ldq_le_p(x + 36 + 8 * i);
        const uint8_t *t = table_at(&b, a);
        g_assert_cmpuint(ldl_le_p(rs + 36 + 4 * i), ==, a);
        g_assert_cmphex(sum(t, ldl_le_p(t + 4)), ==, 0);
        g_assert_cmpmem(t + 10, 6, ACPI_OEM_ID, 6);
        /* 8-byte aligned. */
        g_assert_cmpuint(a % 8, ==, 0);
    }
    acpi_tables_free(&b.t);
    /* Without an HPET: two tables. */
    build(&b, 2, ids, false);
    g_assert_null(find_table(&b, "HPET"));
    g_assert_nonnull(find_table(&b, "FACP"));
    g_assert_nonnull(find_table(&b, "APIC"));
    acpi_tables_free(&b.t);
}

static void test_fadt(void)
{
    uint32_t ids[1] = { 0 };
    Built b;
    const uint8_t *f, *facs, *dsdt;

    build(&b, 1, ids, true);
    f = find_table(&b, "FACP");
    g_assert_nonnull(f);
    g_assert_cmpuint(ldl_le_p(f + 4), ==, 276);
    g_assert_cmpuint(f[8], ==, 6);
    /* FACS and DSDT, 32- and 64-bit pointers agree. */
    g_assert_cmpuint(ldl_le_p(f + 36), ==, ldq_le_p(f + 132));
    g_assert_cmpuint(ldl_le_p(f + 40), ==, ldq_le_p(f + 140));
    g_assert_cmpuint(ldl_le_p(f + 36) % 64, ==, 0);
    facs = b.t.tables->data + (ldl_le_p(f + 36) - TABLES_ADDR);
    g_assert_cmpmem(facs, 4, "FACS", 4);
    g_assert_cmpuint(ldl_le_p(facs + 4), ==, 64);
    dsdt = table_at(&b, ldq_le_p(f + 140));
    g_assert_cmpmem(dsdt, 4, "DSDT", 4);
    g_assert_cmpuint(dsdt[8], ==, 2);
    g_assert_cmphex(sum(dsdt, ldl_le_p(dsdt + 4)), ==, 0);
    /* SCI, no SMI command port, the PM blocks. */
    g_assert_cmpuint(lduw_le_p(f + 46), ==, ACPI_SCI_IRQ);
    g_assert_cmpuint(ldl_le_p(f + 48), ==, 0);
    g_assert_cmpuint(ldl_le_p(f + 56), ==, ACPI_PM_BASE);
    g_assert_cmpuint(ldl_le_p(f + 64), ==, ACPI_PM_BASE + 4);
    g_assert_cmpuint(ldl_le_p(f + 76), ==, ACPI_PM_BASE + 8);
    g_assert_cmpuint(ldl_le_p(f + 80), ==, ACPI_GPE0_BASE);
    g_assert_cmpuint(f[88], ==, 4);
    g_assert_cmpuint(f[89], ==, 2);
    g_assert_cmpuint(f[91], ==, 4);
    g_assert_cmpuint(f[92], ==, 4);
    /* Reset register supported, in I/O space, with its value. */
    g_assert_true(ldl_le_p(f + 112) & (1 << 10));
    g_assert_cmpuint(f[116], ==, 1);
    g_assert_cmpuint(ldq_le_p(f + 120), ==, ACPI_PM_BASE + ACPI_PM_RESET_OFF);
    g_assert_cmpuint(f[128], ==, ACPI_PM_RESET_VALUE);
    /* The 8042 and legacy devices are present. */
    g_assert_cmpuint(lduw_le_p(f + 109), ==, 3);
    /* X_PM_TMR_BLK: SystemIO, 32 bits. */
    g_assert_cmpuint(f[208], ==, 1);
    g_assert_cmpuint(f[209], ==, 32);
    g_assert_cmpuint(ldq_le_p(f + 212), ==, ACPI_PM_BASE + 8);
    acpi_tables_free(&b.t);
}

static void check_madt(unsigned ncpus, const uint32_t *ids)
{
    Built b;
    const uint8_t *m;
    unsigned lapic = 0, x2apic = 0, ioapic = 0, iso = 0, nmi = 0;

    build(&b, ncpus, ids, true);
    m = find_table(&b, "APIC");
    g_assert_nonnull(m);
    g_assert_cmpuint(ldl_le_p(m + 36), ==, 0xfee00000);
    g_assert_cmpuint(ldl_le_p(m + 40), ==, 1);      /* PCAT_COMPAT */
    for (uint32_t o = 44; o < ldl_le_p(m + 4); o += m[o + 1]) {
        g_assert_cmpuint(m[o + 1], >=, 2);
        switch (m[o]) {
        case 0:
            g_assert_cmpuint(m[o + 1], ==, 8);
            g_assert_cmpuint(m[o + 2], ==, lapic + x2apic);      /* UID */
            g_assert_cmpuint(m[o + 3], ==, ids[lapic + x2apic]);
            g_assert_cmpuint(ldl_le_p(m + o + 4), ==, 1);
            lapic++;
            break;
        case 9:
            g_assert_cmpuint(m[o + 1], ==, 16);
            g_assert_cmpuint(ldl_le_p(m + o + 4), ==, ids[lapic + x2apic]);
            g_assert_cmpuint(ldl_le_p(m + o + 12), ==, lapic + x2apic);
            x2apic++;
            break;
        case 1:
            g_assert_cmpuint(m[o + 1], ==, 12);
            g_assert_cmpuint(ldl_le_p(m + o + 4), ==, 0xfec00000);
            g_assert_cmpuint(ldl_le_p(m + o + 8), ==, 0);
            ioapic++;
            break;
        case 2:
            g_assert_cmpuint(m[o + 1], ==, 10);
            if (m[o + 3] == 0) {
                g_assert_cmpuint(ldl_le_p(m + o + 4), ==, 2);
                g_assert_cmpuint(lduw_le_p(m + o + 8), ==, 0);
            } else {
                g_assert_cmpuint(m[o + 3], ==, 9);
                g_assert_cmpuint(ldl_le_p(m + o + 4), ==, 9);
                g_assert_cmpuint(lduw_le_p(m + o + 8), ==, 0xd);
            }
            iso++;
            break;
        case 4:
            g_assert_cmpuint(m[o + 2], ==, 0xff);
            g_assert_cmpuint(m[o + 5], ==, 1);
            nmi++;
            break;
        default:
            g_assert_not_reached();
        }
    }
    g_assert_cmpuint(lapic + x2apic, ==, ncpus);
    g_assert_cmpuint(ioapic, ==, 1);
    g_assert_cmpuint(iso, ==, 2);
    g_assert_cmpuint(nmi, ==, 1);
    acpi_tables_free(&b.t);
}

static void test_madt(void)
{
    uint32_t ids[255];

    for (unsigned i = 0; i < 255; i++) {
        ids[i] = i;
    }
    check_madt(1, ids);
    check_madt(4, ids);
    check_madt(255, ids);
    /* Sparse IDs (e.g. -smp 4,cores=3: 0 1 2 4), and one too big for the
     * 8-bit entry. */
    ids[0] = 0; ids[1] = 1; ids[2] = 2; ids[3] = 4; ids[4] = 300;
    check_madt(5, ids);
}

static void test_hpet_table(void)
{
    uint32_t ids[1] = { 0 };
    Built b;
    const uint8_t *h;

    build(&b, 1, ids, true);
    h = find_table(&b, "HPET");
    g_assert_nonnull(h);
    g_assert_cmpuint(ldl_le_p(h + 4), ==, 56);
    g_assert_cmphex(ldl_le_p(h + 36), ==, 0x8086a201);
    g_assert_cmpuint(h[40], ==, 0);                 /* system memory */
    g_assert_cmphex(ldq_le_p(h + 44), ==, 0xfed00000);
    acpi_tables_free(&b.t);
}

static const uint8_t *dsdt_aml(Built *b, size_t *len)
{
    const uint8_t *f = find_table(b, "FACP");
    const uint8_t *d = table_at(b, ldq_le_p(f + 140));

    *len = ldl_le_p(d + 4) - 36;
    return d + 36;
}

static void test_dsdt_s5(void)
{
    uint32_t ids[1] = { 0 };
    Built b;
    size_t len;
    const uint8_t *aml, *p;
    uint64_t v[8];

    build(&b, 1, ids, true);
    aml = dsdt_aml(&b, &len);
    p = find_name(aml, len, "_S5_", true);
    g_assert_nonnull(p);
    /* Package { SLP_TYPa, SLP_TYPb, 0, 0 }: what PM1_CNT wants for S5. */
    g_assert_cmpuint(decode_int_package(p, v, 8), ==, 4);
    g_assert_cmpuint(v[0], ==, ACPI_SLP_TYP_S5);
    g_assert_cmpuint(v[1], ==, ACPI_SLP_TYP_S5);
    /* \_PIC: MethodOp, PkgLength, \_PIC, one argument. */
    p = memmem(aml, len, "\x5c_PIC\x01", 6);
    g_assert_nonnull(p);
    g_assert_cmphex(p[-2], ==, 0x14);
    acpi_tables_free(&b.t);
}

static void test_dsdt_pci(void)
{
    uint32_t ids[1] = { 0 };
    Built b;
    size_t len, plen, n, off;
    const uint8_t *aml, *p;
    unsigned count;
    bool seen[32][4] = { { false } };

    build(&b, 1, ids, true);
    aml = dsdt_aml(&b, &len);
    g_assert_nonnull(memmem(aml, len, "PCI0", 4));
    /* _HID EisaId("PNP0A03"). */
    p = find_name(aml, len, "_HID", false);
    g_assert_nonnull(p);
    g_assert_cmpmem(p, 5, "\x0c\x41\xd0\x0a\x03", 5);

    /* _PRT: 128 entries {slot << 16 | 0xffff, pin, 0, GSI}. */
    p = find_name(aml, len, "_PRT", false);
    g_assert_nonnull(p);
    g_assert_cmphex(p[0], ==, 0x12);
    n = pkglen(p + 1, &plen);
    count = p[1 + n];
    g_assert_cmpuint(count, ==, 128);
    off = 1 + n + 1;
    for (unsigned i = 0; i < count; i++) {
        uint64_t v[4];
        size_t elen;
        unsigned slot, pin;

        g_assert_cmpuint(decode_int_package(p + off, v, 4), ==, 4);
        pkglen(p + off + 1, &elen);
        off += 1 + elen;
        g_assert_cmphex(v[0] & 0xffff, ==, 0xffff);
        slot = v[0] >> 16;
        pin = v[1];
        g_assert_cmpuint(slot, <, 32);
        g_assert_cmpuint(pin, <, 4);
        g_assert_false(seen[slot][pin]);
        seen[slot][pin] = true;
        g_assert_cmpuint(v[2], ==, 0);
        g_assert_cmpuint(v[3], ==, 16 + (slot + pin) % 4);
    }
    g_assert_cmpuint(off, ==, 1 + plen);

    /* _CRS: a buffer of descriptors with the PCI hole, and an end tag. */
    p = find_name(aml, len, "_CRS", false);
    g_assert_nonnull(p);
    g_assert_cmphex(p[0], ==, 0x11);
    {
        size_t blen, bn = pkglen(p + 1, &blen), sl, size;
        const uint8_t *buf;
        bool hole = false;

        size = aml_integer(p + 1 + bn, &sl);
        buf = p + 1 + bn + sl;
        g_assert_cmpuint(bn + sl + size, ==, blen);
        g_assert_cmphex(buf[size - 2], ==, 0x79);
        for (size_t o = 0; o < size - 2;) {
            if (buf[o] & 0x80) {
                size_t dl = lduw_le_p(buf + o + 1);
                if (buf[o] == 0x87 && buf[o + 3] == 0 &&
                    ldl_le_p(buf + o + 10) == 0xe0000000) {
                    g_assert_cmphex(ldl_le_p(buf + o + 14), ==, 0xfebfffff);
                    g_assert_cmphex(ldl_le_p(buf + o + 22), ==, 0x1ec00000);
                    hole = true;
                }
                o += 3 + dl;
            } else {
                o += 1 + (buf[o] & 7);
            }
        }
        g_assert_true(hole);
    }
    acpi_tables_free(&b.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-build/rsdp-sdts", test_rsdp_and_sdts);
    g_test_add_func("/acpi-build/fadt", test_fadt);
    g_test_add_func("/acpi-build/madt", test_madt);
    g_test_add_func("/acpi-build/hpet", test_hpet_table);
    g_test_add_func("/acpi-build/dsdt-s5", test_dsdt_s5);
    g_test_add_func("/acpi-build/dsdt-pci", test_dsdt_pci);
    return g_test_run();
}
