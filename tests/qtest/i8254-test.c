/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i8254 PIT (ports 0x40-0x43) and port 0x61: counting, latches,
 * read-back, BCD, the modes' OUT levels, counter 2's gate, and IRQ 0
 * periods measured on the I/O APIC's GSI 2 by stepping the clock.
 */
#include "libqtest.h"

#define PIT_FREQ 1193182
#define PIT_CH(n) (0x40 + (n))
#define PIT_CTRL 0x43
#define PORT_B 0x61

/* The first ns at which `ticks` clock pulses have passed. */
static int64_t ticks_ns(uint64_t ticks)
{
    return (int64_t)((ticks * 1000000000ULL + PIT_FREQ - 1) / PIT_FREQ);
}

static void pit_program(QTestState *s, int ch, int mode, uint16_t count)
{
    /* Counter ch, LSB then MSB, binary. */
    qtest_outb(s, PIT_CTRL, ch << 6 | 0x30 | mode << 1);
    qtest_outb(s, PIT_CH(ch), count & 0xff);
    qtest_outb(s, PIT_CH(ch), count >> 8);
}

static uint16_t pit_latch_read(QTestState *s, int ch)
{
    uint16_t v;

    qtest_outb(s, PIT_CTRL, ch << 6);       /* counter latch command */
    v = qtest_inb(s, PIT_CH(ch));
    return v | qtest_inb(s, PIT_CH(ch)) << 8;
}

static uint8_t pit_status(QTestState *s, int ch)
{
    /* Read-back: latch status only (bit 5 set = no count). */
    qtest_outb(s, PIT_CTRL, 0xe0 | 2 << ch);
    return qtest_inb(s, PIT_CH(ch));
}

static void test_count_down(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;

    pit_program(s, 0, 2, 1000);
    g_assert_cmpuint(pit_latch_read(s, 0), ==, 1000);
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + ticks_ns(100));
    g_assert_cmpuint(pit_latch_read(s, 0), ==, 900);
    /* Mode 2 reloads: after 1000 + 250 pulses the count is 750. */
    qtest_clock_set(s, t0 + ticks_ns(1250));
    g_assert_cmpuint(pit_latch_read(s, 0), ==, 750);
    qtest_quit(s);
}

static void test_latch_holds(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;
    uint8_t lo;

    pit_program(s, 1, 0, 5000);
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + ticks_ns(10));
    qtest_outb(s, PIT_CTRL, 0x40);          /* latch counter 1 */
    qtest_clock_set(s, t0 + ticks_ns(2000));
    /* A second latch before reading is ignored. */
    qtest_outb(s, PIT_CTRL, 0x40);
    lo = qtest_inb(s, PIT_CH(1));
    g_assert_cmpuint(lo | qtest_inb(s, PIT_CH(1)) << 8, ==, 4990);
    /* Released: a live read sees the current count. */
    g_assert_cmpuint(pit_latch_read(s, 1), ==, 3000);
    qtest_quit(s);
}

static void test_mode3_counts_by_two(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;

    pit_program(s, 1, 3, 1000);
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + ticks_ns(100));
    g_assert_cmpuint(pit_latch_read(s, 1), ==, 800);
    /* OUT is high for the first half of the cycle, low for the second. */
    g_assert_cmphex(pit_status(s, 1) & 0x80, ==, 0x80);
    qtest_clock_set(s, t0 + ticks_ns(600));
    g_assert_cmphex(pit_status(s, 1) & 0x80, ==, 0);
    qtest_clock_set(s, t0 + ticks_ns(1000));
    g_assert_cmphex(pit_status(s, 1) & 0x80, ==, 0x80);
    qtest_quit(s);
}

