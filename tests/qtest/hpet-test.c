/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HPET: capabilities, the main counter's rate on the virtual clock,
 * one-shot and periodic timers, 32-bit mode, level/edge interrupts to
 * the I/O APIC pins and the legacy replacement route (timer 0 on ISA
 * IRQ 0 = pin 2, timer 1 on IRQ 8), which silences the 8254's IRQ 0.
 */
#include "libqtest.h"

#define HPET        0xfed00000ULL
#define CAP         0x000
#define CONF        0x010
#define ISR         0x020
#define COUNTER     0x0f0
#define TN_CONF(n)  (0x100 + 0x20 * (n))
#define TN_CMP(n)   (0x108 + 0x20 * (n))

#define CONF_ENABLE 1
#define CONF_LEGACY 2
#define TN_LEVEL    (1 << 1)
#define TN_ENABLE   (1 << 2)
#define TN_PERIODIC (1 << 3)
#define TN_SETVAL   (1 << 6)
#define TN_32BIT    (1 << 8)
#define TN_ROUTE(p) ((p) << 9)

static void set_gsi(QTestState *s, int gsi, int level)
{
    g_free(qtest_command(s, "set_irq_in pc-gsi %d %d", gsi, level));
}

static void test_capabilities(void)
{
    QTestState *s = qtest_start(NULL);
    uint64_t cap = qtest_readq(s, HPET + CAP);

    g_assert_cmphex(cap >> 32, ==, 10000000);           /* 10 ns in fs */
    g_assert_cmphex((cap >> 16) & 0xffff, ==, 0x8086);
    g_assert_cmphex(cap & 0xff, ==, 0x01);              /* revision */
    g_assert_cmphex((cap >> 8) & 0x1f, ==, 2);          /* 3 timers */
    g_assert_true(cap & (1 << 13));                     /* 64-bit */
    g_assert_true(cap & (1 << 15));                     /* legacy route */
    /* 32-bit reads of the halves agree. */
    g_assert_cmphex(qtest_readl(s, HPET + CAP + 4), ==, 10000000);
    for (int n = 0; n < 3; n++) {
        uint64_t c = qtest_readq(s, HPET + TN_CONF(n));
        g_assert_cmphex(c >> 32, ==, 0x00ff0000);       /* pins 16..23 */
        g_assert_true(c & (1 << 4));                    /* periodic cap */
        g_assert_true(c & (1 << 5));                    /* 64-bit cap */
        g_assert_cmphex(qtest_readq(s, HPET + TN_CMP(n)), ==, ~0ULL);
    }
    /* Capabilities are read-only. */
    qtest_writeq(s, HPET + CAP, 0);
    g_assert_cmphex(qtest_readq(s, HPET + CAP), ==, cap);
    qtest_quit(s);
}

static void test_counter_rate(void)
{
    QTestState *s = qtest_start(NULL);

    /* Halted: the counter stands still and can be written. */
    qtest_clock_step(s, 5000000);
    g_assert_cmphex(qtest_readq(s, HPET + COUNTER), ==, 0);
    qtest_writeq(s, HPET + COUNTER, 1000);
    qtest_writel(s, HPET + CONF, CONF_ENABLE);
    qtest_clock_step(s, 1000000);                      /* 1 ms */
    g_assert_cmpuint(qtest_readq(s, HPET + COUNTER), ==, 1000 + 100000);
    qtest_clock_step(s, 2 * 1000000000LL);             /* 2 s */
    g_assert_cmpuint(qtest_readq(s, HPET + COUNTER), ==,
                     1000 + 100000 + 200000000);
    /* Halting keeps the value. */
    qtest_writel(s, HPET + CONF, 0);
    qtest_clock_step(s, 1000000);
    g_assert_cmpuint(qtest_readq(s, HPET + COUNTER), ==,
                     1000 + 100000 + 200000000);
    /* Low and high halves. */
    g_assert_cmpuint(qtest_readl(s, HPET + COUNTER), ==, 200101000);
    g_assert_cmpuint(qtest_readl(s, HPET + COUNTER + 4), ==, 0);
    qtest_quit(s);
}

