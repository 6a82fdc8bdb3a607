/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Motorola MC146818A real-time clock with CMOS RAM ("mc146818rtc",
 * index port 0x70, data port 0x71, ISA IRQ 8).
 *
 * Properties: iobase (0x70), irq (8), base: where the time of day starts
 * at power-on: "utc" (default: the host's time in UTC), "localtime", or
 * a fixed date "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SS". After that the clock
 * runs on the virtual clock (it stops while the VM is paused).
 *
 * The century lives in CMOS byte 0x32 (the FADT's century register).
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include "hw/isa/isa.h"

#define TYPE_MC146818_RTC "mc146818rtc"
#define RTC_CMOS_SIZE 128
#define RTC_CENTURY 0x32

/* Create and realize on bus with the default ports and IRQ 8. */
/* base: the "base" property (utc, localtime, a date), NULL for utc. */
DeviceState *mc146818_rtc_create(ISABus *bus, const char *base);

/*
 * Board set-up of CMOS bytes (memory sizes, CPU count). Addresses of
 * the clock registers (0x00-0x0d) and out of range are ignored.
 */
void rtc_set_cmos(DeviceState *rtc, unsigned addr, uint8_t val);
uint8_t rtc_get_cmos(DeviceState *rtc, unsigned addr);

/* Bit 7 of the last index written to port 0x70 (NMI disabled). */
bool rtc_nmi_masked(DeviceState *rtc);

#endif
