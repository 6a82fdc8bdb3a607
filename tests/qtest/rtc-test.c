/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MC146818 RTC/CMOS (ports 0x70/0x71): time of day from the host,
 * setting and reading the time in BCD and binary and 12-hour mode, the
 * calendar carries, UIP, register C, the update/alarm/periodic flags,
 * the CMOS memory-size bytes, and the periodic and alarm interrupts on
 * IRQ 8 (GSI 8 of the I/O APIC).
 */
#include "libqtest.h"
#include <time.h>

#define NS_PER_S 1000000000LL
#define RTC_GSI 8

static uint8_t cmos_read(QTestState *s, uint8_t reg)
{
    qtest_outb(s, 0x70, reg);
    return qtest_inb(s, 0x71);
}

static void cmos_write(QTestState *s, uint8_t reg, uint8_t val)
{
    qtest_outb(s, 0x70, reg);
    qtest_outb(s, 0x71, val);
}

static int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0xf);
}

/* Set the clock (BCD, 24 h) with SET held, as drivers do. */
static void rtc_set_bcd(QTestState *s, int year, int mon, int mday, int hour,
                        int min, int sec)
{
    uint8_t b = cmos_read(s, 0x0b);

    cmos_write(s, 0x0b, b | 0x80);
    cmos_write(s, 0x00, (sec / 10) << 4 | sec % 10);
    cmos_write(s, 0x02, (min / 10) << 4 | min % 10);
    cmos_write(s, 0x04, (hour / 10) << 4 | hour % 10);
    cmos_write(s, 0x07, (mday / 10) << 4 | mday % 10);
    cmos_write(s, 0x08, (mon / 10) << 4 | mon % 10);
    cmos_write(s, 0x09, (year % 100 / 10) << 4 | year % 10);
    cmos_write(s, 0x32, (year / 1000) << 4 | (year / 100) % 10);
    cmos_write(s, 0x0b, b & ~0x80);
}

static void test_defaults(void)
{
    QTestState *s = qtest_start(NULL);

    g_assert_cmphex(cmos_read(s, 0x0a) & 0x7f, ==, 0x26);
    g_assert_cmphex(cmos_read(s, 0x0b), ==, 0x02);
    g_assert_cmphex(cmos_read(s, 0x0d), ==, 0x80);
    /* The index port is write-only. */
    g_assert_cmphex(qtest_inb(s, 0x70), ==, 0xff);
    qtest_quit(s);
}

/* -rtc base=DATE (QEMU's spelling) starts the clock there. */
static void test_cmdline_base(void)
{
    QTestState *s = qtest_start("-rtc base=2031-07-02T03:04:05,clock=vm");

    g_assert_cmphex(cmos_read(s, 0x32), ==, 0x20);
    g_assert_cmphex(cmos_read(s, 0x09), ==, 0x31);
    g_assert_cmphex(cmos_read(s, 0x08), ==, 0x07);
    g_assert_cmphex(cmos_read(s, 0x07), ==, 0x02);
    g_assert_cmphex(cmos_read(s, 0x04), ==, 0x03);
    g_assert_cmphex(cmos_read(s, 0x02), ==, 0x04);
    qtest_quit(s);
}

static void test_host_time(void)
{
    QTestState *s = qtest_start(NULL);
    struct tm tm = { 0 };
    time_t rtc, now;

    /* base=utc: the host's time now (read with UIP clear). */
    g_assert_cmphex(cmos_read(s, 0x0a) & 0x80, ==, 0);
    tm.tm_sec = bcd(cmos_read(s, 0x00));
    tm.tm_min = bcd(cmos_read(s, 0x02));
    tm.tm_hour = bcd(cmos_read(s, 0x04));
    tm.tm_mday = bcd(cmos_read(s, 0x07));
    tm.tm_mon = bcd(cmos_read(s, 0x08)) - 1;
    tm.tm_year = bcd(cmos_read(s, 0x32)) * 100 + bcd(cmos_read(s, 0x09)) -
                 1900;
    rtc = timegm(&tm);
    now = time(NULL);
    /* The guest clock stood still since start-up; a minute is plenty. */
    g_assert_cmpint(now - rtc, >=, 0);
    g_assert_cmpint(now - rtc, <, 60);
    qtest_quit(s);
}

