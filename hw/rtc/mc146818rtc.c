/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Motorola MC146818A real-time clock plus RAM (MC146818A datasheet), as
 * wired in the PC: index register at 0x70 (bit 7 masks NMI), data at 0x71,
 * interrupt on ISA IRQ 8, 128 bytes of CMOS of which 0x0e-0x7f are RAM.
 *
 * The clock keeps its own calendar fields (seconds ... year) and advances
 * them at each update cycle, once per second of virtual time; the guest
 * may write any values, as on the chip, and an out-of-range field simply
 * carries at the next update. The periodic interrupt, the update cycle
 * and UIP are all derived from the time the divider chain was started,
 * so nothing drifts and PF is computed lazily while PIE is off.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/rtc/mc146818rtc.h"
#include "system/timer.h"
#include <time.h>

/* Register indexes (datasheet, "Address Map"). */
#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d

#define REG_A_UIP           0x80
#define REG_A_DV_MASK       0x70
#define REG_A_RS_MASK       0x0f
#define REG_B_SET           0x80
#define REG_B_PIE           0x40
#define REG_B_AIE           0x20
#define REG_B_UIE           0x10
#define REG_B_SQWE          0x08
#define REG_B_DM            0x04    /* 1: binary, 0: BCD */
#define REG_B_24H           0x02
#define REG_B_DSE           0x01
#define REG_C_IRQF          0x80
#define REG_C_PF            0x40
#define REG_C_AF            0x20
#define REG_C_UF            0x10
#define REG_C_FLAGS         0x70
#define REG_D_VRT           0x80

#define RTC_TIMEBASE_HZ     32768
/* UIP rises 244 us before the update cycle, which lasts 1984 us. */
#define RTC_UIP_LEAD_NS     (244000 + 1984000)
/* After the divider leaves reset, the first update is 500 ms later. */
#define RTC_FIRST_UPDATE_NS (NANOSECONDS_PER_SECOND / 2)
/* Beyond this many missed updates, jump instead of stepping. */
#define RTC_MAX_STEPS       (2 * 86400)

typedef struct RTCTime {
    int sec, min, hour;         /* binary, 24-hour */
    int wday;                   /* 1..7, Sunday = 1; its own counter */
    int mday, mon;              /* 1-based */
    int year;                   /* full year, e.g. 2024 */
} RTCTime;

typedef struct RTCState {
    ISADevice parent;
    uint32_t iobase;
    uint32_t isairq;
    char *base;
    MemoryRegion io;
    IRQLine *irq;

    uint8_t cmos[RTC_CMOS_SIZE];    /* RAM, and the alarm bytes */
    uint8_t index;
    bool nmi_masked;
    uint8_t reg_a, reg_b, reg_c;
    RTCTime t;

    bool divider_running;
    int64_t divider_base;       /* virtual ns the divider chain started */
    int64_t next_update;        /* end of the next update cycle */
    uint64_t pf_seen;           /* periodic boundaries accounted for */
    Timer *update_timer;
    Timer *periodic_timer;
} RTCState;

static RTCState *rtc_of(DeviceState *dev)
{
    return (RTCState *)dev;
}

static int64_t rtc_now(void)
{
    return clock_get_ns(EMBER_CLOCK_VIRTUAL);
}

/* ---- calendar ------------------------------------------------------------ */