static void test_oneshot_level_route(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_irq_intercept_in(s, "ioapic");
    /* Timer 2, level, to pin 20, fires at counter 50000 (500 us). */
    qtest_writeq(s, HPET + TN_CONF(2), TN_LEVEL | TN_ENABLE | TN_ROUTE(20));
    qtest_writeq(s, HPET + TN_CMP(2), 50000);
    qtest_writel(s, HPET + CONF, CONF_ENABLE);
    qtest_clock_step(s, 499990);
    g_assert_false(qtest_get_irq(s, 20));
    g_assert_cmphex(qtest_readl(s, HPET + ISR), ==, 0);
    qtest_clock_step(s, 10);
    g_assert_true(qtest_get_irq(s, 20));
    g_assert_cmphex(qtest_readl(s, HPET + ISR), ==, 0x4);
    /* Level: stays until the status is cleared. */
    qtest_clock_step(s, 1000000);
    g_assert_true(qtest_get_irq(s, 20));
    qtest_writel(s, HPET + ISR, 0x4);
    g_assert_false(qtest_get_irq(s, 20));
    /* One-shot, 64-bit: no second interrupt. */
    qtest_clock_step(s, 100000000);
    g_assert_false(qtest_get_irq(s, 20));
    g_assert_cmpint(qtest_get_irq_raise_count(s, 20), ==, 1);
    /* A route outside Tn_INT_ROUTE_CAP raises nothing. */
    qtest_writeq(s, HPET + TN_CONF(1), TN_ENABLE | TN_ROUTE(3));
    qtest_writeq(s, HPET + TN_CMP(1), qtest_readq(s, HPET + COUNTER) + 10);
    qtest_clock_step(s, 1000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 3), ==, 0);
    /*
     * A 64-bit comparator behind the counter matches only after the
     * counter wraps (once hung the main loop re-firing in the past).
     */
    qtest_writeq(s, HPET + TN_CONF(2), TN_ENABLE | TN_ROUTE(20));
    qtest_writeq(s, HPET + TN_CMP(2), qtest_readq(s, HPET + COUNTER) - 100);
    qtest_clock_step(s, 10 * 1000000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 20), ==, 1);
    qtest_quit(s);
}

static void test_periodic_edge(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_irq_intercept_in(s, "ioapic");
    /* Timer 1, periodic every 1 ms, edge, pin 22, first at 1 ms. */
    qtest_writeq(s, HPET + TN_CONF(1), TN_ENABLE | TN_PERIODIC | TN_SETVAL |
                 TN_ROUTE(22));
    qtest_writeq(s, HPET + TN_CMP(1), 100000);
    qtest_writeq(s, HPET + TN_CMP(1), 100000);
    qtest_writel(s, HPET + CONF, CONF_ENABLE);
    qtest_clock_step(s, 10 * 1000000 + 500000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 22), ==, 10);
    g_assert_false(qtest_get_irq(s, 22));
    /* The comparator shows the next match. */
    g_assert_cmpuint(qtest_readq(s, HPET + TN_CMP(1)), ==, 1100000);
    /* Edge interrupts leave no status. */
    g_assert_cmphex(qtest_readl(s, HPET + ISR), ==, 0);
    /* Disabling the interrupt keeps the timer, not the interrupts. */
    qtest_writeq(s, HPET + TN_CONF(1), TN_PERIODIC | TN_ROUTE(22));
    qtest_clock_step(s, 5 * 1000000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 22), ==, 10);
    qtest_quit(s);
}

static void test_32bit_mode(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_irq_intercept_in(s, "ioapic");
    /* Counter just below the 32-bit wrap; a 32-bit comparator past it. */
    qtest_writeq(s, HPET + COUNTER, 0xfffff000ULL);
    qtest_writel(s, HPET + TN_CONF(0), TN_ENABLE | TN_32BIT | TN_ROUTE(16));
    qtest_writel(s, HPET + TN_CMP(0), 0x1000);
    /* The upper half of a 32-bit comparator reads 0. */
    g_assert_cmphex(qtest_readl(s, HPET + TN_CMP(0) + 4), ==, 0);
    qtest_writel(s, HPET + CONF, CONF_ENABLE);
    /* 0x2000 ticks = 81.92 us to the match at 0x1_0000_1000. */
    qtest_clock_step(s, 0x1fff * 10);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 16), ==, 0);
    qtest_clock_step(s, 10);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 16), ==, 1);
    qtest_quit(s);
}