static void test_set_and_carry(void)
{
    QTestState *s = qtest_start(NULL);

    /* New Year's Eve, two seconds before midnight. */
    rtc_set_bcd(s, 2023, 12, 31, 23, 59, 58);
    cmos_write(s, 0x06, 1);                  /* Sunday */
    g_assert_cmphex(cmos_read(s, 0x00), ==, 0x58);
    qtest_clock_step(s, 2 * NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x00), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x02), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x04), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x06), ==, 0x02);
    g_assert_cmphex(cmos_read(s, 0x07), ==, 0x01);
    g_assert_cmphex(cmos_read(s, 0x08), ==, 0x01);
    g_assert_cmphex(cmos_read(s, 0x09), ==, 0x24);
    g_assert_cmphex(cmos_read(s, 0x32), ==, 0x20);
    /* February 2024 has 29 days; 2100 is not a leap year. */
    rtc_set_bcd(s, 2024, 2, 28, 23, 59, 59);
    qtest_clock_step(s, NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x07), ==, 0x29);
    rtc_set_bcd(s, 2100, 2, 28, 23, 59, 59);
    qtest_clock_step(s, NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x07), ==, 0x01);
    g_assert_cmphex(cmos_read(s, 0x08), ==, 0x03);
    /* Century rollover. */
    rtc_set_bcd(s, 2099, 12, 31, 23, 59, 59);
    qtest_clock_step(s, NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x09), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x32), ==, 0x21);
    qtest_quit(s);
}

static void test_set_stops_updates(void)
{
    QTestState *s = qtest_start(NULL);

    rtc_set_bcd(s, 2020, 6, 15, 12, 0, 0);
    cmos_write(s, 0x0b, 0x82);              /* SET */
    qtest_clock_step(s, 5 * NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x00), ==, 0x00);
    cmos_write(s, 0x0b, 0x02);
    qtest_clock_step(s, 3 * NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x00), ==, 0x03);
    qtest_quit(s);
}

static void test_binary_and_12h(void)
{
    QTestState *s = qtest_start(NULL);

    rtc_set_bcd(s, 2021, 7, 4, 13, 45, 30);
    /* Binary mode shows the same time in binary. */
    cmos_write(s, 0x0b, 0x06);
    g_assert_cmpuint(cmos_read(s, 0x00), ==, 30);
    g_assert_cmpuint(cmos_read(s, 0x02), ==, 45);
    g_assert_cmpuint(cmos_read(s, 0x04), ==, 13);
    g_assert_cmpuint(cmos_read(s, 0x09), ==, 21);
    g_assert_cmpuint(cmos_read(s, 0x32), ==, 20);
    /* 12-hour binary: 1 PM is 0x81. */
    cmos_write(s, 0x0b, 0x04);
    g_assert_cmphex(cmos_read(s, 0x04), ==, 0x81);
    /* 12-hour BCD: writing 12 AM means hour 0. */
    cmos_write(s, 0x0b, 0x80);
    cmos_write(s, 0x04, 0x12);
    cmos_write(s, 0x0b, 0x00);
    g_assert_cmphex(cmos_read(s, 0x04), ==, 0x12);
    cmos_write(s, 0x0b, 0x02);
    g_assert_cmphex(cmos_read(s, 0x04), ==, 0x00);
    /* Binary writes are taken as binary. */
    cmos_write(s, 0x0b, 0x86);
    cmos_write(s, 0x02, 59);
    cmos_write(s, 0x0b, 0x02);
    g_assert_cmphex(cmos_read(s, 0x02), ==, 0x59);
    qtest_quit(s);
}