static bool rtc_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int rtc_days_in_month(int mon, int year)
{
    static const uint8_t days[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (mon < 1 || mon > 12) {
        return 31;
    }
    return days[mon - 1] + (mon == 2 && rtc_leap(year));
}

/* One update cycle's worth: a second, with the chip's carries. */
static void rtc_tick_second(RTCTime *t)
{
    if (++t->sec < 60) {
        return;
    }
    t->sec = 0;
    if (++t->min < 60) {
        return;
    }
    t->min = 0;
    if (++t->hour < 24) {
        return;
    }
    t->hour = 0;
    t->wday = t->wday >= 7 || t->wday < 1 ? 1 : t->wday + 1;
    if (++t->mday <= rtc_days_in_month(t->mon, t->year)) {
        return;
    }
    t->mday = 1;
    if (++t->mon <= 12) {
        return;
    }
    t->mon = 1;
    t->year++;
}

static void rtc_from_epoch(RTCTime *t, int64_t secs)
{
    time_t tt = secs;
    struct tm tm;

    gmtime_r(&tt, &tm);
    t->sec = tm.tm_sec;
    t->min = tm.tm_min;
    t->hour = tm.tm_hour;
    t->wday = tm.tm_wday + 1;
    t->mday = tm.tm_mday;
    t->mon = tm.tm_mon + 1;
    t->year = tm.tm_year + 1900;
}

static int64_t rtc_to_epoch(const RTCTime *t)
{
    struct tm tm = {
        .tm_sec = t->sec, .tm_min = t->min, .tm_hour = t->hour,
        .tm_mday = t->mday, .tm_mon = t->mon - 1,
        .tm_year = t->year - 1900,
    };

    return timegm(&tm);
}

/* Advance by n seconds (for long gaps; fields get normalized). */
static void rtc_advance_bulk(RTCTime *t, uint64_t n)
{
    int64_t days_before = rtc_to_epoch(t) / 86400;
    int wday = t->wday;

    rtc_from_epoch(t, rtc_to_epoch(t) + (int64_t)n);
    /* Day of week is an independent counter on the chip. */
    t->wday = (int)(((wday - 1 + (rtc_to_epoch(t) / 86400 - days_before)) %
                     7 + 7) % 7) + 1;
}

/* ---- register formats (datasheet, "Time, Calendar and Alarm Data Modes") */

static uint8_t rtc_encode(RTCState *s, int v)
{
    if (v < 0) {
        v = 0;
    }
    if (s->reg_b & REG_B_DM) {
        return v;
    }
    return ((v / 10) % 10) << 4 | v % 10;
}

static int rtc_decode(RTCState *s, uint8_t v)
{
    if (s->reg_b & REG_B_DM) {
        return v;
    }
    return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t rtc_encode_hour(RTCState *s, int hour)
{
    int h12;

    if (s->reg_b & REG_B_24H) {
        return rtc_encode(s, hour);
    }
    /* 12-hour mode: 1..12, bit 7 set for PM. */
    h12 = hour % 12 ? hour % 12 : 12;
    return rtc_encode(s, h12) | (hour % 24 >= 12 ? 0x80 : 0);
}

static int rtc_decode_hour(RTCState *s, uint8_t v)
{
    int h;

    if (s->reg_b & REG_B_24H) {
        return rtc_decode(s, v);
    }
    h = rtc_decode(s, v & 0x7f);
    if (h == 12) {
        h = 0;
    }
    return (v & 0x80) ? h + 12 : h;
}

/* ---- interrupts ---------------------------------------------------------- */

static void rtc_update_irq(RTCState *s)
{
    bool irqf = s->reg_c & s->reg_b & REG_C_FLAGS;

    if (irqf && !(s->reg_c & REG_C_IRQF)) {
        s->reg_c |= REG_C_IRQF;
        irq_raise(s->irq);
    }
}

static void rtc_lower_irq(RTCState *s)
{
    s->reg_c = 0;
    irq_lower(s->irq);
}

/* Periodic interrupt period in 32.768 kHz ticks, or 0 (datasheet table
 * "Periodic Interrupt Rate and Square-Wave Output Frequency"). */
static unsigned rtc_period_ticks(RTCState *s)
{
    unsigned rs = s->reg_a & REG_A_RS_MASK;

    if (rs == 0) {
        return 0;
    }
    return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

/* Periodic boundaries passed from the divider start up to now. */
static uint64_t rtc_periods_at(RTCState *s, int64_t now)
{
    unsigned p = rtc_period_ticks(s);

    if (!p || !s->divider_running || now <= s->divider_base) {
        return 0;
    }
    return (unsigned __int128)(now - s->divider_base) * RTC_TIMEBASE_HZ /
           ((uint64_t)p * NANOSECONDS_PER_SECOND);
}

static int64_t rtc_period_time(RTCState *s, uint64_t k)
{
    unsigned __int128 n = (unsigned __int128)k * rtc_period_ticks(s) *
                          NANOSECONDS_PER_SECOND;

    n = (n + RTC_TIMEBASE_HZ - 1) / RTC_TIMEBASE_HZ;
    return s->divider_base + (int64_t)MIN(n, (unsigned __int128)INT64_MAX / 2);
}

/* Lazy PF: a boundary passed since the flag was last accounted. */
static void rtc_sync_pf(RTCState *s, int64_t now)
{
    uint64_t k = rtc_periods_at(s, now);

    if (k > s->pf_seen) {
        s->pf_seen = k;
        s->reg_c |= REG_C_PF;
    }
}

static void rtc_arm_periodic(RTCState *s, int64_t now)
{
    timer_del(s->periodic_timer);
    if (!(s->reg_b & REG_B_PIE) || !rtc_period_ticks(s) ||
        !s->divider_running) {
        return;
    }
    timer_mod_ns(s->periodic_timer,
                 rtc_period_time(s, rtc_periods_at(s, now) + 1));
}

static void rtc_periodic_cb(void *opaque)
{
    RTCState *s = opaque;
    int64_t now = rtc_now();

    rtc_sync_pf(s, now);
    rtc_update_irq(s);
    rtc_arm_periodic(s, now);
}

/* ---- update cycles ------------------------------------------------------- */

static bool rtc_alarm_match(RTCState *s)
{
    uint8_t a[3] = {
        s->cmos[RTC_SECONDS_ALARM], s->cmos[RTC_MINUTES_ALARM],
        s->cmos[RTC_HOURS_ALARM],
    };
    uint8_t v[3] = {
        rtc_encode(s, s->t.sec), rtc_encode(s, s->t.min),
        rtc_encode_hour(s, s->t.hour),
    };

    for (int i = 0; i < 3; i++) {
        /* 11xxxxxx is "don't care": matches every value. */
        if ((a[i] & 0xc0) != 0xc0 && a[i] != v[i]) {
            return false;
        }
    }
    return true;
}

/* Run the update cycles that ended by now. */
static void rtc_run_updates(RTCState *s, int64_t now)
{
    uint64_t n;

    if (!s->divider_running || now < s->next_update) {
        return;
    }
    n = (now - s->next_update) / NANOSECONDS_PER_SECOND + 1;
    s->next_update += n * NANOSECONDS_PER_SECOND;
    /* SET inhibits the update cycles: the time stays as written. */
    if (s->reg_b & REG_B_SET) {
        return;
    }
    if (n > RTC_MAX_STEPS) {
        rtc_advance_bulk(&s->t, n);
        if (rtc_alarm_match(s)) {
            s->reg_c |= REG_C_AF;
        }
    } else {
        while (n--) {
            rtc_tick_second(&s->t);
            if (rtc_alarm_match(s)) {
                s->reg_c |= REG_C_AF;
            }
        }
    }
    s->reg_c |= REG_C_UF;
}

static void rtc_arm_update(RTCState *s)
{
    timer_del(s->update_timer);
    if (s->divider_running) {
        timer_mod_ns(s->update_timer, s->next_update);
    }
}

static void rtc_update_cb(void *opaque)
{
    RTCState *s = opaque;

    rtc_run_updates(s, rtc_now());
    rtc_update_irq(s);
    rtc_arm_update(s);
}

/* Bring time and flags up to now before any register access. */
static void rtc_sync(RTCState *s, int64_t now)
{
    rtc_run_updates(s, now);
    rtc_sync_pf(s, now);
    rtc_update_irq(s);
}

static bool rtc_uip(RTCState *s, int64_t now)
{
    if (!s->divider_running || (s->reg_b & REG_B_SET)) {
        return false;
    }
    return s->next_update - now <= RTC_UIP_LEAD_NS;
}

/* ---- register access ----------------------------------------------------- */

static void rtc_write_reg_a(RTCState *s, uint8_t val, int64_t now)
{
    bool run = (val & 0x60) != 0x60;    /* DV = 11x holds the divider */

    if (run && !s->divider_running) {
        s->divider_running = true;
        s->divider_base = now;
        s->next_update = now + RTC_FIRST_UPDATE_NS;
    } else if (!run) {
        s->divider_running = false;
    }
    if ((val & REG_A_DV_MASK) != 0x20 && run) {
        ember_log_mask(LOG_UNIMP, "mc146818rtc: divider 0x%x: the PC's "
                       "32.768 kHz time base is assumed\n", val & 0x70);
    }
    s->reg_a = val & ~REG_A_UIP;
    /* The new rate taps the running divider; count from here on. */
    s->pf_seen = rtc_periods_at(s, now);
    rtc_arm_periodic(s, now);
    rtc_arm_update(s);
}

static void rtc_write_reg_b(RTCState *s, uint8_t val, int64_t now)
{
    if (val & REG_B_SET) {
        /* SET clears UIE (datasheet, register B bit 7). */
        val &= ~REG_B_UIE;
    }
    s->reg_b = val;
    rtc_update_irq(s);
    rtc_arm_periodic(s, now);
}

static void rtc_write_time(RTCState *s, unsigned reg, uint8_t val)
{
    switch (reg) {
    case RTC_SECONDS:
        s->t.sec = rtc_decode(s, val & 0x7f);
        break;
    case RTC_MINUTES:
        s->t.min = rtc_decode(s, val);
        break;
    case RTC_HOURS:
        s->t.hour = rtc_decode_hour(s, val);
        break;
    case RTC_DAY_OF_WEEK:
        s->t.wday = rtc_decode(s, val);
        break;
    case RTC_DAY_OF_MONTH:
        s->t.mday = rtc_decode(s, val);
        break;
    case RTC_MONTH:
        s->t.mon = rtc_decode(s, val);
        break;
    case RTC_YEAR:
        s->t.year = s->t.year / 100 * 100 + rtc_decode(s, val) % 100;
        break;
    case RTC_CENTURY:
        s->t.year = rtc_decode(s, val) * 100 + s->t.year % 100;
        break;
    }
}

static uint8_t rtc_read_reg(RTCState *s, unsigned reg, int64_t now)
{
    uint8_t v;

    switch (reg) {
    case RTC_SECONDS:
        return rtc_encode(s, s->t.sec);
    case RTC_MINUTES:
        return rtc_encode(s, s->t.min);
    case RTC_HOURS:
        return rtc_encode_hour(s, s->t.hour);
    case RTC_DAY_OF_WEEK:
        return rtc_encode(s, s->t.wday);
    case RTC_DAY_OF_MONTH:
        return rtc_encode(s, s->t.mday);
    case RTC_MONTH:
        return rtc_encode(s, s->t.mon);
    case RTC_YEAR:
        return rtc_encode(s, s->t.year % 100);
    case RTC_CENTURY:
        return rtc_encode(s, s->t.year / 100);
    case RTC_REG_A:
        return s->reg_a | (rtc_uip(s, now) ? REG_A_UIP : 0);
    case RTC_REG_B:
        return s->reg_b;
    case RTC_REG_C:
        /* Reading C clears every flag and releases IRQ 8. */
        v = s->reg_c;
        rtc_lower_irq(s);
        return v;
    case RTC_REG_D:
        return REG_D_VRT;
    default:
        return s->cmos[reg];
    }
}

static void rtc_write_reg(RTCState *s, unsigned reg, uint8_t val, int64_t now)
{
    switch (reg) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        rtc_write_time(s, reg, val);
        break;
    case RTC_REG_A:
        rtc_write_reg_a(s, val, now);
        break;
    case RTC_REG_B:
        rtc_write_reg_b(s, val, now);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        ember_log_mask(LOG_GUEST_ERROR, "mc146818rtc: write 0x%02x to "
                       "read-only register %c\n", val,
                       reg == RTC_REG_C ? 'C' : 'D');
        break;
    default:
        s->cmos[reg] = val;
        break;
    }
}

static uint64_t rtc_io_read(void *opaque, hwaddr addr, unsigned size)
{
    RTCState *s = opaque;
    int64_t now = rtc_now();

    if (addr == 0) {
        /* The index register is write-only. */
        return 0xff;
    }
    rtc_sync(s, now);
    return rtc_read_reg(s, s->index, now);
}

static void rtc_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    RTCState *s = opaque;
    int64_t now = rtc_now();

    if (addr == 0) {
        s->index = val & 0x7f;
        s->nmi_masked = val & 0x80;
        return;
    }
    rtc_sync(s, now);
    rtc_write_reg(s, s->index, val, now);
}

static const MemoryRegionOps rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .min_access = 1,
    .max_access = 1,
};

