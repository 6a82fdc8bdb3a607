/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_cfg through its ports and its DMA interface: signature, ID, RAM
 * size, CPU counts, the file directory, "etc/e820", and the ACPI tables
 * as the guest sees them (fw_cfg files and the copy in the BIOS area):
 * checksums, lengths, pointers, and -machine acpi=off.
 */
#include "libqtest.h"
#include <string.h>

#define SEL     0x510
#define DATA    0x511
#define DMA     0x514

static void fw_select(QTestState *s, uint16_t key)
{
    qtest_outw(s, SEL, key);
}

static void fw_read(QTestState *s, void *buf, size_t len)
{
    uint8_t *p = buf;

    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(s, DATA);
    }
}

static uint64_t fw_read_le(QTestState *s, uint16_t key, size_t len)
{
    uint8_t b[8] = { 0 };
    uint64_t v = 0;

    fw_select(s, key);
    fw_read(s, b, len);
    for (size_t i = 0; i < len; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

/* Find a file: its key and size, or false. */
static bool fw_find_file(QTestState *s, const char *name, uint16_t *key,
                         uint32_t *size)
{
    uint8_t b[64];
    uint32_t count;

    fw_select(s, 0x19);
    fw_read(s, b, 4);
    count = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
    for (uint32_t i = 0; i < count; i++) {
        fw_read(s, b, 64);
        if (!strncmp((char *)b + 8, name, 56)) {
            *size = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
            *key = b[4] << 8 | b[5];
            return true;
        }
    }
    return false;
}

static uint8_t *fw_read_file(QTestState *s, const char *name, uint32_t *size)
{
    uint16_t key;
    uint8_t *buf;

    if (!fw_find_file(s, name, &key, size)) {
        return NULL;
    }
    buf = g_malloc(*size + 1);
    fw_select(s, key);
    fw_read(s, buf, *size);
    return buf;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t x = 0;

    while (len--) {
        x += *p++;
    }
    return x;
}

static void test_signature_id(void)
{
    QTestState *s = qtest_start(NULL);
    char sig[5] = { 0 };

    fw_select(s, 0x0000);
    fw_read(s, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
    /* Past the end: zeroes. */
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0);
    /* Reselecting rewinds. */
    fw_select(s, 0x0000);
    g_assert_cmphex(qtest_inb(s, DATA), ==, 'Q');
    /* ID: port interface and DMA. */
    g_assert_cmphex(fw_read_le(s, 0x01, 4), ==, 3);
    /* An unknown key reads as zeroes. */
    g_assert_cmphex(fw_read_le(s, 0x3ff, 4), ==, 0);
    /* DMA signature "QEMU CFG", big-endian. */
    g_assert_cmphex(qtest_inl(s, DMA), ==, 0x554d4551);
    g_assert_cmphex(qtest_inl(s, DMA + 4), ==, 0x47464320);
    qtest_quit(s);
}

static void test_ram_cpus(void)
{
    QTestState *s = qtest_start("-m 192M -smp 3");

    g_assert_cmpuint(fw_read_le(s, 0x03, 8), ==, 192ULL << 20);
    g_assert_cmpuint(fw_read_le(s, 0x05, 2), ==, 3);
    g_assert_cmpuint(fw_read_le(s, 0x0f, 2), >=, 3);
    qtest_quit(s);
}

static void test_e820(void)
{
    QTestState *s = qtest_start("-m 128M");
    uint32_t size;
    g_autofree uint8_t *e = fw_read_file(s, "etc/e820", &size);
    bool low_ram = false, high_ram = false;

    g_assert_nonnull(e);
    g_assert_cmpuint(size % 20, ==, 0);
    g_assert_cmpuint(size, >=, 40);
    for (uint32_t i = 0; i < size; i += 20) {
        uint64_t addr, len;
        uint32_t type;
        memcpy(&addr, e + i, 8);
        memcpy(&len, e + i + 8, 8);
        memcpy(&type, e + i + 16, 4);
        addr = GUINT64_FROM_LE(addr);
        len = GUINT64_FROM_LE(len);
        type = GUINT32_FROM_LE(type);
        if (type == 1 && addr == 0) {
            low_ram = true;
            g_assert_cmpuint(len, <=, 0x9fc00);
        }
        if (type == 1 && addr == 0x100000) {
            high_ram = true;
            g_assert_cmpuint(addr + len, ==, 128ULL << 20);
        }
        /* The BIOS area holding the ACPI tables is not RAM. */
        if (type == 1) {
            g_assert_true(addr + len <= 0xe0000 || addr >= 0x100000);
        }
    }
    g_assert_true(low_ram);
    g_assert_true(high_ram);
    qtest_quit(s);
}

static void test_dma(void)
{
    QTestState *s = qtest_start(NULL);
    const uint64_t desc = 0x10000, buf = 0x20000;
    uint8_t d[16], out[8];

    /* Select the signature and read 6 bytes (2 past the end). */
    memset(d, 0, sizeof(d));
    d[0] = 0x00; d[1] = 0x00; d[2] = 0x00; d[3] = 0x08 | 0x02;
    d[7] = 6;
    for (int i = 0; i < 8; i++) {
        d[8 + i] = buf >> (56 - 8 * i);
    }
    qtest_memwrite(s, desc, d, sizeof(d));
    qtest_memset(s, buf, 0xee, 8);
    qtest_outl(s, DMA, 0);
    qtest_outl(s, DMA + 4, GUINT32_SWAP_LE_BE((uint32_t)desc));
    qtest_memread(s, buf, out, 8);
    g_assert_cmpmem(out, 8, "QEMU\0\0\xee\xee", 8);
    /* Done: control cleared. */
    g_assert_cmphex(qtest_readl(s, desc), ==, 0);
    /* A write request fails with the error bit. */
    d[3] = 0x10;
    qtest_memwrite(s, desc, d, sizeof(d));
    qtest_outl(s, DMA, 0);
    qtest_outl(s, DMA + 4, GUINT32_SWAP_LE_BE((uint32_t)desc));
    g_assert_cmphex(qtest_readl(s, desc), ==, GUINT32_TO_BE(1));
    /* A read into unassigned space fails too. */
    d[3] = 0x08 | 0x02;
    for (int i = 0; i < 8; i++) {
        d[8 + i] = 0x20000000ULL >> (56 - 8 * i);
    }
    qtest_memwrite(s, desc, d, sizeof(d));
    qtest_outl(s, DMA, 0);
    qtest_outl(s, DMA + 4, GUINT32_SWAP_LE_BE((uint32_t)desc));
    g_assert_cmphex(qtest_readl(s, desc), ==, GUINT32_TO_BE(1));
    qtest_quit(s);
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void test_acpi_tables(void)
{
    QTestState *s = qtest_start("-smp 4");
    uint32_t rsdp_len, tab_len;
    g_autofree uint8_t *rsdp = fw_read_file(s, "etc/acpi/rsdp", &rsdp_len);
    g_autofree uint8_t *tab = fw_read_file(s, "etc/acpi/tables", &tab_len);
    g_autofree uint8_t *mem = NULL;
    uint64_t xsdt, base = 0xe0040;
    uint8_t rom_rsdp[36];
    const uint8_t *x;
    int n, found = 0;

    g_assert_nonnull(rsdp);
    g_assert_nonnull(tab);
    g_assert_cmpuint(rsdp_len, ==, 36);
    g_assert_cmpmem(rsdp, 8, "RSD PTR ", 8);
    g_assert_cmphex(sum(rsdp, 20), ==, 0);
    g_assert_cmphex(sum(rsdp, 36), ==, 0);
    /* The guest finds the same RSDP on a 16-byte boundary of the BIOS
     * area, and the same tables. */
    qtest_memread(s, 0xe0000, rom_rsdp, 36);
    g_assert_cmpmem(rom_rsdp, 36, rsdp, 36);
    mem = g_malloc(tab_len);
    qtest_memread(s, base, mem, tab_len);
    g_assert_cmpmem(mem, tab_len, tab, tab_len);

    xsdt = le64(rsdp + 24);
    g_assert_cmpuint(xsdt, >=, base);
    g_assert_cmpuint(xsdt + 36, <=, base + tab_len);
    x = tab + (xsdt - base);
    g_assert_cmpmem(x, 4, "XSDT", 4);
    g_assert_cmphex(sum(x, le32(x + 4)), ==, 0);
    n = (le32(x + 4) - 36) / 8;
    g_assert_cmpint(n, ==, 3);          /* FADT, MADT, HPET */
    for (int i = 0; i < n; i++) {
        uint64_t a = le64(x + 36 + 8 * i);
        const uint8_t *t = tab + (a - base);
        g_assert_cmpuint(a + le32(t + 4), <=, base + tab_len);
        g_assert_cmphex(sum(t, le32(t + 4)), ==, 0);
        if (!memcmp(t, "APIC", 4)) {
            /* 4 local APICs with IDs 0..3. */
            int lapics = 0;
            for (uint32_t o = 44; o < le32(t + 4); o += t[o + 1]) {
                if (t[o] == 0) {
                    g_assert_cmpuint(t[o + 3], ==, lapics);
                    lapics++;
                }
            }
            g_assert_cmpint(lapics, ==, 4);
            found |= 1;
        } else if (!memcmp(t, "FACP", 4)) {
            uint64_t dsdt = le64(t + 140);
            const uint8_t *d = tab + (dsdt - base);
            g_assert_cmpmem(d, 4, "DSDT", 4);
            g_assert_cmphex(sum(d, le32(d + 4)), ==, 0);
            g_assert_cmpuint(le32(t + 76), ==, 0x608);  /* PM_TMR_BLK */
            found |= 2;
        } else if (!memcmp(t, "HPET", 4)) {
            g_assert_cmphex(le64(t + 44), ==, 0xfed00000);
            found |= 4;
        }
    }
    g_assert_cmpint(found, ==, 7);
    qtest_quit(s);
}

static void test_acpi_off(void)
{
    QTestState *s = qtest_start("-machine acpi=off");
    uint16_t key;
    uint32_t size;
    uint8_t rom[8];

    g_assert_false(fw_find_file(s, "etc/acpi/rsdp", &key, &size));
    g_assert_false(fw_find_file(s, "etc/acpi/tables", &key, &size));
    g_assert_true(fw_find_file(s, "etc/e820", &key, &size));
    qtest_memread(s, 0xe0000, rom, 8);
    g_assert_true(memcmp(rom, "RSD PTR ", 8) != 0);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw_cfg/signature-id", test_signature_id);
    g_test_add_func("/fw_cfg/ram-cpus", test_ram_cpus);
    g_test_add_func("/fw_cfg/e820", test_e820);
    g_test_add_func("/fw_cfg/dma", test_dma);
    g_test_add_func("/fw_cfg/acpi-tables", test_acpi_tables);
    g_test_add_func("/fw_cfg/acpi-off", test_acpi_off);
    return g_test_run();
}