static void test_uip(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t = 0;
    bool found = false;

    /* Find an update to within 100 us: the step that sets UF. */
    cmos_read(s, 0x0c);
    for (int i = 0; i < 20000 && !found; i++) {
        t = qtest_clock_step(s, 100000);
        found = cmos_read(s, 0x0c) & 0x10;
    }
    g_assert_true(found);
    /* The update was in (t - 100 us, t]; the next is 1 s later. */
    g_assert_cmphex(cmos_read(s, 0x0a) & 0x80, ==, 0);
    /* UIP rises 244 + 1984 us before the update, not earlier. */
    qtest_clock_set(s, t + NS_PER_S - 100000 - 2300000);
    g_assert_cmphex(cmos_read(s, 0x0a) & 0x80, ==, 0);
    qtest_clock_set(s, t + NS_PER_S - 2200000);
    g_assert_cmphex(cmos_read(s, 0x0a) & 0x80, ==, 0x80);
    qtest_clock_set(s, t + NS_PER_S + 1000);
    g_assert_cmphex(cmos_read(s, 0x0a) & 0x80, ==, 0);
    qtest_quit(s);
}

static void test_reg_c_flags(void)
{
    QTestState *s = qtest_start(NULL);
    uint8_t c;

    cmos_read(s, 0x0c);
    /* Update-ended is flagged after a second even without UIE. */
    qtest_clock_step(s, NS_PER_S + 1000000);
    c = cmos_read(s, 0x0c);
    g_assert_cmphex(c & 0x10, ==, 0x10);
    g_assert_cmphex(c & 0x80, ==, 0);        /* no IRQF without UIE */
    /* Reading C cleared it. */
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x70, ==, 0);
    /* The periodic flag follows the rate (1024 Hz by default). */
    qtest_clock_step(s, 1000000);
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x40, ==, 0x40);
    /* Rate 0 stops it. */
    cmos_write(s, 0x0a, 0x20);
    cmos_read(s, 0x0c);
    qtest_clock_step(s, 100000000);
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x40, ==, 0);
    /* Divider reset (DV=110) stops updates too. */
    cmos_write(s, 0x0a, 0x66);
    cmos_read(s, 0x0c);
    qtest_clock_step(s, 3 * NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x50, ==, 0);
    qtest_quit(s);
}

static void test_alarm_flag(void)
{
    QTestState *s = qtest_start(NULL);

    rtc_set_bcd(s, 2022, 3, 1, 10, 0, 0);
    cmos_write(s, 0x01, 0x05);               /* alarm at 10:00:05 */
    cmos_write(s, 0x03, 0x00);
    cmos_write(s, 0x05, 0x10);
    cmos_read(s, 0x0c);
    qtest_clock_step(s, 4 * NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x20, ==, 0);
    qtest_clock_step(s, NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x20, ==, 0x20);
    /* Don't-care (0xC0-0xFF) hours and minutes: every minute at :30. */
    cmos_write(s, 0x01, 0x30);
    cmos_write(s, 0x03, 0xff);
    cmos_write(s, 0x05, 0xc0);
    qtest_clock_step(s, 25 * NS_PER_S);      /* 10:00:30 */
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x20, ==, 0x20);
    qtest_clock_step(s, 59 * NS_PER_S);
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x20, ==, 0);
    qtest_clock_step(s, NS_PER_S);           /* 10:01:30 */
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x20, ==, 0x20);
    qtest_quit(s);
}

static void test_cmos_ram_and_nmi_bit(void)
{
    QTestState *s = qtest_start(NULL);

    cmos_write(s, 0x40, 0xa5);
    cmos_write(s, 0x7f, 0x5a);
    /* Bit 7 of the index is the NMI mask, not part of the index. */
    qtest_outb(s, 0x70, 0x80 | 0x40);
    g_assert_cmphex(qtest_inb(s, 0x71), ==, 0xa5);
    g_assert_cmphex(cmos_read(s, 0x7f), ==, 0x5a);
    /* Registers C and D are read-only. */
    cmos_write(s, 0x0d, 0x00);
    g_assert_cmphex(cmos_read(s, 0x0d), ==, 0x80);
    qtest_quit(s);
}