static void test_readback_status(void)
{
    QTestState *s = qtest_start(NULL);
    uint8_t st;

    /* Control word only: null count set, mode/rw/BCD as written. */
    qtest_outb(s, PIT_CTRL, 0x40 | 0x30 | 4 << 1 | 1);
    st = pit_status(s, 1);
    g_assert_cmphex(st & 0x3f, ==, 0x30 | 4 << 1 | 1);
    g_assert_cmphex(st & 0x40, ==, 0x40);
    /* Mode 0 starts with OUT low. */
    qtest_outb(s, PIT_CTRL, 0x40 | 0x30);
    g_assert_cmphex(pit_status(s, 1) & 0x80, ==, 0);
    qtest_outb(s, PIT_CH(1), 0x10);
    qtest_outb(s, PIT_CH(1), 0x00);
    qtest_clock_step(s, ticks_ns(2));
    st = pit_status(s, 1);
    g_assert_cmphex(st & 0x40, ==, 0);      /* count loaded */
    g_assert_cmphex(st & 0x80, ==, 0);
    qtest_clock_step(s, ticks_ns(16));
    g_assert_cmphex(pit_status(s, 1) & 0x80, ==, 0x80);
    /* Status and count latched together: status comes first. */
    qtest_outb(s, PIT_CTRL, 0xc0 | 2 << 1);
    st = qtest_inb(s, PIT_CH(1));
    g_assert_cmphex(st & 0x3f, ==, 0x30);
    qtest_inb(s, PIT_CH(1));
    qtest_inb(s, PIT_CH(1));
    qtest_quit(s);
}

static void test_bcd(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;

    qtest_outb(s, PIT_CTRL, 0x80 | 0x30 | 2 << 1 | 1);     /* ch 2 BCD */
    qtest_outb(s, PORT_B, 0x01);                           /* gate on */
    qtest_outb(s, PIT_CH(2), 0x00);
    qtest_outb(s, PIT_CH(2), 0x10);                        /* 1000 */
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + ticks_ns(1));
    g_assert_cmphex(pit_latch_read(s, 2), ==, 0x0999);
    qtest_clock_set(s, t0 + ticks_ns(123));
    g_assert_cmphex(pit_latch_read(s, 2), ==, 0x0877);
    qtest_quit(s);
}

static void test_rw_modes(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;

    /* LSB only: the count is 0x0080. */
    qtest_outb(s, PIT_CTRL, 0x40 | 0x10 | 2 << 1);
    qtest_outb(s, PIT_CH(1), 0x80);
    g_assert_cmphex(qtest_inb(s, PIT_CH(1)), ==, 0x80);
    g_assert_cmphex(qtest_inb(s, PIT_CH(1)), ==, 0x80);
    /* MSB only: the count is 0x0300; reads give the high byte. */
    qtest_outb(s, PIT_CTRL, 0x40 | 0x20 | 2 << 1);
    qtest_outb(s, PIT_CH(1), 0x03);
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + ticks_ns(0x101));
    g_assert_cmphex(qtest_inb(s, PIT_CH(1)), ==, 0x01);
    qtest_quit(s);
}

static void test_port61_gate_and_out(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;

    /* Counter 2 in mode 0 with the gate off does not count. */
    qtest_outb(s, PORT_B, 0x00);
    pit_program(s, 2, 0, 100);
    qtest_clock_step(s, ticks_ns(500));
    g_assert_cmpuint(pit_latch_read(s, 2), ==, 100);
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0x20, ==, 0);
    /* Gate on (and the speaker bit): it counts, OUT rises at zero. */
    qtest_outb(s, PORT_B, 0x03);
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0x03, ==, 0x03);
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + ticks_ns(99));
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0x20, ==, 0);
    qtest_clock_set(s, t0 + ticks_ns(100));
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0x20, ==, 0x20);
    /* Gate off freezes the count in mode 0. */
    qtest_outb(s, PORT_B, 0x00);
    g_assert_cmpuint(pit_latch_read(s, 2), ==, 0);
    qtest_clock_step(s, ticks_ns(1000));
    g_assert_cmpuint(pit_latch_read(s, 2), ==, 0);
    qtest_quit(s);
}

static void test_port61_refresh_toggles(void)
{
    QTestState *s = qtest_start(NULL);
    uint8_t a, b;

    a = qtest_inb(s, PORT_B) & 0x10;
    qtest_clock_step(s, 15085);
    b = qtest_inb(s, PORT_B) & 0x10;
    g_assert_cmphex(a ^ b, ==, 0x10);
    qtest_quit(s);
}

/* ---- IRQ 0 (GSI 2 of the I/O APIC, per the MADT override) ---------------- */

#define PIT_GSI 2