/* ---- board interface ----------------------------------------------------- */

void rtc_set_cmos(DeviceState *dev, unsigned addr, uint8_t val)
{
    RTCState *s = rtc_of(dev);

    if (addr == RTC_CENTURY) {
        rtc_write_time(s, addr, val);
    } else if (addr > RTC_REG_D && addr < RTC_CMOS_SIZE) {
        s->cmos[addr] = val;
    }
}

uint8_t rtc_get_cmos(DeviceState *dev, unsigned addr)
{
    RTCState *s = rtc_of(dev);

    if (addr >= RTC_CMOS_SIZE) {
        return 0xff;
    }
    rtc_sync(s, rtc_now());
    return addr == RTC_REG_C ? s->reg_c : rtc_read_reg(s, addr, rtc_now());
}

bool rtc_nmi_masked(DeviceState *dev)
{
    return rtc_of(dev)->nmi_masked;
}

/* ---- device -------------------------------------------------------------- */

/* The time of day at power-on from the "base" property. */
static bool rtc_initial_time(RTCState *s, RTCTime *t, GError **errp)
{
    int64_t host = clock_get_ns(EMBER_CLOCK_HOST) / NANOSECONDS_PER_SECOND;
    const char *base = s->base ? s->base : "utc";
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    int consumed = 0;

    if (!strcmp(base, "utc")) {
        rtc_from_epoch(t, host);
        return true;
    }
    if (!strcmp(base, "localtime")) {
        time_t tt = host;
        struct tm tm;
        localtime_r(&tt, &tm);
        rtc_from_epoch(t, host + tm.tm_gmtoff);
        return true;
    }
    if ((sscanf(base, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi,
                &se, &consumed) == 6 && !base[consumed]) ||
        (sscanf(base, "%4u-%2u-%2u%n", &y, &mo, &d, &consumed) == 3 &&
         !base[consumed])) {
        if (y >= 1900 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
            d <= (unsigned)rtc_days_in_month(mo, y) && h < 24 && mi < 60 &&
            se < 60) {
            RTCTime v = { se, mi, h, 1, d, mo, y };
            rtc_from_epoch(t, rtc_to_epoch(&v));
            return true;
        }
    }
    error_setg(errp, "invalid RTC base '%s' (utc, localtime, or "
               "YYYY-MM-DD[THH:MM:SS])", base);
    return false;
}

