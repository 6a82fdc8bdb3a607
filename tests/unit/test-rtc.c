/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTC's "base" property (where the time of day starts) and its
 * board interface, on an ISA bus of its own without a machine.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "exec/memory.h"
#include "hw/isa/isa.h"
#include "hw/rtc/mc146818rtc.h"
#include "system/main-loop.h"
#include "system/timer.h"

static ISABus *bus;

static DeviceState *rtc_new(const char *base, uint32_t iobase,
                            GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);
    g_autofree char *port = g_strdup_printf("%u", iobase);

    g_assert_true(qdev_prop_parse(dev, "iobase", port, NULL));
    if (base && !qdev_prop_parse(dev, "base", base, errp)) {
        qdev_free(dev);
        return NULL;
    }
    if (!qdev_realize(dev, &bus->parent, errp)) {
        qdev_free(dev);
        return NULL;
    }
    return dev;
}

static uint8_t rd(uint32_t iobase, uint8_t reg)
{
    address_space_stb(&address_space_io, iobase, reg);
    return address_space_ldub(&address_space_io, iobase + 1);
}

static void test_fixed_base(void)
{
    DeviceState *rtc = rtc_new("2006-06-17T16:01:21", 0x170, NULL);

    g_assert_nonnull(rtc);
    g_assert_cmphex(rd(0x170, 0x00), ==, 0x21);
    g_assert_cmphex(rd(0x170, 0x02), ==, 0x01);
    g_assert_cmphex(rd(0x170, 0x04), ==, 0x16);
    g_assert_cmphex(rd(0x170, 0x06), ==, 0x07);     /* a Saturday */
    g_assert_cmphex(rd(0x170, 0x07), ==, 0x17);
    g_assert_cmphex(rd(0x170, 0x08), ==, 0x06);
    g_assert_cmphex(rd(0x170, 0x09), ==, 0x06);
    g_assert_cmphex(rd(0x170, 0x32), ==, 0x20);
    /* It runs on the virtual clock. */
    clock_step(61 * NANOSECONDS_PER_SECOND);
    g_assert_cmphex(rd(0x170, 0x00), ==, 0x22);
    g_assert_cmphex(rd(0x170, 0x02), ==, 0x02);
    qdev_free(rtc);
}

static void test_date_only_and_board_api(void)
{
    DeviceState *rtc = rtc_new("1999-12-31", 0x270, NULL);

    g_assert_nonnull(rtc);
    g_assert_cmphex(rd(0x270, 0x04), ==, 0x00);
    g_assert_cmphex(rd(0x270, 0x09), ==, 0x99);
    g_assert_cmphex(rd(0x270, 0x32), ==, 0x19);
    /* The board writes RAM, never the clock registers. */
    rtc_set_cmos(rtc, 0x00, 0x42);
    rtc_set_cmos(rtc, 0x0b, 0xff);
    rtc_set_cmos(rtc, 0x50, 0x99);
    g_assert_cmphex(rd(0x270, 0x0b), ==, 0x02);
    g_assert_cmphex(rd(0x270, 0x50), ==, 0x99);
    g_assert_cmphex(rtc_get_cmos(rtc, 0x50), ==, 0x99);
    g_assert_cmphex(rtc_get_cmos(rtc, 0x200), ==, 0xff);
    /* NMI mask: bit 7 of the last index. */
    g_assert_false(rtc_nmi_masked(rtc));
    address_space_stb(&address_space_io, 0x270, 0x80);
    g_assert_true(rtc_nmi_masked(rtc));
    qdev_free(rtc);
}

static void test_bad_bases(void)
{
    static const char *const bad[] = {
        "yesterday", "2006-13-01", "2006-02-30", "2006-06-17T24:00:00",
        "2006-06-17T16:01", "2006-06-17T16:01:21Z", "1800-01-01",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        g_assert_null(rtc_new(bad[i], 0x370, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, "invalid RTC base"));
        g_error_free(err);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_map_init();
    clock_set_manual(true);
    bus = isa_bus_new(NULL, get_system_memory(), get_system_io());
    g_test_add_func("/rtc/base/fixed", test_fixed_base);
    g_test_add_func("/rtc/base/date-only", test_date_only_and_board_api);
    g_test_add_func("/rtc/base/bad", test_bad_bases);
    return g_test_run();
}