static void test_irq_mode2_period(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;
    int base;

    qtest_irq_intercept_in(s, "ioapic");
    pit_program(s, 0, 2, 1193);             /* ~1 kHz */
    t0 = qtest_clock_step(s, 0);
    base = qtest_get_irq_raise_count(s, PIT_GSI);
    /* One edge per 1193 pulses: none before, one at the end. */
    qtest_clock_set(s, t0 + ticks_ns(1192));
    g_assert_cmpint(qtest_get_irq_raise_count(s, PIT_GSI), ==, base);
    qtest_clock_set(s, t0 + ticks_ns(1193));
    g_assert_cmpint(qtest_get_irq_raise_count(s, PIT_GSI), ==, base + 1);
    /* 100 ms: 119318 pulses, 100 periods. */
    qtest_clock_set(s, t0 + 100000000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, PIT_GSI), ==, base + 100);
    qtest_quit(s);
}

static void test_irq_mode3_no_drift(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0, t;
    int base, count;

    qtest_irq_intercept_in(s, "ioapic");
    pit_program(s, 0, 3, 11932);            /* ~100 Hz square wave */
    t0 = qtest_clock_step(s, 0);
    base = qtest_get_irq_raise_count(s, PIT_GSI);
    /* Uneven steps add up to exactly 10 s of guest time. */
    for (t = t0; t < t0 + 10000000000LL;) {
        t = MIN(t + 7777777, t0 + 10000000000LL);
        qtest_clock_set(s, t);
    }
    count = qtest_get_irq_raise_count(s, PIT_GSI) - base;
    /* 10 s = 11931820 pulses = 999.98 periods: 999 full edges. */
    g_assert_cmpint(count, ==, (int)(11931820ULL / 11932));
    qtest_quit(s);
}

static void test_irq_mode0_oneshot(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;
    int base;

    qtest_irq_intercept_in(s, "ioapic");
    pit_program(s, 0, 0, 5000);
    g_assert_false(qtest_get_irq(s, PIT_GSI));
    t0 = qtest_clock_step(s, 0);
    base = qtest_get_irq_raise_count(s, PIT_GSI);
    qtest_clock_set(s, t0 + ticks_ns(4999));
    g_assert_false(qtest_get_irq(s, PIT_GSI));
    qtest_clock_set(s, t0 + ticks_ns(5000));
    g_assert_true(qtest_get_irq(s, PIT_GSI));
    /* One shot: nothing more, the line stays high. */
    qtest_clock_step(s, 100000000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, PIT_GSI), ==, base + 1);
    g_assert_true(qtest_get_irq(s, PIT_GSI));
    qtest_quit(s);
}

static void test_irq_tiny_count_is_clamped(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;
    int n;

    qtest_irq_intercept_in(s, "ioapic");
    /* Count 2: a 600 kHz rate the emulator must not try to deliver. */
    pit_program(s, 0, 2, 2);
    t0 = qtest_clock_step(s, 0);
    qtest_clock_set(s, t0 + 10000000);
    n = qtest_get_irq_raise_count(s, PIT_GSI);
    /* Still interrupting, but at most one edge per 10 us. */
    g_assert_cmpint(n, >, 100);
    g_assert_cmpint(n, <=, 1001);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8254/count-down", test_count_down);
    g_test_add_func("/i8254/latch-holds", test_latch_holds);
    g_test_add_func("/i8254/mode3-counts-by-two", test_mode3_counts_by_two);
    g_test_add_func("/i8254/readback-status", test_readback_status);
    g_test_add_func("/i8254/bcd", test_bcd);
    g_test_add_func("/i8254/rw-modes", test_rw_modes);
    g_test_add_func("/i8254/port61-gate-and-out", test_port61_gate_and_out);
    g_test_add_func("/i8254/port61-refresh", test_port61_refresh_toggles);
    g_test_add_func("/i8254/irq/mode2-period", test_irq_mode2_period);
    g_test_add_func("/i8254/irq/mode3-no-drift",
                    test_irq_mode3_no_drift);
    g_test_add_func("/i8254/irq/mode0-oneshot", test_irq_mode0_oneshot);
    g_test_add_func("/i8254/irq/tiny-count",
                    test_irq_tiny_count_is_clamped);
    return g_test_run();
}