static void rtc_reset(DeviceState *dev)
{
    RTCState *s = rtc_of(dev);
    int64_t now = rtc_now();

    /*
     * The RESET pin clears PIE, AIE, UIE, SQWE and the flags; the time,
     * the RAM and the other bits stay (datasheet, "RESET").
     */
    rtc_sync(s, now);
    s->reg_b &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    rtc_lower_irq(s);
    rtc_arm_periodic(s, now);
    rtc_arm_update(s);
}

static void rtc_instance_init(DeviceState *dev)
{
    RTCState *s = rtc_of(dev);

    qdev_init_gpio_out(dev, &s->irq, 1);
}

static bool rtc_realize(DeviceState *dev, GError **errp)
{
    RTCState *s = rtc_of(dev);
    ISADevice *isa = &s->parent;
    int64_t now = rtc_now();

    if (s->iobase > 0xfffe) {
        error_setg(errp, "mc146818rtc: iobase 0x%x out of range", s->iobase);
        return false;
    }
    if (s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "mc146818rtc: irq %u out of range", s->isairq);
        return false;
    }
    if (!rtc_initial_time(s, &s->t, errp)) {
        return false;
    }
    if (!s->irq) {
        s->irq = isa_get_irq(isa, s->isairq);
    }
    /* What the PC BIOS programs: 32.768 kHz, 1024 Hz rate, 24h, BCD. */
    s->reg_a = 0x26;
    s->reg_b = REG_B_24H;
    s->reg_c = 0;
    s->divider_running = true;
    s->divider_base = now;
    s->next_update = now + NANOSECONDS_PER_SECOND;
    s->update_timer = timer_new_ns(EMBER_CLOCK_VIRTUAL, rtc_update_cb, s);
    s->periodic_timer = timer_new_ns(EMBER_CLOCK_VIRTUAL, rtc_periodic_cb,
                                     s);
    memory_region_init_io(&s->io, dev, &rtc_io_ops, s, "rtc", 2);
    isa_register_ioport(isa, &s->io, s->iobase);
    return true;
}

