/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PC system control port B at 0x61 (IBM PC AT Technical Reference,
 * "System Control Port B"):
 *   bit 0  timer 2 gate (PIT counter 2's GATE input)       read/write
 *   bit 1  speaker data enable                              read/write
 *   bit 2  parity check enable (active low)                 read/write
 *   bit 3  channel check enable (active low)                read/write
 *   bit 4  refresh detect: toggles with each DRAM refresh   read only
 *   bit 5  timer 2 output (PIT counter 2's OUT)             read only
 *   bit 6  channel check, bit 7 parity check (never set)    read only
 * Guests use bits 0 and 5 to time delays and to calibrate the TSC with
 * PIT counter 2 (Linux: pit_calibrate_tsc, quick_pit_calibrate).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/audio/pcspk.h"
#include "hw/timer/i8254.h"
#include "system/timer.h"

/* Refresh requests come every 15.085 us (PIT counter 1 count 18). */
#define REFRESH_PERIOD_NS 15085

#define PORTB_GATE2     0x01
#define PORTB_SPKR      0x02
#define PORTB_RW_MASK   0x0f
#define PORTB_REFRESH   0x10
#define PORTB_OUT2      0x20

typedef struct PCSpkState {
    ISADevice parent;
    uint32_t iobase;
    DeviceState *pit;
    MemoryRegion io;
    uint8_t bits;               /* the read/write bits 0-3 */
} PCSpkState;

static uint64_t pcspk_read(void *opaque, hwaddr addr, unsigned size)
{
    PCSpkState *s = opaque;
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    uint8_t v = s->bits & PORTB_RW_MASK;

    if ((now / REFRESH_PERIOD_NS) & 1) {
        v |= PORTB_REFRESH;
    }
    if (s->pit && pit_get_out(s->pit, 2)) {
        v |= PORTB_OUT2;
    }
    return v;
}

static void pcspk_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    PCSpkState *s = opaque;

    s->bits = val & PORTB_RW_MASK;
    if (s->pit) {
        pit_set_gate(s->pit, 2, val & PORTB_GATE2);
    }
}

static const MemoryRegionOps pcspk_ops = {
    .read = pcspk_read,
    .write = pcspk_write,
    .min_access = 1,
    .max_access = 1,
};

static void pcspk_reset(DeviceState *dev)
{
    PCSpkState *s = (PCSpkState *)dev;

    s->bits = 0;
    if (s->pit) {
        pit_set_gate(s->pit, 2, false);
    }
}

static bool pcspk_realize(DeviceState *dev, GError **errp)
{
    PCSpkState *s = (PCSpkState *)dev;

    if (s->iobase > 0xffff) {
        error_setg(errp, "isa-pcspk: iobase 0x%x out of range", s->iobase);
        return false;
    }
    memory_region_init_io(&s->io, dev, &pcspk_ops, s, "pcspk", 1);
    isa_register_ioport(&s->parent, &s->io, s->iobase);
    return true;
}

static void pcspk_unrealize(DeviceState *dev)
{
    PCSpkState *s = (PCSpkState *)dev;

    memory_region_finalize(&s->io);
}

static const Property pcspk_props[] = {
    DEFINE_PROP_UINT32("iobase", PCSpkState, iobase, 0x61),
    DEFINE_PROP_PTR("pit", PCSpkState, pit),
    DEFINE_PROP_END,
};

static const DeviceInfo pcspk_info = {
    .name = TYPE_PC_SPEAKER,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PCSpkState),
    .desc = "PC speaker / system control port B (0x61)",
    .props = pcspk_props,
    .realize = pcspk_realize,
    .unrealize = pcspk_unrealize,
    .reset = pcspk_reset,
};

DeviceState *pcspk_create(ISABus *bus, DeviceState *pit)
{
    DeviceState *dev = qdev_new(TYPE_PC_SPEAKER);

    qdev_prop_set_ptr(dev, "pit", pit);
    qdev_realize_or_die(dev, &bus->parent);
    return dev;
}

static void pcspk_register(void)
{
    type_register(&pcspk_info);
}
type_init(pcspk_register)
