/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ACPI PM device: PM timer rate and overflow status, the SCI on
 * ISA IRQ 9 (I/O APIC pin 9), GPE0, S5 through SLP_EN (Ember exits with
 * status 0) and the reset register.
 */
#include "libqtest.h"

#define PM1_STS     0x600
#define PM1_EN      0x602
#define PM1_CNT     0x604
#define PM_TMR      0x608
#define RESET_REG   0x60c
#define GPE0_STS    0x620
#define GPE0_EN     0x622

#define TMR_STS     0x0001
#define SCI_EN      0x0001
#define SLP_EN      0x2000

static void test_pm_timer_rate(void)
{
    QTestState *s = qtest_start(NULL);
    uint32_t t0, t1;

    qtest_clock_step(s, 12345678);
    t0 = qtest_inl(s, PM_TMR);
    g_assert_cmpuint(t0, <=, 0xffffff);
    qtest_clock_step(s, 1000000000);
    t1 = qtest_inl(s, PM_TMR);
    /* 3.579545 MHz, 24 bits. */
    g_assert_cmpuint((t1 - t0) & 0xffffff, >=, 3579544);
    g_assert_cmpuint((t1 - t0) & 0xffffff, <=, 3579546);
    /* Reads do not move it; 16-bit reads see the low half. */
    g_assert_cmpuint(qtest_inl(s, PM_TMR), ==, t1);
    g_assert_cmpuint(qtest_inw(s, PM_TMR), ==, t1 & 0xffff);
    /* It is read-only. */
    qtest_outl(s, PM_TMR, 0);
    g_assert_cmpuint(qtest_inl(s, PM_TMR), ==, t1);
    qtest_quit(s);
}

static void test_pm_timer_overflow_sci(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t toggle_ns = 2343484;    /* 2^23 ticks is 2.3434844 s ... */

    toggle_ns *= 1000;              /* ... in ns, rounded down */
    qtest_irq_intercept_in(s, "ioapic");
    g_assert_cmphex(qtest_inw(s, PM1_CNT) & SCI_EN, ==, SCI_EN);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, 0);
    qtest_clock_step(s, toggle_ns - 1000);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, 0);
    qtest_clock_step(s, 2000);
    /* Bit 23 changed: status set, no SCI while TMR_EN is clear. */
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, TMR_STS);
    g_assert_false(qtest_get_irq(s, 9));
    /* Enabling it raises the SCI (level) at once. */
    qtest_outw(s, PM1_EN, TMR_STS);
    g_assert_true(qtest_get_irq(s, 9));
    /* Write 1 to clear: the SCI drops. */
    qtest_outw(s, PM1_STS, TMR_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, 0);
    g_assert_false(qtest_get_irq(s, 9));
    /* The next toggle raises it again by itself. */
    qtest_clock_step(s, toggle_ns + 1000);
    g_assert_true(qtest_get_irq(s, 9));
    g_assert_cmpint(qtest_get_irq_raise_count(s, 9), ==, 2);
    qtest_quit(s);
}

static void test_gpe(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_irq_intercept_in(s, "ioapic");
    qtest_outw(s, GPE0_EN, 0xffff);
    g_assert_cmphex(qtest_inw(s, GPE0_EN), ==, 0xffff);
    g_assert_cmphex(qtest_inw(s, GPE0_STS), ==, 0);
    g_assert_false(qtest_get_irq(s, 9));
    /* Status bits cannot be set by the guest. */
    qtest_outw(s, GPE0_STS, 0xffff);
    g_assert_cmphex(qtest_inw(s, GPE0_STS), ==, 0);
    qtest_outb(s, GPE0_EN + 1, 0x00);
    g_assert_cmphex(qtest_inw(s, GPE0_EN), ==, 0x00ff);
    qtest_quit(s);
}

static void test_s5_exits(void)
{
    QTestState *s = qtest_start(NULL);

    /* Another sleep type is not supported and does nothing. */
    qtest_outw(s, PM1_CNT, SCI_EN | (3 << 10) | SLP_EN);
    g_assert_cmphex(qtest_inw(s, PM1_CNT) & SLP_EN, ==, 0);
    /* SLP_TYP 0 (\_S5) with SLP_EN: Ember powers off, status 0. */
    qtest_outw(s, PM1_CNT, SCI_EN | SLP_EN);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0);
    qtest_quit(s);
}

static void test_reset_register(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_outw(s, PM1_EN, 0x0100);
    qtest_outb(s, 0x21, 0x5a);              /* a PIC mask, to see a reset */
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, 0x0100);
    /* Bit 2 clear: nothing. */
    qtest_outb(s, RESET_REG, 0x02);
    g_assert_cmphex(qtest_inb(s, 0x21), ==, 0x5a);
    qtest_outb(s, RESET_REG, 0x06);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, 0);
    g_assert_cmphex(qtest_inb(s, 0x21), ==, 0x00);
    qtest_quit(s);
    /* With -no-reboot the reset ends Ember instead. */
    s = qtest_start("-no-reboot");
    qtest_outb(s, RESET_REG, 0x06);
    g_assert_cmpint(qtest_wait_exit(s, 10000), ==, 0);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-pm/timer-rate", test_pm_timer_rate);
    g_test_add_func("/acpi-pm/timer-overflow-sci", test_pm_timer_overflow_sci);
    g_test_add_func("/acpi-pm/gpe", test_gpe);
    g_test_add_func("/acpi-pm/s5-exits", test_s5_exits);
    g_test_add_func("/acpi-pm/reset-register", test_reset_register);
    return g_test_run();
}