static void rtc_unrealize(DeviceState *dev)
{
    RTCState *s = rtc_of(dev);

    memory_region_finalize(&s->io);
    timer_free(s->update_timer);
    timer_free(s->periodic_timer);
    s->update_timer = s->periodic_timer = NULL;
}

static const Property rtc_props[] = {
    DEFINE_PROP_UINT32("iobase", RTCState, iobase, 0x70),
    DEFINE_PROP_UINT32("irq", RTCState, isairq, 8),
    DEFINE_PROP_STRING("base", RTCState, base),
    DEFINE_PROP_END,
};

static const DeviceInfo rtc_info = {
    .name = TYPE_MC146818_RTC,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(RTCState),
    .desc = "MC146818 real-time clock and CMOS RAM",
    .props = rtc_props,
    .instance_init = rtc_instance_init,
    .realize = rtc_realize,
    .unrealize = rtc_unrealize,
    .reset = rtc_reset,
};

DeviceState *mc146818_rtc_create(ISABus *bus, const char *base)
{
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);

    if (base) {
        qdev_prop_set_string(dev, "base", base);
    }
    qdev_realize_or_die(dev, &bus->parent);
    return dev;
}

static void rtc_register(void)
{
    type_register(&rtc_info);
}
type_init(rtc_register)