static void test_memory_bytes_small(void)
{
    QTestState *s = qtest_start("-m 64M");
    unsigned sum = 0;

    g_assert_cmpuint(cmos_read(s, 0x15) | cmos_read(s, 0x16) << 8, ==, 640);
    /* 63 MiB above 1 MiB, in KiB. */
    g_assert_cmpuint(cmos_read(s, 0x17) | cmos_read(s, 0x18) << 8, ==,
                     63 * 1024);
    g_assert_cmpuint(cmos_read(s, 0x30) | cmos_read(s, 0x31) << 8, ==,
                     63 * 1024);
    /* 48 MiB above 16 MiB, in 64 KiB units. */
    g_assert_cmpuint(cmos_read(s, 0x34) | cmos_read(s, 0x35) << 8, ==,
                     48 * 16);
    g_assert_cmpuint(cmos_read(s, 0x5b) | cmos_read(s, 0x5c) << 8 |
                     cmos_read(s, 0x5d) << 16, ==, 0);
    for (int i = 0x10; i <= 0x2d; i++) {
        sum += cmos_read(s, i);
    }
    g_assert_cmpuint(cmos_read(s, 0x2e) << 8 | cmos_read(s, 0x2f), ==, sum);
    qtest_quit(s);
}

static void test_memory_bytes_large(void)
{
    QTestState *s = qtest_start("-m 5G -smp 2");

    /* Extended memory saturates at 0xffff KiB. */
    g_assert_cmpuint(cmos_read(s, 0x17) | cmos_read(s, 0x18) << 8, ==,
                     0xffff);
    /* 3.5 GiB below 4 GiB: (3.5G - 16M) / 64K. */
    g_assert_cmpuint(cmos_read(s, 0x34) | cmos_read(s, 0x35) << 8, ==,
                     0xdf00);
    /* 1.5 GiB above 4 GiB. */
    g_assert_cmpuint(cmos_read(s, 0x5b) | cmos_read(s, 0x5c) << 8 |
                     cmos_read(s, 0x5d) << 16, ==, 0x6000);
    g_assert_cmpuint(cmos_read(s, 0x5f), ==, 1);
    qtest_quit(s);
}

/* ---- IRQ 8 --------------------------------------------------------------- */

static void test_irq_periodic_rate(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;
    int edges = 0;

    qtest_irq_intercept_in(s, "ioapic");
    cmos_write(s, 0x0a, 0x6a);               /* hold the divider ... */
    cmos_write(s, 0x0a, 0x2a);               /* RS=10: 64 Hz, 15.625 ms */
    cmos_write(s, 0x0b, 0x42);               /* PIE */
    cmos_read(s, 0x0c);
    t0 = qtest_clock_step(s, 0);
    /* Each interrupt is acknowledged by reading C; count a second. */
    for (int64_t t = t0; t <= t0 + NS_PER_S; t += 1000000) {
        qtest_clock_set(s, t);
        if (qtest_get_irq(s, RTC_GSI)) {
            uint8_t c = cmos_read(s, 0x0c);
            g_assert_cmphex(c & 0xc0, ==, 0xc0);
            g_assert_false(qtest_get_irq(s, RTC_GSI));
            edges++;
        }
    }
    g_assert_cmpint(edges, ==, 64);
    qtest_quit(s);
}