static void test_legacy_route(void)
{
    QTestState *s = qtest_start(NULL);

    /* The 8254 drives ISA IRQ 0 too: mode 0 without a count keeps its
     * OUT low, so the line is ours. */
    qtest_outb(s, 0x43, 0x30);
    qtest_irq_intercept_in(s, "ioapic");
    /* Before legacy mode, ISA IRQ 0 reaches pin 2. */
    set_gsi(s, 0, 1);
    g_assert_true(qtest_get_irq(s, 2));
    qtest_writeq(s, HPET + TN_CONF(0), TN_ENABLE | TN_PERIODIC | TN_SETVAL);
    qtest_writeq(s, HPET + TN_CMP(0), 100000);
    qtest_writeq(s, HPET + TN_CMP(0), 100000);
    qtest_writeq(s, HPET + TN_CONF(1), TN_ENABLE);
    qtest_writeq(s, HPET + TN_CMP(1), 250000);
    qtest_writel(s, HPET + CONF, CONF_ENABLE | CONF_LEGACY);
    /* The 8254's IRQ 0 is disconnected. */
    g_assert_false(qtest_get_irq(s, 2));
    set_gsi(s, 0, 0);
    qtest_clock_step(s, 3 * 1000000 + 1);
    /* Timer 0 on pin 2, three times; timer 1 on pin 8 once. */
    g_assert_cmpint(qtest_get_irq_raise_count(s, 2), ==, 1 + 3);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 8), ==, 1);
    /* The RTC's IRQ 8 is silenced too. */
    set_gsi(s, 8, 1);
    g_assert_false(qtest_get_irq(s, 8));
    set_gsi(s, 8, 0);
    /* Leaving legacy mode reconnects the 8254. */
    qtest_writel(s, HPET + CONF, CONF_ENABLE);
    set_gsi(s, 0, 1);
    g_assert_true(qtest_get_irq(s, 2));
    qtest_quit(s);
}

/*
 * The sequences Linux's HPET clockevent driver (legacy replacement,
 * 32-bit comparators) uses: periodic with Tn_VAL_SET_CNF and the second
 * comparator write for the period, then one-shot programming relative
 * to the counter.
 */
static void test_linux_clockevent(void)
{
    QTestState *s = qtest_start(NULL);
    const uint32_t delta = 100000;          /* 1 ms at 100 MHz */
    uint32_t cnt, cfg;

    qtest_outb(s, 0x43, 0x30);
    qtest_irq_intercept_in(s, "ioapic");
    /* hpet_restart_counter(): stop, zero both halves, start. */
    qtest_writel(s, HPET + CONF, 0);
    qtest_writel(s, HPET + COUNTER, 0);
    qtest_writel(s, HPET + COUNTER + 4, 0);
    qtest_writel(s, HPET + CONF, CONF_ENABLE | CONF_LEGACY);
    qtest_clock_step(s, 123450);
    /* Periodic. */
    cnt = qtest_readl(s, HPET + COUNTER) + delta;
    cfg = qtest_readl(s, HPET + TN_CONF(0));
    cfg |= TN_ENABLE | TN_PERIODIC | TN_SETVAL | TN_32BIT;
    qtest_writel(s, HPET + TN_CONF(0), cfg);
    qtest_writel(s, HPET + TN_CMP(0), cnt);
    qtest_clock_step(s, 1000);
    qtest_writel(s, HPET + TN_CMP(0), delta);
    qtest_clock_step(s, 20 * 1000000 - 1000 + 500000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 2), ==, 20);
    /* One-shot: periodic off, then next events relative to now. */
    cfg = qtest_readl(s, HPET + TN_CONF(0));
    cfg &= ~TN_PERIODIC;
    cfg |= TN_ENABLE | TN_32BIT;
    qtest_writel(s, HPET + TN_CONF(0), cfg);
    for (int i = 0; i < 3; i++) {
        cnt = qtest_readl(s, HPET + COUNTER) + 5000;    /* 50 us */
        qtest_writel(s, HPET + TN_CMP(0), cnt);
        g_assert_cmpint((int32_t)(cnt - qtest_readl(s, HPET + COUNTER)), >,
                        0);
        qtest_clock_step(s, 49990);
        g_assert_cmpint(qtest_get_irq_raise_count(s, 2), ==, 20 + i);
        qtest_clock_step(s, 10);
        g_assert_cmpint(qtest_get_irq_raise_count(s, 2), ==, 21 + i);
    }
    /* Nothing more until it is programmed again. */
    qtest_clock_step(s, 10 * 1000000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, 2), ==, 23);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hpet/capabilities", test_capabilities);
    g_test_add_func("/hpet/counter-rate", test_counter_rate);
    g_test_add_func("/hpet/oneshot-level-route", test_oneshot_level_route);
    g_test_add_func("/hpet/periodic-edge", test_periodic_edge);
    g_test_add_func("/hpet/32bit-mode", test_32bit_mode);
    g_test_add_func("/hpet/legacy-route", test_legacy_route);
    g_test_add_func("/hpet/linux-clockevent", test_linux_clockevent);
    return g_test_run();
}
