/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISA devices of the PC: PIT (unless KVM's in-kernel one is used),
 * port 0x61, RTC/CMOS with the memory-size bytes, COM1..COM4 from
 * -serial, the keyboard controller, port 0x92, the POST/delay ports and
 * -debugcon.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "chardev/char.h"
#include "hw/audio/pcspk.h"
#include "hw/char/serial.h"
#include "hw/i386/pc.h"
#include "hw/input/i8042.h"
#include "hw/misc/port92.h"
#include "hw/qdev-properties-system.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/timer/i8254.h"
#include "system/kvm.h"
#include "system/vl.h"

/*
 * With the in-kernel irqchip KVM also emulates the PIT (KVM_CREATE_PIT2,
 * created with the speaker stub, so the kernel answers port 0x61 too).
 */
static bool pc_kernel_pit(void)
{
    return kvm_pit_in_kernel();
}

static void cmos_set16(DeviceState *rtc, unsigned addr, unsigned val)
{
    rtc_set_cmos(rtc, addr, val);
    rtc_set_cmos(rtc, addr + 1, val >> 8);
}

/*
 * The CMOS bytes firmware and old guests read (IBM PC AT Technical
 * Reference, "CMOS RAM Address Map"; 0x34/0x35, 0x5b-0x5d and 0x5f as
 * QEMU's PC and SeaBIOS define them).
 */
static void pc_cmos_init(PCMachineState *pcms, DeviceState *rtc)
{
    uint64_t low = pcms->below_4g_mem_size;
    uint64_t high = pcms->above_4g_mem_size;
    uint64_t v;
    unsigned sum = 0;

    cmos_set16(rtc, 0x15, 640);                 /* base memory, KiB */
    v = low > 1 * MiB ? (low - 1 * MiB) / KiB : 0;
    v = MIN(v, 0xffff);
    cmos_set16(rtc, 0x17, v);                   /* extended memory, KiB */
    cmos_set16(rtc, 0x30, v);                   /* the same, POST copy */
    v = low > 16 * MiB ? (low - 16 * MiB) / (64 * KiB) : 0;
    cmos_set16(rtc, 0x34, MIN(v, 0xffff));      /* above 16M, 64K units */
    v = MIN(high / (64 * KiB), 0xffffff);
    rtc_set_cmos(rtc, 0x5b, v);                 /* above 4G, 64K units */
    rtc_set_cmos(rtc, 0x5c, v >> 8);
    rtc_set_cmos(rtc, 0x5d, v >> 16);
    rtc_set_cmos(rtc, 0x5f, pcms->ms->smp_cpus - 1);
    rtc_set_cmos(rtc, 0x14, 0x02);              /* equipment: FPU, VGA */
    /* AT checksum over 0x10-0x2d, stored big-endian at 0x2e. */
    for (unsigned i = 0x10; i <= 0x2d; i++) {
        sum += rtc_get_cmos(rtc, i);
    }
    rtc_set_cmos(rtc, 0x2e, sum >> 8);
    rtc_set_cmos(rtc, 0x2f, sum);
}

static void pc_init_debugcon(ISABus *bus, const char *spec)
{
    GError *err = NULL;
    Chardev *chr;
    DeviceState *dev;

    error_set_location("-debugcon %s", spec);
    chr = chardev_new_legacy("debugcon", spec, &err);
    if (!chr && err) {
        error_exit(err);
    }
    dev = qdev_new("isa-debugcon");
    if (!qdev_prop_set_chr(dev, "chardev", chr, &err)) {
        error_exit(err);
    }
    qdev_realize_or_die(dev, &bus->parent);
    error_clear_location();
}

void pc_init_isa_devices(PCMachineState *pcms)
{
    ISABus *bus = pcms->isa_bus;
    const char *debugcon = vl_get_debugcon();

    if (!pc_kernel_pit()) {
        pcms->pit = i8254_pit_create(bus, 0x40, 0);
        /* Port 0x61: counter 2's gate and output, the speaker bit. */
        pcspk_create(bus, pcms->pit);
    }
    pcms->rtc = mc146818_rtc_create(bus, pcms->ms->rtc_base);
    pc_cmos_init(pcms, pcms->rtc);
    for (int i = 0; i < MAX_ISA_SERIAL_PORTS; i++) {
        if (serial_hd(i)) {
            serial_isa_create(bus, i, serial_hd(i));
        }
    }
    pcms->i8042 = i8042_create(bus);
    port92_create(bus);
    isa_create_simple(bus, "ioport80");
    if (debugcon) {
        pc_init_debugcon(bus, debugcon);
    }
}