static void test_irq_periodic_exact(void)
{
    QTestState *s = qtest_start(NULL);
    int64_t t0;
    int n0;

    qtest_irq_intercept_in(s, "ioapic");
    /* Restart the divider chain now: periods count from here. */
    cmos_write(s, 0x0a, 0x66);
    cmos_write(s, 0x0a, 0x26);               /* 1024 Hz: 976562.5 ns */
    t0 = qtest_clock_step(s, 0);
    cmos_write(s, 0x0b, 0x42);               /* PIE */
    cmos_read(s, 0x0c);
    n0 = qtest_get_irq_raise_count(s, RTC_GSI);
    qtest_clock_set(s, t0 + 976562);
    g_assert_false(qtest_get_irq(s, RTC_GSI));
    qtest_clock_set(s, t0 + 976563);
    g_assert_true(qtest_get_irq(s, RTC_GSI));
    cmos_read(s, 0x0c);
    /* The second period ends at exactly 1953125 ns: no drift. */
    qtest_clock_set(s, t0 + 1953124);
    g_assert_false(qtest_get_irq(s, RTC_GSI));
    qtest_clock_set(s, t0 + 1953125);
    g_assert_true(qtest_get_irq(s, RTC_GSI));
    /* Without reading C no new edge: IRQF holds the line. */
    qtest_clock_set(s, t0 + 5000000);
    g_assert_cmpint(qtest_get_irq_raise_count(s, RTC_GSI), ==, n0 + 2);
    qtest_quit(s);
}

static void test_irq_alarm_and_update(void)
{
    QTestState *s = qtest_start(NULL);

    qtest_irq_intercept_in(s, "ioapic");
    rtc_set_bcd(s, 2022, 3, 1, 10, 0, 0);
    cmos_write(s, 0x01, 0x03);
    cmos_write(s, 0x03, 0x00);
    cmos_write(s, 0x05, 0x10);
    cmos_write(s, 0x0b, 0x22);               /* AIE */
    cmos_read(s, 0x0c);
    qtest_clock_step(s, 2 * NS_PER_S);
    g_assert_false(qtest_get_irq(s, RTC_GSI));
    qtest_clock_step(s, NS_PER_S);
    g_assert_true(qtest_get_irq(s, RTC_GSI));
    g_assert_cmphex(cmos_read(s, 0x0c) & 0xb0, ==, 0xb0);  /* IRQF AF UF */
    g_assert_false(qtest_get_irq(s, RTC_GSI));
    /* Update-ended interrupts once a second with UIE. */
    cmos_write(s, 0x0b, 0x12);
    qtest_clock_step(s, NS_PER_S);
    g_assert_true(qtest_get_irq(s, RTC_GSI));
    g_assert_cmphex(cmos_read(s, 0x0c) & 0x90, ==, 0x90);
    /* SET clears UIE. */
    cmos_write(s, 0x0b, 0x92);
    g_assert_cmphex(cmos_read(s, 0x0b), ==, 0x82);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtc/defaults", test_defaults);
    g_test_add_func("/rtc/host-time", test_host_time);
    g_test_add_func("/rtc/cmdline-base", test_cmdline_base);
    g_test_add_func("/rtc/set-and-carry", test_set_and_carry);
    g_test_add_func("/rtc/set-stops-updates", test_set_stops_updates);
    g_test_add_func("/rtc/binary-and-12h", test_binary_and_12h);
    g_test_add_func("/rtc/uip", test_uip);
    g_test_add_func("/rtc/reg-c-flags", test_reg_c_flags);
    g_test_add_func("/rtc/alarm-flag", test_alarm_flag);
    g_test_add_func("/rtc/cmos-ram", test_cmos_ram_and_nmi_bit);
    g_test_add_func("/rtc/memory-bytes-small", test_memory_bytes_small);
    g_test_add_func("/rtc/memory-bytes-large", test_memory_bytes_large);
    g_test_add_func("/rtc/irq/periodic-rate", test_irq_periodic_rate);
    g_test_add_func("/rtc/irq/periodic-exact", test_irq_periodic_exact);
    g_test_add_func("/rtc/irq/alarm-and-update",
                    test_irq_alarm_and_update);
    return g_test_run();
}
