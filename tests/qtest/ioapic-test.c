/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The I/O APIC through its MMIO window: ID/version, the redirection
 * table (read-only bits, masking), delivery to the local APIC (seen in
 * its IRR through the APIC's MMIO page; under qtest page 0 is CPU 0's),
 * level-triggered entries with Remote IRR and the EOI register, and the
 * PC's GSI wiring (ISA IRQ 0 on pin 2).
 */
#include "libqtest.h"

#define IOAPIC      0xfec00000ULL
#define APIC        0xfee00000ULL

static void set_gsi(QTestState *s, int gsi, int level)
{
    g_free(qtest_command(s, "set_irq_in pc-gsi %d %d", gsi, level));
}

static uint32_t ioapic_read(QTestState *s, uint8_t reg)
{
    qtest_writel(s, IOAPIC, reg);
    return qtest_readl(s, IOAPIC + 0x10);
}

static void ioapic_write(QTestState *s, uint8_t reg, uint32_t v)
{
    qtest_writel(s, IOAPIC, reg);
    qtest_writel(s, IOAPIC + 0x10, v);
}

static void set_entry(QTestState *s, int pin, uint64_t e)
{
    ioapic_write(s, 0x11 + 2 * pin, e >> 32);
    ioapic_write(s, 0x10 + 2 * pin, (uint32_t)e);
}

static uint64_t get_entry(QTestState *s, int pin)
{
    return ((uint64_t)ioapic_read(s, 0x11 + 2 * pin) << 32) |
           ioapic_read(s, 0x10 + 2 * pin);
}

/* Is vector set in the IRR of the APIC with this ID? */
static bool apic_irr(QTestState *s, int apic_id, int vector)
{
    uint64_t a = APIC + ((uint64_t)apic_id << 12) + 0x200 +
                 (vector / 32) * 0x10;

    return qtest_readl(s, a) & (1u << (vector % 32));
}

static bool apic_tmr(QTestState *s, int apic_id, int vector)
{
    uint64_t a = APIC + ((uint64_t)apic_id << 12) + 0x180 +
                 (vector / 32) * 0x10;

    return qtest_readl(s, a) & (1u << (vector % 32));
}

static void test_id_version(void)
{
    QTestState *s = qtest_start(NULL);

    g_assert_cmphex(ioapic_read(s, 1), ==, 0x00170020);
    g_assert_cmphex(ioapic_read(s, 0), ==, 0);
    ioapic_write(s, 0, 0x0a000000);
    g_assert_cmphex(ioapic_read(s, 0), ==, 0x0a000000);
    ioapic_write(s, 0, 0xffffffff);
    g_assert_cmphex(ioapic_read(s, 0), ==, 0x0f000000);
    /* Version is read-only. */
    ioapic_write(s, 1, 0);
    g_assert_cmphex(ioapic_read(s, 1), ==, 0x00170020);
    /* IOREGSEL reads back. */
    qtest_writel(s, IOAPIC, 0x12);
    g_assert_cmphex(qtest_readl(s, IOAPIC), ==, 0x12);
    qtest_quit(s);
}

static void test_redirection_table(void)
{
    QTestState *s = qtest_start(NULL);

    /* All 24 entries masked after reset. */
    for (int pin = 0; pin < 24; pin++) {
        g_assert_cmphex(get_entry(s, pin), ==, 0x10000);
    }
    /* Writable fields read back; delivery status and remote IRR are
     * read-only; reserved bits stay zero. */
    set_entry(s, 5, 0xff000000000000ffULL | (1ULL << 16) | (1ULL << 15) |
              (1ULL << 14) | (1ULL << 13) | (1ULL << 12) | (1ULL << 11) |
              (7ULL << 8) | (0xffULL << 32));
    g_assert_cmphex(get_entry(s, 5), ==,
                    0xff000000000000ffULL | (1ULL << 16) | (1ULL << 15) |
                    (1ULL << 13) | (1ULL << 11) | (7ULL << 8));
    /* Beyond pin 23: nothing. */
    ioapic_write(s, 0x10 + 2 * 24, 0x1234);
    g_assert_cmphex(ioapic_read(s, 0x10 + 2 * 24), ==, 0);
    qtest_quit(s);
}

static void test_edge_delivery_and_mask(void)
{
    QTestState *s = qtest_start(NULL);

    /* ISA IRQ 4 -> pin 4, vector 0x34, physical destination 0. */
    set_entry(s, 4, 0x34);
    set_gsi(s, 4, 1);
    set_gsi(s, 4, 0);
    g_assert_true(apic_irr(s, 0, 0x34));
    g_assert_false(apic_tmr(s, 0, 0x34));
    /* Masked: an edge is lost, even after unmasking. */
    set_entry(s, 6, 0x36 | (1 << 16));
    set_gsi(s, 6, 1);
    set_gsi(s, 6, 0);
    set_entry(s, 6, 0x36);
    g_assert_false(apic_irr(s, 0, 0x36));
    /* Destination 1 does not reach CPU 0 ... */
    set_entry(s, 7, 0x37 | (1ULL << 56));
    set_gsi(s, 7, 1);
    set_gsi(s, 7, 0);
    g_assert_false(apic_irr(s, 0, 0x37));
    qtest_quit(s);
}

