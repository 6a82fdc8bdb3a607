/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MC146818 RTC and CMOS (index 0x70, data 0x71): the divider in
 * register A, valid RAM and time in register D, a time of day in range
 * (BCD or binary, as register B says), the PC's memory-size bytes for
 * -m 128M, the century, and CMOS RAM that keeps what is written.
 */
#include "guest.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

void guest_main(void)
{
    uint8_t a = cmos(0x0a), b = cmos(0x0b), d = cmos(0x0d);
    bool bin = b & 0x04, h24 = b & 0x02;
    unsigned sec, min, hour, day, mon, year, i;
    uint8_t old;

    report_info("registers A 0x%02x B 0x%02x D 0x%02x", a, b, d);
    report((a & 0x70) == 0x20, "register A: 32.768 kHz time base");
    report(d & 0x80, "register D: valid RAM and time");

    /* Read the time outside an update (UIP clear), boundedly. */
    for (i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++) {
        cpu_relax();
    }
    sec = bcd(cmos(0x00), bin);
    min = bcd(cmos(0x02), bin);
    hour = cmos(0x04);
    hour = bcd(hour & 0x7f, bin) + (!h24 && (hour & 0x80) ? 12 : 0);
    day = bcd(cmos(0x07), bin);
    mon = bcd(cmos(0x08), bin);
    year = bcd(cmos(0x09), bin) + 100 * bcd(cmos(0x32), bin);
    report_info("time %04u-%02u-%02u %02u:%02u:%02u", year, mon, day, hour,
                min, sec);
    report(sec < 60 && min < 60 && hour < 24, "time of day in range");
    report(day >= 1 && day <= 31 && mon >= 1 && mon <= 12,
           "date in range");
    report(year >= 2020 && year < 2100, "year and century plausible");

    /* The PC's memory bytes (-m 128M): base memory 640 KiB, RAM above
     * 16 MiB in 64 KiB units. */
    report((cmos(0x15) | cmos(0x16) << 8) == 640, "CMOS base memory 640 KiB");
    report((cmos(0x34) | cmos(0x35) << 8) == (128 - 16) * 16,
           "CMOS memory above 16 MiB in 64 KiB units");

    /* General-purpose CMOS RAM. */
    old = cmos(0x50);
    cmos_write(0x50, 0xa5);
    report(cmos(0x50) == 0xa5, "CMOS RAM keeps a byte");
    cmos_write(0x50, old);
}