static void test_logical_and_broadcast(void)
{
    QTestState *s = qtest_start("-smp 2");

    /* Flat logical mode: CPU 0 gets bit 0, CPU 1 bit 1. */
    qtest_writel(s, APIC + 0x0e0, 0xffffffff);
    qtest_writel(s, APIC + 0x0d0, 0x01000000);
    qtest_writel(s, APIC + 0x10e0, 0xffffffff);
    qtest_writel(s, APIC + 0x10d0, 0x02000000);
    set_entry(s, 10, 0x4a | (1 << 11) | (2ULL << 56));
    set_gsi(s, 10, 1);
    set_gsi(s, 10, 0);
    g_assert_false(apic_irr(s, 0, 0x4a));
    g_assert_true(apic_irr(s, 1, 0x4a));
    /* Physical 0xff: everyone. */
    set_entry(s, 11, 0x4b | (0xffULL << 56));
    set_gsi(s, 11, 1);
    set_gsi(s, 11, 0);
    g_assert_true(apic_irr(s, 0, 0x4b));
    g_assert_true(apic_irr(s, 1, 0x4b));
    qtest_quit(s);
}

static void test_level_remote_irr(void)
{
    QTestState *s = qtest_start(NULL);
    const uint64_t level = 1ULL << 15, rirr = 1ULL << 14;

    /* A PCI GSI: level-triggered, active low. */
    set_entry(s, 17, 0x51 | level | (1 << 13));
    set_gsi(s, 17, 1);
    g_assert_true(apic_irr(s, 0, 0x51));
    g_assert_true(apic_tmr(s, 0, 0x51));
    g_assert_cmphex(get_entry(s, 17) & rirr, ==, rirr);
    /* EOI (the register of version 0x20) with the line still asserted:
     * delivered again, Remote IRR set again. */
    qtest_writel(s, IOAPIC + 0x40, 0x51);
    g_assert_cmphex(get_entry(s, 17) & rirr, ==, rirr);
    /* An EOI for another vector changes nothing. */
    set_gsi(s, 17, 0);
    qtest_writel(s, IOAPIC + 0x40, 0x52);
    g_assert_cmphex(get_entry(s, 17) & rirr, ==, rirr);
    /* Line low now: the EOI ends it. */
    qtest_writel(s, IOAPIC + 0x40, 0x51);
    g_assert_cmphex(get_entry(s, 17) & rirr, ==, 0);
    /* A masked level line is sent when unmasked. */
    set_entry(s, 18, 0x52 | level | (1 << 16));
    set_gsi(s, 18, 1);
    g_assert_false(apic_irr(s, 0, 0x52));
    g_assert_cmphex(get_entry(s, 18) & rirr, ==, 0);
    set_entry(s, 18, 0x52 | level);
    g_assert_true(apic_irr(s, 0, 0x52));
    g_assert_cmphex(get_entry(s, 18) & rirr, ==, rirr);
    /* Switching the entry to edge drops Remote IRR. */
    set_entry(s, 18, 0x52);
    g_assert_cmphex(get_entry(s, 18) & rirr, ==, 0);
    qtest_quit(s);
}

static void test_gsi_wiring(void)
{
    QTestState *s = qtest_start(NULL);

    /* The 8254 drives ISA IRQ 0 too: mode 0 without a count keeps its
     * OUT low, so the line is ours. */
    qtest_outb(s, 0x43, 0x30);
    qtest_irq_intercept_in(s, "ioapic");
    /* ISA IRQ 0 is pin 2; pin 0 stays quiet. */
    set_gsi(s, 0, 1);
    g_assert_true(qtest_get_irq(s, 2));
    g_assert_false(qtest_get_irq(s, 0));
    set_gsi(s, 0, 0);
    g_assert_false(qtest_get_irq(s, 2));
    for (int n = 1; n < 24; n++) {
        if (n == 2) {
            continue;
        }
        set_gsi(s, n, 1);
        g_assert_true(qtest_get_irq(s, n));
        set_gsi(s, n, 0);
        g_assert_false(qtest_get_irq(s, n));
        g_assert_cmpint(qtest_get_irq_raise_count(s, n), ==, 1);
    }
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/id-version", test_id_version);
    g_test_add_func("/ioapic/redirection-table", test_redirection_table);
    g_test_add_func("/ioapic/edge-delivery-mask", test_edge_delivery_and_mask);
    g_test_add_func("/ioapic/logical-broadcast", test_logical_and_broadcast);
    g_test_add_func("/ioapic/level-remote-irr", test_level_remote_irr);
    g_test_add_func("/ioapic/gsi-wiring", test_gsi_wiring);
    return g_test_run();
}
